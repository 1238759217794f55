#!/usr/bin/env node
// The mpi4js test orchestrator: runs the SPMD specs under mpirun for each MPI flavour and world
// size, runs the job specs once per flavour, merges the per-rank results and prints a summary.
//
//   node test/harness/run.mjs [options] [spec files or globs...]
//
// Spec kinds
//   SPMD specs (default test/spmd/*.spec.mjs) run on EVERY rank of `mpirun -n N`, for each flavour
//   and each world size, via test/harness/rank-runner.mjs.
//   A SPMD spec whose file name contains ".np8." (e.g. collectives.np8.spec.mjs) ALSO runs in an
//   extra job of 8 ranks (oversubscribed on small machines).
//   Job specs (default test/job/*.spec.mjs) are NOT run under mpirun: they run once per flavour in
//   a plain node child process (rank-runner with rank 0) and start small mpirun jobs themselves.
//   Positional arguments replace both defaults; a file with a directory named "job" in its path is
//   a job spec, any other is a SPMD spec.
//
// Options (command line, else environment, else default)
//   --flavours openmpi,mpich   MPI4JS_TEST_FLAVOURS      MPI flavours; launcher = mpirun.<flavour>
//   --sizes 1,2,3,4            MPI4JS_TEST_SIZES         world sizes for the SPMD specs
//   --no-np8                   MPI4JS_TEST_NP8=0         skip the extra 8-rank job
//   --no-spmd / --no-job       MPI4JS_TEST_SPMD=0 / MPI4JS_TEST_JOB=0   skip a kind of spec
//   --hang S                   MPI4JS_TEST_HANG_SECONDS  (60) kill a job after S s without any event
//                                                         (must exceed mocha's 20 s test timeout)
//   --job-hang S               MPI4JS_TEST_JOB_HANG_SECONDS (180) the same for the job specs, whose
//                                                         tests wait for whole mpirun jobs
//   --job-timeout S            MPI4JS_TEST_JOB_TIMEOUT   (600) overall limit per job (all restarts)
//   --total-timeout S          MPI4JS_TEST_TOTAL_TIMEOUT (840) limit for the whole run: jobs not
//                                                         finished by then fail (CI allows 20 min)
//   --grep REGEX               MPI4JS_TEST_GREP          only tests whose full title matches
//   --results DIR              MPI4JS_TEST_RESULTS_DIR   where per-rank results and job logs go
//                                                         (default: a fresh dir under os.tmpdir())
//   --keep                     MPI4JS_TEST_KEEP=1        keep the results dir even if all passed
//   --verbose                  MPI4JS_TEST_VERBOSE=1     print each job's stdout/stderr
//   (MPI4JS_TEST_SPECS="glob glob ..." is the same as positional arguments.)
//   Per flavour, environment only (FLAVOUR in capitals, e.g. MPI4JS_ADDON_OPENMPI):
//   MPI4JS_ADDON_<FLAVOUR>=PATH     the addon to test instead of build-<flavour>/Release/mpi4js.node
//   MPI4JS_TEST_LAUNCH_<FLAVOUR>=JSON   the launcher and its flags before -n, as a JSON array, instead of
//                                   ["mpirun.<flavour>", ...] (ci/multihost.sh: a launch across simulated hosts)
//
// What a job gets in its environment
//   MPI4JS_ADDON=<root>/build-<flavour>/Release/mpi4js.node   (the addon loader honours it)
//   MPI4JS_FLAVOUR=openmpi|mpich
//   MPI4JS_TEST_START, MPI4JS_TEST_SKIP, MPI4JS_TEST_EXIT_ZERO=1, MPI4JS_TEST_GREP (rank-runner.mjs)
//   MPI4JS_HARNESS_TAG=<unique>   (used to find and kill leftover processes)
//   Open MPI jobs: mpirun.openmpi --oversubscribe -n N, with OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM)=1.
//   MPICH jobs: mpirun.mpich -n N.
//   Job specs additionally get:
//     MPI4JS_MPIRUN=mpirun.<flavour>
//     MPI4JS_MPIRUN_ARGS=<JSON array of extra launcher flags, e.g. ["--oversubscribe"]>
//   so a job spec runs `[$MPI4JS_MPIRUN, ...JSON.parse($MPI4JS_MPIRUN_ARGS), '-n', N, ...]`
//   (test/harness/mpirun.mjs does exactly that, with a timeout).
//
// Hangs and crashes
//   If no rank writes a new event for --hang seconds (also before the first test, e.g. a hang in
//   MPI_Init), the launcher's process group and every process carrying the job's tag are killed.
//   The test in flight (the earliest one any rank is in) fails with "timed out after S s
//   (deadlock?) on ranks ...". If a rank dies (the job ends while some rank has not finished), the
//   test it was in fails with "rank R exited with code C" / "rank R died", the job's exit code and
//   the tail of its output (a rank that exited by itself is blamed before ranks the launcher killed).
//   A hang or death between tests (in a before/after-all hook) is blamed on the next test, which
//   never started. The job then restarts with MPI4JS_TEST_START = the first test some rank had not
//   finished (normally the blamed test + 1) and MPI4JS_TEST_SKIP = the tests blamed so far, and so
//   on until all tests are done; results of tests that were cut short are discarded and rerun.
//   A non-zero exit after every rank finished (e.g. a crash in MPI_Finalize) is a failure of the
//   job itself ("<flavour> n=N (exit)"), and so is a failure to start or to load the specs.
//
// Merging: a test passes only if it passed on every rank, fails if it failed on any (the message
// names the ranks and their errors), and is skipped if it was skipped on every rank; passing on
// some ranks and being skipped on others is a failure (the ranks would diverge in MPI calls).
// A failing mocha hook counts as one failure (and, with mocha >= 11.8, so does each test it
// kept from running).
//
// Output: a summary line per job, one "FAIL <key>: <message>" line per failure (key = flavour +
// world size, or "job", + the test's full title), and as the very last line
// "N passed, N failed" (+ ", N skipped" when some were skipped). Exit code 1 if anything failed or
// no test ran.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { newTag, killTagged, killGroup, sleep } from './procs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const rankRunner = path.join(here, 'rank-runner.mjs');
const TAG_VAR = 'MPI4JS_HARNESS_TAG';
const POLL_MS = 100;

