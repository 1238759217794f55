// Job-level behaviour: how a job ends when a rank fails, finalization, the foreign-launcher warning, worker threads
// and the build's message when no MPI is installed. Each test starts its own small MPI job.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flavour, mpirun } from '../harness/mpirun.mjs';

const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('lifecycle of a job', function () {
  this.timeout(60000);

  for (const [mode, pattern] of [['throw', /uncaught exception/], ['reject', /unhandled rejection/]]) {
    it(`ends the whole job, non-zero within 15 s, when rank 1 has an ${pattern.source} while rank 0 waits in recv`,
      async () => {
        const job = await mpirun(2, ['node', fixture('fail-rank.mjs'), mode], { timeout: 30000 });
        expect(job.timedOut, 'the job hung').to.equal(false);
        expect(job.code).to.not.equal(0);
        expect(job.ms).to.be.below(15000);
        expect(job.stderr).to.match(new RegExp(`\\[mpi4js\\] rank 1 of 2: ${pattern.source}, aborting the job`));
        expect(job.stderr).to.include(mode === 'reject' ? 'rank one rejected' : 'rank one failed');
      });
  }

  for (const level of ['single', 'funneled', 'serialized', 'multiple']) {
    it(`runs at the thread level MPI4JS_THREAD_LEVEL=${level} asks for`, async () => {
      const job = await mpirun(2, ['node', fixture('thread-level.mjs')], { env: { MPI4JS_THREAD_LEVEL: level } });
      expect(job.code, job.stderr).to.equal(0);
      // MPI may give more than asked (never less, for these MPIs), and each rank got its left neighbour's rank.
      const order = ['single', 'funneled', 'serialized', 'multiple'];
      for (const rank of [0, 1]) {
        const [, provided, got] = new RegExp(`rank ${rank}: (\\w+) (\\d+)`).exec(job.stdout) ?? [];
        expect(order.indexOf(provided), job.stdout).to.be.at.least(order.indexOf(level));
        expect(Number(got)).to.equal(1 - rank);
      }
    });
  }

  it('asks for MPI_THREAD_SINGLE by default, and names MPI4JS_THREAD_LEVEL when its value is wrong', async () => {
    const plain = await mpirun(1, ['node', fixture('thread-level.mjs')], { env: { MPI4JS_THREAD_LEVEL: '' } });
    expect(plain.stdout).to.include('rank 0: single 0');
    const wrong = await mpirun(1, ['node', fixture('thread-level.mjs')], { env: { MPI4JS_THREAD_LEVEL: 'many' } });
    expect(wrong.code).to.not.equal(0);
    expect(wrong.stderr).to.include('MPI4JS_THREAD_LEVEL must be single, funneled, serialized or multiple, not "many"');
  });

  it('ends the job with the code given to abort()', async () => {
    const job = await mpirun(2, ['node', fixture('fail-rank.mjs'), 'abort'], { timeout: 30000 });
    expect(job.timedOut).to.equal(false);
    expect(job.code, job.stderr).to.equal(3);
    expect(job.ms).to.be.below(15000);
  });

  // The launcher reads a rank's stderr through a pipe; a rank that aborts must leave its last words there long enough
  // for it. Here the reader is a shell that starts reading 300 ms after the words are written: the rank may end
  // only after that (mpi4js waits up to a second for an unread pipe).
  it('abort() waits until the reader of stderr has taken what the rank wrote last', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mpi4js-abort-'));
    try {
      const [marker, readAt, exitedAt] = ['written', 'read-at', 'exited-at'].map((name) => path.join(dir, name));
      const rank = `"${process.execPath}" "${fixture('abort-after-output.mjs')}" "${marker}"`;
      const reader = `until [ -e "${marker}" ]; do sleep 0.01; done; sleep 0.3; date +%s%N > "${readAt}"; cat`;
      const run = spawnSync('bash', ['-c', `{ ${rank}; date +%s%N > "${exitedAt}"; } 2>&1 >/dev/null | { ${reader}; }`],
        { encoding: 'utf8', timeout: 30000 });
      expect(run.stdout).to.include('last words of rank 0');
      const [read, exited] = [readAt, exitedAt].map((file) => BigInt(readFileSync(file, 'utf8').trim()));
      expect(exited >= read, `the rank ended ${Number(read - exited) / 1e6} ms before its stderr was read`).to.equal(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves the failing rank to Node and the launcher when setAbortOnError(false)', async () => {
    const job = await mpirun(2, ['node', fixture('fail-rank.mjs'), 'noabort'], { timeout: 30000 });
    // Both launchers end the job when a rank exits non-zero; mpi4js itself stays out of it.
    expect(job.timedOut).to.equal(false);
    expect(job.code).to.not.equal(0);
    expect(job.stderr).to.include('rank one failed');
    expect(job.stderr).not.to.include('[mpi4js] rank 1');
  });

  it('does not abort when the program handles uncaught exceptions itself', async () => {
    const job = await mpirun(2, ['node', fixture('fail-rank.mjs'), 'handled'], { timeout: 30000 });
    expect(job.timedOut).to.equal(false);
    expect(job.code).to.equal(0);
    expect(job.stdout).to.include('rank 1 handled it');
    expect(job.stderr).not.to.include('[mpi4js]');
  });

  for (const how of ['natural', 'exit']) {
    it(`finalizes at a ${how === 'exit' ? 'process.exit(0)' : 'natural end'} without any noise from MPI`, async () => {
      const job = await mpirun(3, ['node', fixture('clean-exit.mjs'), how], { timeout: 30000 });
      expect(job.code).to.equal(0);
      expect(job.stdout.match(/rank \d got \d/g)).to.have.length(3);
      expect(job.stderr.trim()).to.equal('');
    });
  }

  it('throws MpiError for every MPI call after finalize(), never crashing', () => {
    const run = spawnSync(process.execPath, [fixture('finalize.mjs')], { encoding: 'utf8', timeout: 30000 });
    expect(run.status, run.stderr).to.equal(0);
    const outcome = JSON.parse(run.stdout);
    expect(outcome.isFinalized).to.equal(true);
    for (const call of ['send', 'recv', 'dup', 'processorName']) {
      expect(outcome[call]).to.match(/^MpiError MPI_ERR_OTHER: MPI has been finalized/);
    }
    expect(outcome.finalizeAgain).to.equal('no error');
  });

  it('warns once per rank when started by the launcher of the other MPI', async function () {
    const other = flavour === 'mpich' ? 'openmpi' : flavour === 'openmpi' ? 'mpich' : null;
    if (other === null) this.skip();
    const args = other === 'openmpi' ? ['--oversubscribe'] : [];
    const result = spawnSync(`mpirun.${other}`, [...args, '-n', '2', process.execPath, fixture('rank-report.mjs')], {
      encoding: 'utf8', timeout: 30000, env: { ...process.env, OMPI_ALLOW_RUN_AS_ROOT: '1',
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' },
    });
    expect(result.stdout.match(/rank 0 of 1/g)).to.have.length(2);
    const warnings = result.stderr.match(/\[mpi4js\] warning: this process is a 1-rank world/g) ?? [];
    expect(warnings).to.have.length(2);
    expect(result.stderr).to.include(`built against ${flavour}`);
  });

  it('refuses to initialize MPI a second time from a worker thread, and the main thread goes on', () => {
    const run = spawnSync(process.execPath, [fixture('worker.mjs')], { encoding: 'utf8', timeout: 30000 });
    expect(run.stdout).to.match(/error: mpi4js can only be used from the main thread/);
    expect(run.stdout).to.include('main still works: rank 0 of 1');
  });

  it('fails the build with a short message naming the packages when no MPI is installed', () => {
    const run = spawnSync(process.execPath, ['scripts/build.js', '--out', 'build-nompi-test'], {
      cwd: root, encoding: 'utf8', timeout: 30000, env: { ...process.env, MPI4JS_MPICC: '/nonexistent/mpicc' },
    });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.include('apt-get install libopenmpi-dev');
    expect(run.stderr).to.include('dnf install openmpi-devel');
    expect(run.stderr).to.include('brew install open-mpi');
    expect(run.stderr.split('\n').length).to.be.below(10);
  });
});
