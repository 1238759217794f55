// Helper for job specs (test/job/*.spec.mjs): start a small MPI job the way the orchestrator says.
//
// run.mjs runs job specs once per flavour with, in the environment:
//   MPI4JS_FLAVOUR      openmpi | mpich
//   MPI4JS_MPIRUN       the launcher, e.g. mpirun.openmpi
//   MPI4JS_MPIRUN_ARGS  JSON array of flags to put before -n, e.g. ["--oversubscribe"]
//   MPI4JS_ADDON        the addon built for that flavour (inherited by the job's ranks)
// Outside the orchestrator (e.g. `npx mocha test/job/x.spec.mjs`) the launcher defaults to `mpirun`.
//
//   import { mpirun } from '../harness/mpirun.mjs';
//   const r = await mpirun(2, ['node', 'examples/hello.mjs'], { timeout: 20000 });
//   // r = { code, signal, stdout, stderr, timedOut, ms }   (never rejects for a non-zero exit)
//
// 'node' as the first word of the command is replaced by the running node (process.execPath).
// The job is spawned in its own process group; on timeout it and all its ranks are killed
// (SIGKILL) and the result has timedOut: true. Jobs still running when this process exits are
// killed too.

import { spawn } from 'node:child_process';
import { newTag, killTagged, killGroup } from './procs.mjs';

const TAG_VAR = 'MPI4JS_JOB_TAG';
const live = new Set();
process.on('exit', () => {
  for (const job of live) {
    killGroup(job.pid, 'SIGKILL');
    killTagged(TAG_VAR, job.tag);
  }
});

export const flavour = process.env.MPI4JS_FLAVOUR || '';

// The launcher command line for an N-rank job: [command, ...args].
export function mpirunCommand(np, argv) {
  const command = process.env.MPI4JS_MPIRUN || 'mpirun';
  let flags = [];
  if (process.env.MPI4JS_MPIRUN_ARGS) {
    flags = JSON.parse(process.env.MPI4JS_MPIRUN_ARGS);
    if (!Array.isArray(flags)) throw new Error('MPI4JS_MPIRUN_ARGS must be a JSON array of strings');
  }
  const cmd = argv.map((a, i) => (i === 0 && a === 'node' ? process.execPath : String(a)));
  return [command, ...flags, '-n', String(np), ...cmd];
}

export function mpirun(np, argv, { timeout = 30000, env = {}, cwd, input } = {}) {
  const [command, ...args] = mpirunCommand(np, argv);
  const tag = newTag('mpi4js-job');
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: {
        OMPI_ALLOW_RUN_AS_ROOT: '1',
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1',
        ...process.env,
        ...env,
        [TAG_VAR]: tag,
      },
      detached: true,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const job = { pid: child.pid, tag };
    live.add(job);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
      killTagged(TAG_VAR, tag);
    }, timeout);
    child.on('error', (err) => {
      clearTimeout(timer);
      live.delete(job);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(job);
      killTagged(TAG_VAR, tag); // ranks the launcher left behind
      resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - t0 });
    });
  });
}