// ---------------------------------------------------------------------------------------------
// options

function parseOptions(argv) {
  const env = process.env;
  const o = {
    flavours: (env.MPI4JS_TEST_FLAVOURS || 'openmpi,mpich'),
    sizes: (env.MPI4JS_TEST_SIZES || '1,2,3,4'),
    np8: env.MPI4JS_TEST_NP8 !== '0',
    spmd: env.MPI4JS_TEST_SPMD !== '0',
    job: env.MPI4JS_TEST_JOB !== '0',
    hang: Number(env.MPI4JS_TEST_HANG_SECONDS || 60),
    jobHang: Number(env.MPI4JS_TEST_JOB_HANG_SECONDS || 180),
    jobTimeout: Number(env.MPI4JS_TEST_JOB_TIMEOUT || 600),
    totalTimeout: Number(env.MPI4JS_TEST_TOTAL_TIMEOUT || 840),
    grep: env.MPI4JS_TEST_GREP || '',
    results: env.MPI4JS_TEST_RESULTS_DIR || '',
    keep: env.MPI4JS_TEST_KEEP === '1',
    verbose: env.MPI4JS_TEST_VERBOSE === '1',
    specs: env.MPI4JS_TEST_SPECS ? env.MPI4JS_TEST_SPECS.split(/\s+/).filter(Boolean) : [],
  };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) usage(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--flavours': case '--flavour': o.flavours = value(); break;
      case '--sizes': case '--size': o.sizes = value(); break;
      case '--np8': o.np8 = true; break;
      case '--no-np8': o.np8 = false; break;
      case '--no-spmd': o.spmd = false; break;
      case '--no-job': o.job = false; break;
      case '--hang': o.hang = Number(value()); break;
      case '--job-hang': o.jobHang = Number(value()); break;
      case '--job-timeout': o.jobTimeout = Number(value()); break;
      case '--total-timeout': o.totalTimeout = Number(value()); break;
      case '--grep': o.grep = value(); break;
      case '--results': o.results = value(); break;
      case '--keep': o.keep = true; break;
      case '--verbose': case '-v': o.verbose = true; break;
      case '--help': case '-h': usage(); break;
      default:
        if (a.startsWith('-')) usage(`unknown option ${a}`);
        positional.push(a);
    }
  }
  if (positional.length) o.specs = positional;
  o.flavours = o.flavours.split(/[\s,]+/).filter(Boolean);
  for (const f of o.flavours) if (!/^[\w.-]+$/.test(f)) usage(`bad flavour ${f}`);
  o.sizes = o.sizes.split(/[\s,]+/).filter(Boolean).map(Number);
  if (o.sizes.some((n) => !Number.isInteger(n) || n < 1)) usage('sizes must be positive integers');
  if (!(o.hang > 0) || !(o.jobHang > 0) || !(o.jobTimeout > 0) || !(o.totalTimeout > 0)) usage('--hang, --job-hang, --job-timeout and --total-timeout must be positive numbers of seconds');
  return o;
}

