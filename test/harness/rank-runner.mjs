// What every rank of an SPMD test job runs:
//
//   mpirun -n N node test/harness/rank-runner.mjs <results-dir> <spec files...>
//
// It runs the spec files with mocha (programmatically) and appends one JSON object per line to
// <results-dir>/rank-<r>.jsonl, written synchronously so that a rank that is killed or dies leaves
// everything it did behind. Events, in order:
//
//   {event:'hello', rank, size, pid}                  as soon as the process starts
//   {event:'plan', total, start, titles}              after the spec files loaded (total = number of
//                                                     tests, titles = their full titles by index)
//   {event:'start', index, title}                     before each test
//   {event:'pass'|'fail'|'pending', index, title, error?}  after each test (static skips have no 'start')
//   {event:'fail', index, title, error, hook:true}    a failing mocha hook (title = the hook's full title)
//   {event:'end', failures}                           when mocha has finished
//   {event:'exit', code}                              from process.on('exit') (not after a kill)
//
// `title` is the test's full title (suite path + test title); `index` is the test's position in the
// deterministic order of all tests of all spec files (the order mocha runs them in), identical on
// every rank as long as the specs define the same tests everywhere. `error` is the message plus the
// first lines of the stack. A spec file that fails to load gives {event:'fail', index:-1,
// title:'loading <file>', ...} followed by 'end', and nothing is run.
//
// The rank comes from the launcher's environment (OMPI_COMM_WORLD_RANK for Open MPI, PMI_RANK for
// MPICH, PMIX_RANK, else 0), never from mpi4js, so the runner works without the addon.
//
// Environment:
//   MPI4JS_TEST_START=K        skip (do not run, do not report) the tests with index < K: the
//                              orchestrator resumes a job after a hung or crashed test this way.
//   MPI4JS_TEST_SKIP=I,J,...   also skip (silently) the tests with these indices: tests the
//                              orchestrator already blamed for a hang or a crash.
//   MPI4JS_TEST_GREP=REGEX     run only the tests whose full title matches (mocha's grep).
//   MPI4JS_TEST_TIMEOUT=MS     mocha's per-test timeout (default 20000).
//   MPI4JS_TEST_EXIT_ZERO=1    exit 0 even when tests failed (the orchestrator sets this, so that a
//                              non-zero exit always means something went wrong outside the tests).
//
// Exit: the process is left to end naturally (so the addon's cleanup hook finalizes MPI); if
// something keeps the event loop alive after the run, the runner says what on stderr, unrefs the
// remaining handles and, 3 s later, as a last resort calls process.exit().

import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

const [resultsDir, ...specs] = process.argv.slice(2);
if (!resultsDir || specs.length === 0) {
  console.error('usage: node test/harness/rank-runner.mjs <results-dir> <spec files...>');
  process.exit(2);
}