function usage(error) {
  const text = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')
    .slice(1).filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n');
  if (error) {
    console.error(`run.mjs: ${error}\n`);
    console.error(text);
    process.exit(2);
  }
  console.log(text);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// spec files: a small glob (*, ?, ** and literal segments), so no dependency is needed

function globToRegExp(segment) {
  let re = '^';
  for (const ch of segment) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[\\^$.+()|{}[\]]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

function expandGlob(pattern, cwd) {
  const abs = path.resolve(cwd, pattern);
  if (!/[*?]/.test(pattern)) return fs.existsSync(abs) ? [abs] : [];
  const parts = abs.split('/').filter(Boolean);
  const out = new Set();
  const walk = (dir, i) => {
    if (i === parts.length) {
      if (fs.existsSync(dir) && fs.statSync(dir).isFile()) out.add(dir);
      return;
    }
    const part = parts[i];
    if (part === '**') {
      walk(dir, i + 1);
      for (const e of readdir(dir)) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(path.join(dir, e.name), i);
      return;
    }
    if (!/[*?]/.test(part)) return walk(path.join(dir, part), i + 1);
    const re = globToRegExp(part);
    for (const e of readdir(dir)) if (re.test(e.name) && (!e.name.startsWith('.') || part.startsWith('.'))) walk(path.join(dir, e.name), i + 1);
  };
  walk('/', 0);
  return [...out].sort();
}

function readdir(dir) {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function findSpecs(o) {
  const defaults = o.specs.length === 0;
  const patterns = defaults ? ['test/spmd/*.spec.mjs', 'test/job/*.spec.mjs'] : o.specs;
  const cwd = defaults ? root : process.cwd();
  const files = new Set();
  for (const p of patterns) {
    const matched = expandGlob(p, cwd);
    if (matched.length === 0 && !defaults) console.log(`warning: no spec file matches ${p}`);
    for (const f of matched) files.add(f);
  }
  const all = [...files].sort();
  const isJob = (f) => path.dirname(f).split(path.sep).includes('job');
  return {
    spmd: o.spmd ? all.filter((f) => !isJob(f)) : [],
    job: o.job ? all.filter(isJob) : [],
  };
}

// ---------------------------------------------------------------------------------------------
// reading a rank's results file incrementally

class EventFile {
  constructor(file) {
    this.file = file;
    this.offset = 0;
    this.partial = '';
    this.events = [];
  }

  // Reads what was appended since the last call; returns the number of new complete events.
  poll() {
    let fd;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return 0;
    }
    let added = 0;
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        this.partial += buf.toString('utf8', 0, n);
      }
    } finally {
      fs.closeSync(fd);
    }
    let nl;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, nl);
      this.partial = this.partial.slice(nl + 1);
      if (!line.trim()) continue;
      try {
        this.events.push(JSON.parse(line));
        added++;
      } catch {
        // a line cut short by a kill: ignore
      }
    }
    return added;
  }
}

// ---------------------------------------------------------------------------------------------
// one attempt = one launch of a job, watched until it ends, hangs or runs out of time

let current = null; // the attempt in progress, for the signal handlers
let keepResults = false; // set when a note points into the results dir
let totalDeadline = Infinity; // the whole run's time limit (set in main)

async function runAttempt({ command, args, env, dir, nRanks, hangMs, deadline, verbose }) {
  fs.rmSync(dir, { recursive: true, force: true }); // rank files are appended to: start clean
  fs.mkdirSync(dir, { recursive: true });
  const tag = newTag('mpi4js-test');
  const outPath = path.join(dir, 'stdout.log');
  const errPath = path.join(dir, 'stderr.log');
  const out = fs.openSync(outPath, 'w');
  const err = fs.openSync(errPath, 'w');
  const files = Array.from({ length: nRanks }, (_, r) => new EventFile(path.join(dir, `rank-${r}.jsonl`)));
  const t0 = Date.now();

  let exit = null;
  let spawnError = null;
  const child = spawn(command, args, { cwd: root, env: { ...env, [TAG_VAR]: tag }, detached: true, stdio: ['ignore', out, err] });
  fs.closeSync(out);
  fs.closeSync(err);
  const exited = new Promise((resolve) => {
    child.on('error', (e) => { spawnError = e; resolve(); });
    child.on('exit', (code, signal) => { exit = { code, signal }; resolve(); });
  });
  current = { child, tag };

  let lastEvent = Date.now();
  let killedFor = null;
  while (exit === null && spawnError === null) {
    await Promise.race([exited, sleep(POLL_MS)]);
    let added = 0;
    for (const f of files) added += f.poll();
    const now = Date.now();
    if (added) lastEvent = now;
    if (exit !== null || spawnError !== null) break;
    if (now - lastEvent > hangMs) killedFor = 'hang';
    else if (now > deadline) killedFor = 'timeout';
    if (killedFor) {
      await stop(child, exited, tag, () => exit !== null || spawnError !== null);
      break;
    }
  }
  await exited;
  current = null;
  // Whatever the launcher left behind (ranks live in process groups of their own) goes now.
  const strays = killTagged(TAG_VAR, tag);
  for (const f of files) f.poll();

  const stdout = readText(outPath);
  const stderr = readText(errPath);
  if (verbose) {
    if (stdout.trim()) process.stdout.write(indent(stdout, `  [${path.basename(dir)} stdout] `));
    if (stderr.trim()) process.stdout.write(indent(stderr, `  [${path.basename(dir)} stderr] `));
  }
  const lingering = [...stderr.matchAll(/rank-runner \(rank (\d+)\): event loop still alive/g)].map((m) => Number(m[1]));
  return {
    lingering,
    ranks: files.map((f) => f.events),
    code: exit ? exit.code : null,
    signal: exit ? exit.signal : null,
    spawnError,
    killedFor,
    strays,
    stdout,
    stderr,
    seconds: (Date.now() - t0) / 1000,
  };
}

// Ends a job: SIGTERM to the launcher's group, then SIGKILL to it and to every tagged process.
async function stop(child, exited, tag, isDone) {
  killGroup(child.pid, 'SIGTERM');
  for (let i = 0; i < 20 && !isDone(); i++) await Promise.race([exited, sleep(100)]);
  killGroup(child.pid, 'SIGKILL');
  killTagged(TAG_VAR, tag);
  for (let i = 0; i < 50 && !isDone(); i++) await Promise.race([exited, sleep(100)]);
}

function onSignal(signal) {
  if (current) {
    killGroup(current.child.pid, 'SIGKILL');
    killTagged(TAG_VAR, current.tag);
  }
  console.log(`run.mjs: interrupted by ${signal}`);
  process.exit(130);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function indent(text, prefix) {
  return text.replace(/\n$/, '').split('\n').map((l) => prefix + l).join('\n') + '\n';
}

function tail(text, lines = 8, chars = 700) {
  const kept = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^[-=*]+$/.test(l));
  let s = kept.slice(-lines).join(' | ');
  if (s.length > chars) s = '…' + s.slice(-chars);
  return s;
}

// ---------------------------------------------------------------------------------------------
// one job = one (flavour, world size, specs), restarted after hangs and crashes until done

function rankList(ranks) {
  return `${ranks.length === 1 ? 'rank' : 'ranks'} ${ranks.join(',')}`;
}