function envInt(...names) {
  for (const name of names) {
    const v = process.env[name];
    if (v !== undefined && v !== '' && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}

const rank = envInt('OMPI_COMM_WORLD_RANK', 'PMI_RANK', 'PMIX_RANK') ?? 0;
const size = envInt('OMPI_COMM_WORLD_SIZE', 'PMI_SIZE') ?? 1;
const start = envInt('MPI4JS_TEST_START') ?? 0;
const timeout = envInt('MPI4JS_TEST_TIMEOUT') ?? 20000;
const skip = new Set((process.env.MPI4JS_TEST_SKIP || '').split(',').filter((x) => /^\d+$/.test(x)).map(Number));

fs.mkdirSync(resultsDir, { recursive: true });
const fd = fs.openSync(path.join(resultsDir, `rank-${rank}.jsonl`), 'a');
function emit(obj) {
  fs.writeSync(fd, JSON.stringify(obj) + '\n');
}

function describeError(err) {
  if (err === undefined || err === null) return String(err);
  if (typeof err !== 'object') return String(err);
  const message = err.message !== undefined ? String(err.message) : String(err);
  const name = err.name && err.name !== 'Error' && !message.startsWith(err.name) ? `${err.name}: ` : '';
  const frames = typeof err.stack === 'string'
    ? err.stack.split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 4).map((l) => l.trim())
    : [];
  const text = [name + message, ...frames].join('\n');
  return text.length > 4000 ? text.slice(0, 4000) + '…' : text;
}

emit({ event: 'hello', rank, size, pid: process.pid });
// A rank that exits by itself (process.exit(), an uncaught error) says so; one killed by a signal cannot.
process.on('exit', (code) => emit({ event: 'exit', code }));

const mocha = new Mocha({ timeout, reporter: NullReporter, failHookAffectedTests: true });
if (process.env.MPI4JS_TEST_GREP) mocha.grep(new RegExp(process.env.MPI4JS_TEST_GREP));
for (const spec of specs) mocha.addFile(path.resolve(spec));

// Mocha wants a reporter class; the events are handled by the listeners below.
function NullReporter(runner) {
  Mocha.reporters.Base.call(this, runner);
}

let loaded = true;
let loading = specs[0];
mocha.suite.on(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, (context, file) => { loading = file; });
try {
  await mocha.loadFilesAsync();
} catch (err) {
  loaded = false;
  emit({ event: 'fail', index: -1, title: `loading ${path.basename(loading)}`, error: describeError(err) });
  emit({ event: 'end', failures: 1 });
  process.exitCode = process.env.MPI4JS_TEST_EXIT_ZERO === '1' ? 0 : 1;
  // Node's ESM loader can reject the same error once more for another module importing the
  // failed one; it is already reported.
  process.on('unhandledRejection', (e) => process.stderr.write(`rank-runner: (after the load failure) ${e && e.message ? e.message : e}\n`));
}

if (loaded) {
  // Number all tests in the order mocha runs them: a suite's own tests, then its child suites.
  const indexOf = new Map();
  const titles = [];
  let total = 0;
  (function number(suite) {
    for (const test of suite.tests) {
      indexOf.set(test, total++);
      titles.push(test.fullTitle());
    }
    for (const child of suite.suites) number(child);
  })(mocha.suite);

  // Resume: drop the tests before `start` and those in `skip` (suites left empty are skipped by
  // mocha together with their hooks).
  if (start > 0 || skip.size > 0) {
    const keep = (t) => indexOf.get(t) >= start && !skip.has(indexOf.get(t));
    (function prune(suite) {
      suite.tests = suite.tests.filter(keep);
      if (Array.isArray(suite._onlyTests)) suite._onlyTests = suite._onlyTests.filter(keep);
      for (const child of suite.suites) prune(child);
    })(mocha.suite);
  }

  const testIndex = (test) => {
    const original = (typeof test.retriedTest === 'function' && test.retriedTest()) || test;
    return indexOf.get(original) ?? indexOf.get(test) ?? -1;
  };
  // A hook's index: the test it ran for, else the first (before) or last (after) test of its suite.
  const hookIndex = (hook) => {
    const current = hook.ctx && hook.ctx.currentTest;
    if (current && indexOf.has(current)) return testIndex(current);
    const indices = [];
    (function collect(suite) {
      for (const t of suite.tests) indices.push(indexOf.get(t));
      for (const child of suite.suites) collect(child);
    })(hook.parent || mocha.suite);
    if (indices.length === 0) return -1;
    return /after/i.test(hook.title) ? Math.max(...indices) : Math.min(...indices);
  };

  emit({ event: 'plan', total, start, titles });

  const { constants } = Mocha.Runner;
  const runner = mocha.run((failures) => {
    emit({ event: 'end', failures });
    process.exitCode = failures > 0 && process.env.MPI4JS_TEST_EXIT_ZERO !== '1' ? 1 : 0;
    ensureExit();
  });
  runner.on(constants.EVENT_TEST_BEGIN, (test) => {
    emit({ event: 'start', index: testIndex(test), title: test.fullTitle() });
  });
  runner.on(constants.EVENT_TEST_PASS, (test) => {
    emit({ event: 'pass', index: testIndex(test), title: test.fullTitle() });
  });
  runner.on(constants.EVENT_TEST_PENDING, (test) => {
    emit({ event: 'pending', index: testIndex(test), title: test.fullTitle() });
  });
  runner.on(constants.EVENT_TEST_FAIL, (runnable, err) => {
    if (runnable.type === 'hook') {
      emit({ event: 'fail', index: hookIndex(runnable), title: runnable.fullTitle(), error: describeError(err), hook: true });
    } else {
      emit({ event: 'fail', index: testIndex(runnable), title: runnable.fullTitle(), error: describeError(err) });
    }
  });
}

// Let the process end by itself (the addon finalizes MPI in its cleanup hook, which process.exit()
// would skip). If a test left something keeping the event loop alive, say so, unref it, and as a
// last resort exit anyway: everything has already been written synchronously.
function ensureExit() {
  const grace = setTimeout(() => {
    let resources = [];
    try { resources = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap'); } catch { /* old node */ }
    process.stderr.write(`rank-runner (rank ${rank}): event loop still alive 3 s after the tests ended (${resources.join(', ')}); unref'ing handles\n`);
    try {
      for (const h of process._getActiveHandles()) if (typeof h.unref === 'function') h.unref();
    } catch { /* best effort */ }
    setTimeout(() => {
      process.stderr.write(`rank-runner (rank ${rank}): still alive; calling process.exit()\n`);
      process.exit();
    }, 3000).unref();
  }, 3000);
  grace.unref();
}