async function runJob({ label, command, argsFor, env, nRanks, o, dir, hang = o.hang }) {
  const t0 = Date.now();
  // The job's own limit, or the whole run's if that comes first.
  const totalFirst = totalDeadline < t0 + o.jobTimeout * 1000;
  const deadline = Math.min(t0 + o.jobTimeout * 1000, totalDeadline);
  const limit = totalFirst ? `total time limit (${o.totalTimeout} s)` : `job timeout (${o.jobTimeout} s)`;
  const tests = new Map(); // index -> { title, byRank: Map(rank -> {status, error}) }
  const hooks = new Map(); // title -> Map(rank -> error)
  const jobFailures = []; // { what, message }
  const skip = new Set(); // tests blamed for a hang or a death: not run again
  const lingering = new Set(); // ranks whose event loop stayed alive after their tests
  let titles = null; // from the first 'plan'
  let start = 0;
  let restarts = 0;

  const record = (rank, ev) => {
    if (ev.hook || ev.index < 0) {
      if (!hooks.has(ev.title)) hooks.set(ev.title, new Map());
      hooks.get(ev.title).set(rank, ev.error || 'failed');
      return;
    }
    const t = testEntry(ev.index, ev.title);
    const prev = t.byRank.get(rank);
    if (prev && prev.status === 'fail') return; // a failure sticks (e.g. done() called twice)
    t.byRank.set(rank, { status: ev.event, error: ev.error });
  };
  const testEntry = (index, title) => {
    if (!tests.has(index)) tests.set(index, { title, byRank: new Map() });
    return tests.get(index);
  };

  for (let attempt = 0; ; attempt++) {
    const attemptDir = path.join(dir, `attempt-${attempt}`);
    const a = await runAttempt({
      command,
      args: argsFor(attemptDir),
      env: {
        ...env,
        MPI4JS_TEST_START: String(start),
        MPI4JS_TEST_SKIP: [...skip].filter((i) => i > start).sort((x, y) => x - y).join(','),
        MPI4JS_TEST_EXIT_ZERO: '1',
        MPI4JS_TEST_GREP: o.grep,
      },
      dir: attemptDir,
      nRanks,
      hangMs: hang * 1000,
      deadline,
      verbose: o.verbose,
    });
    for (const r of a.lingering) lingering.add(r);
    if (a.spawnError) {
      jobFailures.push({ what: '(launch)', message: `cannot run ${command}: ${a.spawnError.message}` });
      break;
    }

    // Per-rank state of this attempt. `progress` = the test a rank was in, else the next one it
    // would have started: every test before it is finished on that rank.
    const st = a.ranks.map((events, rank) => {
      const s = { rank, events, ended: false, plan: null, exitCode: null, inFlight: null, maxIndex: start - 1 };
      for (const ev of events) {
        if (ev.event === 'plan') s.plan = ev;
        else if (ev.event === 'end') s.ended = true;
        else if (ev.event === 'exit') s.exitCode = ev.code;
        else if (ev.event === 'start') s.inFlight = { index: ev.index, title: ev.title };
        else if (isResult(ev) && !ev.hook && s.inFlight && s.inFlight.index === ev.index) s.inFlight = null;
        if (typeof ev.index === 'number' && !ev.hook && ev.index > s.maxIndex) s.maxIndex = ev.index;
      }
      if (s.ended) s.inFlight = null;
      s.progress = s.inFlight ? s.inFlight.index : s.maxIndex + 1;
      return s;
    });
    const plans = st.filter((s) => s.plan);
    if (!titles && plans.length) titles = plans[0].plan.titles || null;
    const totals = [...new Set(plans.map((s) => s.plan.total))];
    if (totals.length > 1 && !jobFailures.some((f) => f.what === '(plan)')) {
      jobFailures.push({
        what: '(plan)',
        message: `ranks disagree on the list of tests (${plans.map((s) => `rank ${s.rank}: ${s.plan.total}`).join(', ')}); SPMD specs must define the same tests on every rank`,
      });
    }
    const total = plans.length ? Math.max(...totals) : null;
    const unfinished = st.filter((s) => !s.ended);
    const exitText = a.signal ? `signal ${a.signal}` : `exit code ${a.code}`;
    const errTail = tail(a.stderr) || tail(a.stdout); // MPICH reports a bad termination on stdout
    const withTail = (msg) => (errTail ? `${msg}; output: ${errTail}` : msg);
    const recordAll = (keep = () => true) => {
      for (const s of st) for (const ev of s.events) if (isResult(ev) && keep(ev.index)) record(s.rank, ev);
    };

    // Every rank finished its tests.
    if (unfinished.length === 0) {
      recordAll();
      if (a.killedFor) {
        const still = st.filter((s) => s.exitCode === null).map((s) => s.rank);
        jobFailures.push({
          what: '(exit)',
          message: withTail(`all ranks finished their tests but the job did not end (${a.killedFor === 'hang' ? `killed after ${hang} s` : limit}; ${still.length ? `${rankList(still)} never exited` : 'the launcher hung'})`),
        });
      } else if (a.code !== 0) {
        jobFailures.push({ what: '(exit)', message: withTail(`all ranks finished their tests but the job ended with ${exitText}`) });
      }
      break;
    }

    // Something was cut short: find the test to blame (c) and the ranks in it.
    let c;
    let ranksIn;
    let message;
    const inFlight = unfinished.filter((s) => s.inFlight);
    if (inFlight.length) {
      // A rank that exited by itself is the likely cause of a death; otherwise the earliest test.
      const selfExited = inFlight.filter((s) => s.exitCode !== null);
      const pool = !a.killedFor && selfExited.length ? selfExited : inFlight;
      c = Math.min(...pool.map((s) => s.inFlight.index));
      ranksIn = inFlight.filter((s) => s.inFlight.index === c).map((s) => s.rank);
      // Ranks that exited by themselves (process.exit, an uncaught error) say so in any case.
      const exited = ranksIn.filter((r) => st[r].exitCode !== null);
      const running = ranksIn.filter((r) => st[r].exitCode === null);
      const parts = exited.map((r) => `rank ${r} exited with code ${st[r].exitCode}`);
      if (running.length) {
        if (a.killedFor === 'hang') parts.unshift(`timed out after ${hang} s (deadlock?) on ${rankList(running)}`);
        else if (a.killedFor === 'timeout') parts.unshift(`${limit} reached while ${rankList(running)} ran it`);
        else parts.push(`${rankList(running)} died`);
      }
      const others = st.filter((s) => s.exitCode !== null && !s.ended && !ranksIn.includes(s.rank))
        .map((s) => `rank ${s.rank} exited with code ${s.exitCode}${s.inFlight ? ` in "${s.inFlight.title}"` : ''}`);
      message = `${parts.join(', ')}${a.killedFor ? '' : ` (job ${exitText})`}${others.length ? `; also ${others.join(', ')}` : ''}`;
      if (!a.killedFor || exited.length) message = withTail(message);
    } else if (unfinished.some((s) => !s.plan)) {
      // Some rank never got its specs loaded: it hung or died while starting (MPI_Init? an import?).
      const silent = unfinished.filter((s) => !s.plan).map((s) => s.rank);
      const how = a.killedFor === 'hang' ? `were silent for ${hang} s` : a.killedFor === 'timeout' ? `hit the ${limit}` : `ended (job ${exitText})`;
      if (a.killedFor === 'timeout' && start > 0) jobFailures.push({ what: '(timeout)', message: `${limit}: tests from #${start} on were not run` });
      else jobFailures.push({ what: '(startup)', message: withTail(`${rankList(silent)} ${how} before loading the specs`) });
      recordAll((i) => i < Math.min(...unfinished.map((s) => s.progress)));
      break;
    } else {
      // Between tests (a before/after-all hook) or after the last test (exiting).
      c = Math.min(...unfinished.map((s) => s.progress));
      while (skip.has(c)) c++;
      ranksIn = unfinished.map((s) => s.rank);
      const how = a.killedFor === 'hang' ? `timed out after ${hang} s` : a.killedFor === 'timeout' ? `hit the ${limit}` : `ended (job ${exitText})`;
      if (total === null || c >= total) {
        recordAll();
        jobFailures.push({ what: '(after the last test)', message: withTail(`${rankList(ranksIn)} ${how} after their last test`) });
        break;
      }
      message = withTail(`${rankList(ranksIn)} ${how} before this test started (in a before/after-all hook?)`);
    }

    // Keep what every rank finished (before `resume`) and everything about c; blame c; go on
    // from `resume` with c skipped.
    const resume = Math.min(...unfinished.map((s) => s.progress));
    recordAll((i) => i < resume || i === c);
    const t = testEntry(c, (titles && titles[c]) || inFlight.find((s) => s.inFlight.index === c)?.inFlight.title || `test #${c}`);
    for (const r of ranksIn) t.byRank.set(r, { status: 'fail', error: message });
    skip.add(c);

    const notRun = () => `${limit}: tests from #${resume} on were not run`;
    if (a.killedFor === 'timeout' || Date.now() > deadline) {
      if (total !== null && resume < total) jobFailures.push({ what: '(timeout)', message: notRun() });
      break;
    }
    // Start after the blamed tests where they come first, so that MPI4JS_TEST_SKIP only matters
    // when the restart must go back before them (a launcher that does not pass it on still works
    // in the usual case).
    let next = resume;
    while (skip.has(next)) next++;
    if (total !== null && next >= total) break;
    start = next;
    restarts++;
  }

  if (lingering.size) {
    keepResults = true;
    console.log(`note: ${label}: something kept the event loop of ${rankList([...lingering].sort((x, y) => x - y))} alive after the tests (a timer or handle left open?); they were made to exit (see stderr.log in ${dir})`);
  }
  return summarize({ label, nRanks, tests, hooks, jobFailures, restarts, seconds: (Date.now() - t0) / 1000 });
}

function isResult(ev) {
  return ev.event === 'pass' || ev.event === 'fail' || ev.event === 'pending';
}

// Merges the ranks' results into pass/fail/skip per test and prints the job's lines.
function summarize({ label, nRanks, tests, hooks, jobFailures, restarts, seconds }) {
  const failures = [];
  let passed = 0;
  let skipped = 0;
  const allRanks = Array.from({ length: nRanks }, (_, r) => r);
  for (const index of [...tests.keys()].sort((x, y) => x - y)) {
    const t = tests.get(index);
    const by = (status) => allRanks.filter((r) => t.byRank.get(r)?.status === status);
    const failed = by('fail');
    if (failed.length) {
      failures.push({ key: `${label} › ${t.title}`, message: groupErrors(failed.map((r) => [r, t.byRank.get(r).error]), nRanks) });
    } else if (by('pass').length === nRanks) {
      passed++;
    } else if (by('pending').length === nRanks) {
      skipped++;
    } else {
      const parts = [];
      if (by('pass').length) parts.push(`passed on ${rankList(by('pass'))}`);
      if (by('pending').length) parts.push(`skipped on ${rankList(by('pending'))}`);
      const missing = allRanks.filter((r) => !t.byRank.has(r));
      if (missing.length) parts.push(`no result from ${rankList(missing)}`);
      failures.push({ key: `${label} › ${t.title}`, message: `${parts.join(', ')} (every rank must pass, or every rank skip)` });
    }
  }
  for (const [title, byRank] of hooks) {
    failures.push({ key: `${label} › ${title}`, message: groupErrors([...byRank].sort((x, y) => x[0] - y[0]), nRanks) });
  }
  for (const f of jobFailures) failures.push({ key: `${label} ${f.what}`, message: f.message });

  for (const f of failures) console.log(`FAIL ${f.key}: ${f.message}`);
  const extra = restarts ? `, ${restarts} restart${restarts > 1 ? 's' : ''}` : '';
  console.log(`${label}: ${passed} passed, ${failures.length} failed${skipped ? `, ${skipped} skipped` : ''} (${seconds.toFixed(1)} s${extra})`);
  return { passed, failed: failures.length, skipped };
}

// "rank 1: msg" / "ranks 0,2: msg; rank 3: other msg" (just "msg" in a 1-process job)
function groupErrors(pairs, nRanks) {
  const groups = new Map();
  for (const [rank, error] of pairs) {
    const msg = oneLine(error);
    if (!groups.has(msg)) groups.set(msg, []);
    groups.get(msg).push(rank);
  }
  if (nRanks === 1) return [...groups.keys()].join('; ');
  return [...groups].map(([msg, ranks]) => `${rankList(ranks)}: ${msg}`).join('; ');
}

// An error text (message + stack lines) as one line: the message, then where it was thrown.
function oneLine(error) {
  const lines = String(error || 'failed').split('\n').map((l) => l.trim()).filter(Boolean);
  const frames = lines.filter((l) => l.startsWith('at '));
  const message = lines.filter((l) => !l.startsWith('at ')).join(' ').replace(/\s+/g, ' ');
  const where = frames.find((f) => !/node_modules|\(node:|at node:/.test(f));
  let s = message.length > 800 ? message.slice(0, 800) + '…' : message;
  if (where) {
    const loc = /\(([^)]+)\)$/.exec(where)?.[1] ?? where.slice(3);
    s += ` (at ${loc.replace(/^file:\/\//, '').replace(root + '/', '')})`;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// main

const o = parseOptions(process.argv.slice(2));
const specs = findSpecs(o);
const resultsDir = o.results ? path.resolve(o.results) : fs.mkdtempSync(path.join(os.tmpdir(), 'mpi4js-test-'));
fs.mkdirSync(resultsDir, { recursive: true });
const t0 = Date.now();
totalDeadline = t0 + o.totalTimeout * 1000;
const totals = { passed: 0, failed: 0, skipped: 0 };
// A job that cannot start because the run is out of time counts as one failure.
const outOfTime = (label) => {
  if (Date.now() < totalDeadline) return false;
  console.log(`FAIL ${label} (not run): the total time limit (${o.totalTimeout} s) was reached`);
  totals.failed++;
  return true;
};
const add = (r) => {
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped;
};

if (specs.spmd.length + specs.job.length === 0) console.log('no spec files found');
const np8Specs = specs.spmd.filter((f) => path.basename(f).includes('.np8.'));

function parseLaunch(json, name) {
  let words;
  try {
    words = JSON.parse(json);
  } catch (e) {
    usage(`${name} is not JSON: ${e.message}`);
  }
  if (!Array.isArray(words) || words.length === 0 || words.some((w) => typeof w !== 'string')) {
    usage(`${name} must be a JSON array of strings: the launcher, then its flags`);
  }
  return words;
}

for (const flavour of o.flavours) {
  const FLAVOUR = flavour.toUpperCase();
  const [mpirun, ...launcherFlags] = process.env[`MPI4JS_TEST_LAUNCH_${FLAVOUR}`]
    ? parseLaunch(process.env[`MPI4JS_TEST_LAUNCH_${FLAVOUR}`], `MPI4JS_TEST_LAUNCH_${FLAVOUR}`)
    : [`mpirun.${flavour}`, ...(flavour === 'openmpi' ? ['--oversubscribe'] : [])];
  const addon = process.env[`MPI4JS_ADDON_${FLAVOUR}`] || path.join(root, `build-${flavour}`, 'Release', 'mpi4js.node');
  if (!fs.existsSync(addon)) console.log(`note: ${path.relative(root, addon)} does not exist (is the addon built for ${flavour}?)`);
  const env = { ...process.env, MPI4JS_ADDON: addon, MPI4JS_FLAVOUR: flavour };
  if (flavour === 'openmpi') Object.assign(env, { OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' });
  // Do not let a launcher's rank variables leak into jobs (e.g. if this script runs under mpirun).
  for (const k of Object.keys(env)) if (/^(OMPI_COMM_WORLD_|PMI_|PMIX_RANK)/.test(k)) delete env[k];

  const jobs = [];
  if (specs.spmd.length) for (const n of o.sizes) jobs.push({ n, files: specs.spmd });
  if (o.np8 && np8Specs.length && !o.sizes.includes(8)) jobs.push({ n: 8, files: np8Specs });
  for (const { n, files } of jobs) {
    if (outOfTime(`${flavour} n=${n}`)) continue;
    add(await runJob({
      label: `${flavour} n=${n}`,
      command: mpirun,
      argsFor: (dir) => [...launcherFlags, '-n', String(n), process.execPath, rankRunner, dir, ...files],
      env,
      nRanks: n,
      o,
      dir: path.join(resultsDir, `${flavour}-n${n}`),
    }));
  }

  if (specs.job.length && !outOfTime(`${flavour} job`)) {
    add(await runJob({
      label: `${flavour} job`,
      command: process.execPath,
      argsFor: (dir) => [rankRunner, dir, ...specs.job],
      env: { ...env, MPI4JS_MPIRUN: mpirun, MPI4JS_MPIRUN_ARGS: JSON.stringify(launcherFlags) },
      nRanks: 1,
      o,
      hang: o.jobHang,
      dir: path.join(resultsDir, `${flavour}-job`),
    }));
  }
}

const ran = totals.passed + totals.failed;
if (ran === 0) console.log('no test ran');
if (totals.failed > 0 || ran === 0 || o.keep || keepResults) {
  console.log(`per-rank results and job logs: ${resultsDir} (${((Date.now() - t0) / 1000).toFixed(1)} s in all)`);
} else {
  fs.rmSync(resultsDir, { recursive: true, force: true });
  console.log(`all jobs done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exitCode = totals.failed > 0 || ran === 0 ? 1 : 0;
