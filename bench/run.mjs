#!/usr/bin/env node
// `npm run bench`: runs the suite of bench/ in mpi4js, C and mpi4py under one MPI, interleaved over several rounds,
// and prints the medians with the ratios mpi4js/C and mpi4js/mpi4py per case; saves them as JSON and plots them.
//
//   npm run bench -- [--mpi openmpi|mpich] [--quick] [--ranks N] [--rounds N] [CASE...]
//
// CASE is any of latency bare bw bibw bcast allreduce gather alltoall object await floor memory (default: all).
// Each round runs every case once per implementation, the implementations in a rotated order, so that all three see
// the same machine load over the run; a ratio is the median over the rounds of the ratio measured within each round.
// MPI4JS_ADDON=path uses that addon instead of building one into build-bench-<mpi>/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { plot } from './plot.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const KiB = 1024;
const MiB = 1024 * KiB;

// ---- What is measured, and how long ------------------------------------------------------------------------------

const LATENCY_SIZES = [8, 64, 512, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB, 16 * MiB];
const BANDWIDTH_SIZES = [8, KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB];
const COLLECTIVE_SIZES = [8, 64, KiB, 16 * KiB, 128 * KiB, MiB, 8 * MiB];
const QUICK_SIZES = {
  latency: [8, KiB, 64 * KiB, MiB], bandwidth: [KiB, MiB], collective: [8, 64 * KiB, 8 * MiB],
};
const clamp = (x, lo, hi) => Math.max(lo, Math.min(hi, Math.floor(x)));

// Each case: its sizes, the iterations at a size (the same for every implementation), its unit, and the
// implementations that do not run it.
const CASES = {
  latency: { sizes: 'latency', iterations: (b) => clamp(2 ** 28 / b, 10, 20000), unit: 'us' },
  // The least a blocking ping-pong costs through Node-API (bench/napi-floor.c): what the latency target is up against.
  // Right after latency, so that it runs on the machine that C's latency just ran on (cases run in this order).
  bare: { sizes: [8], iterations: () => 20000, unit: 'us', skip: ['c', 'mpi4py'] },
  bw: { sizes: 'bandwidth', iterations: (b) => clamp(2 ** 29 / (64 * b), 3, 1000), unit: 'MB/s' },
  bibw: { sizes: 'bandwidth', iterations: (b) => clamp(2 ** 29 / (64 * b), 3, 1000), unit: 'MB/s' },
  bcast: { sizes: 'collective', iterations: (b) => clamp(2 ** 29 / b, 50, 10000), unit: 'us' },
  allreduce: { sizes: 'collective', iterations: (b) => clamp(2 ** 29 / b, 50, 10000), unit: 'us' },
  gather: { sizes: 'collective', iterations: (b) => clamp(2 ** 29 / b, 50, 10000), unit: 'us' },
  alltoall: { sizes: 'collective', iterations: (b) => clamp(2 ** 29 / b, 50, 10000), unit: 'us' },
  object: { sizes: [0], iterations: () => 20000, unit: 'us', skip: ['c'] }, // C has no values to send
  await: { sizes: [8], iterations: () => 20000, unit: 'us' },
  // The least an awaited ping-pong costs in Node (bench/mpi4js.mjs): what the await target is up against.
  floor: { sizes: [8], iterations: () => 20000, unit: 'us', skip: ['c', 'mpi4py'] },
};
const SIZE_LISTS = { latency: LATENCY_SIZES, bandwidth: BANDWIDTH_SIZES, collective: COLLECTIVE_SIZES };

function pointsOf(name, quick) {
  const spec = CASES[name];
  const sizes = Array.isArray(spec.sizes) ? spec.sizes : quick ? QUICK_SIZES[spec.sizes] : SIZE_LISTS[spec.sizes];
  return sizes.map((bytes) => {
    const iterations = quick ? Math.max(3, Math.floor(spec.iterations(bytes || 8) / 10)) : spec.iterations(bytes || 8);
    return { bytes, iterations, warmup: Math.max(1, Math.floor(iterations / 10)) };
  });
}

// ---- Options -----------------------------------------------------------------------------------------------------

function parseOptions(argv) {
  const options = { mpi: null, quick: false, ranks: 2, rounds: null, cases: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--mpi') options.mpi = value();
    else if (arg === '--ranks') options.ranks = Number(value());
    else if (arg === '--rounds') options.rounds = Number(value());
    else if (arg === '--help' || arg === '-h') usage();
    else if (arg in CASES || arg === 'memory') options.cases.push(arg);
    else usage(`unknown option or case: ${arg}`);
  }
  if (options.mpi !== null && !['openmpi', 'mpich'].includes(options.mpi)) usage('--mpi must be openmpi or mpich');
  if (!Number.isInteger(options.ranks) || options.ranks < 2) usage('--ranks must be an integer of at least 2');
  options.rounds ??= options.quick ? 1 : 5;
  if (!Number.isInteger(options.rounds) || options.rounds < 1) usage('--rounds must be a positive integer');
  if (options.cases.length === 0) options.cases = [...Object.keys(CASES), 'memory'];
  return options;
}

function usage(problem) {
  if (problem) console.error(`bench: ${problem}`);
  console.error('usage: npm run bench -- [--mpi openmpi|mpich] [--quick] [--ranks N] [--rounds N] ' +
    `[${[...Object.keys(CASES), 'memory'].join('|')}...]`);
  process.exit(problem ? 2 : 0);
}

// ---- Setting up: the MPI, the addon, the C program, mpi4py --------------------------------------------------------

function which(command) {
  if (command.includes('/')) return existsSync(command) ? command : null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, command))) return path.join(dir, command);
  }
  return null;
}

function run(command, args, options = {}) {
  return spawnSync(command, args, { encoding: 'utf8', cwd: root, maxBuffer: 64 * MiB, ...options });
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(1);
}

// The compiler wrapper and launcher of a family: Debian's suffixed names, else the plain ones when they are of it.
function findToolchain(wanted) {
  const { findMpi } = require('../scripts/mpi-config.js');
  const families = wanted ? [wanted] : ['openmpi', 'mpich'];
  for (const family of families) {
    for (const [cc, launcher] of [[`mpicc.${family}`, `mpirun.${family}`], ['mpicc', 'mpirun']]) {
      const mpi = which(cc) && which(launcher) ? findMpi(cc) : null;
      if (mpi?.family === family) return { family, wrapper: mpi.wrapper, launcher: which(launcher) };
    }
  }
  fail(`no ${wanted ?? 'MPI'} compiler wrapper and launcher found (mpicc.${wanted ?? 'openmpi'}, mpirun)`);
}

function newestMtime(dir, ext) {
  return Math.max(0, ...readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => statSync(path.join(dir, f)).mtimeMs));
}

// lib/ from src/ when it is missing or older than the sources.
function buildTypeScript() {
  const index = path.join(root, 'lib', 'index.mjs');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(path.join(root, 'src'), '.ts')) return;
  console.log('bench: compiling the TypeScript layer into lib/');
  const tsc = run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json']);
  const wrapper = run(process.execPath, ['scripts/esm-wrapper.js']);
  if (!existsSync(index) || wrapper.status !== 0) fail(`building lib/ failed:\n${tsc.stdout}${tsc.stderr}${wrapper.stderr}`);
}

function buildAddon(toolchain, dir) {
  if (process.env.MPI4JS_ADDON) return path.resolve(process.env.MPI4JS_ADDON);
  console.log(`bench: building the addon against ${toolchain.family} into ${path.relative(root, dir)}/`);
  const build = run(process.execPath, ['scripts/build.js', '--out', dir], {
    env: { ...process.env, MPI4JS_MPICC: toolchain.wrapper },
  });
  const addon = path.join(dir, 'Release', 'mpi4js.node');
  if (build.status !== 0 || !existsSync(addon)) fail(`building the addon failed:\n${build.stdout}${build.stderr}`);
  return addon;
}

function buildC(toolchain, dir) {
  const program = path.join(dir, 'osu');
  const cc = run(toolchain.wrapper, ['-O2', '-o', program, path.join(root, 'bench', 'osu.c')]);
  if (cc.status !== 0) fail(`compiling bench/osu.c failed:\n${cc.stderr}`);
  return program;
}

// The bare N-API send and recv of the `bare` case, a Node-API module in C. Its napi_* symbols are Node's own,
// resolved when Node loads it.
// It only bounds a target: when it cannot be built, the case is skipped, saying why, and the rest runs.
function buildNapiFloor(toolchain, dir) {
  const module = path.join(dir, 'napi-floor.node');
  let headers;
  try {
    headers = require('node-api-headers').include_dir;
  } catch {
    return { skipped: 'the node-api-headers package (installed with cmake-js) was not found' };
  }
  const cc = run(toolchain.wrapper, ['-O2', '-shared', '-fPIC', `-I${headers}`, '-o', module,
    path.join(root, 'bench', 'napi-floor.c')]);
  if (cc.status !== 0) return { skipped: `compiling bench/napi-floor.c failed:\n${cc.stderr}` };
  return { module };
}

// Debian's python3-mpi4py (with NumPy), when it is built against the MPI under test. Installed with apt-get when
// missing and this process may; otherwise skipped, saying why.
function findMpi4py(family) {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : which('python3');
  if (python === null) return { skipped: 'no python3' };
  const probe = () => run(python, ['-c', 'import glob, os, numpy, mpi4py; print(mpi4py.__version__); ' +
    'print(glob.glob(os.path.join(os.path.dirname(mpi4py.__file__), "MPI*.so"))[0])']);
  let found = probe();
  if (found.status !== 0 && process.getuid?.() === 0 && which('apt-get') !== null) {
    console.log("bench: mpi4py is missing: installing Debian's python3-mpi4py and python3-numpy with apt-get");
    const apt = run('apt-get', ['install', '-y', '--no-install-recommends', 'python3-mpi4py', 'python3-numpy'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (apt.status !== 0) console.log(`bench: apt-get failed:\n${apt.stderr.trim()}`);
    found = probe();
  }
  if (found.status !== 0) {
    return { skipped: `mpi4py and NumPy are not installed for ${python} (apt-get install python3-mpi4py python3-numpy)` };
  }
  const [version, extension] = found.stdout.trim().split('\n');
  const { familyOf } = require('../lib/addon.js');
  const built = familyOf(extension);
  if (built !== family) {
    return { skipped: `${python}'s mpi4py ${version} is built against ${built ?? 'another MPI'}, not ${family}` };
  }
  return { python, version };
}

// ---- Running ------------------------------------------------------------------------------------------------------

function launch(setup, command, args, timeoutMs) {
  const { toolchain, options } = setup;
  const flags = toolchain.family === 'openmpi' && options.ranks > os.availableParallelism() ? ['--oversubscribe'] : [];
  // Across hosts, ci/multihost.sh --run gives the launcher and its flags (test/harness/mpirun.mjs's convention).
  const launcher = process.env.MPI4JS_MPIRUN ?? toolchain.launcher;
  const across = process.env.MPI4JS_MPIRUN_ARGS ? JSON.parse(process.env.MPI4JS_MPIRUN_ARGS) : [];
  const result = run(launcher, [...across, ...flags, '-n', String(options.ranks), command, ...args], {
    env: setup.env, timeout: timeoutMs, killSignal: 'SIGTERM',
  });
  if (result.status !== 0) {
    const why = result.error?.code === 'ETIMEDOUT' ? `timed out after ${timeoutMs / 1000} s` : `exit ${result.status}`;
    console.log(`bench: ${path.basename(command)} ${args[0]} failed (${why}):\n${result.stderr.trim().slice(-2000)}`);
    return null;
  }
  return result.stdout;
}

// One implementation's run of one case: value by size, or null when it failed.
function runCase(setup, impl, name) {
  const points = pointsOf(name, setup.options.quick).map((p) => `${p.bytes}:${p.iterations}:${p.warmup}`);
  const [command, ...prefix] = setup.commands[impl];
  const output = launch(setup, command, [...prefix, name, ...points], 600_000);
  if (output === null) return null;
  const values = {};
  for (const line of output.split('\n')) {
    const [got, bytes, value] = line.trim().split(/\s+/);
    if (got === name && Number.isFinite(Number(value))) values[bytes] = Number(value);
  }
  return values;
}

// The memory check: the rise of peak RSS while 1 GiB goes from rank 0 to rank 1 (bench/memory.mjs).
function runMemory(setup) {
  const output = launch(setup, process.execPath, [path.join(root, 'bench', 'memory.mjs')], 600_000);
  const line = output?.split('\n').find((l) => l.startsWith('{'));
  return line ? JSON.parse(line) : null;
}

const median = (xs) => {
  const sorted = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// ---- Reporting ----------------------------------------------------------------------------------------------------

function formatBytes(bytes) {
  if (bytes === 0) return 'value';
  if (bytes >= MiB) return `${bytes / MiB} MiB`;
  if (bytes >= KiB) return `${bytes / KiB} KiB`;
  return `${bytes} B`;
}

const fmt = (x, digits = 3) => (Number.isFinite(x) ? x.toPrecision(digits) : '-');

// Medians per implementation and the medians of the per-round ratios.
function summarize(raw, impls, cases, quick) {
  const rows = [];
  for (const name of cases) {
    for (const { bytes } of pointsOf(name, quick)) {
      const series = Object.fromEntries(impls.map((impl) => [impl, raw[impl]?.[name]?.[bytes] ?? []]));
      const ratioTo = (other) => median(series.mpi4js.map((v, round) => v / series[other]?.[round]));
      rows.push({
        case: name, bytes, unit: CASES[name].unit,
        median: Object.fromEntries(impls.map((impl) => [impl, median(series[impl])])),
        ratioC: impls.includes('c') ? ratioTo('c') : NaN,
        ratioPython: impls.includes('mpi4py') ? ratioTo('mpi4py') : NaN,
      });
    }
  }
  return rows;
}

function targets(rows, raw, memory) {
  const row = (name, bytes) => rows.find((r) => r.case === name && r.bytes === bytes);
  const list = [];
  const add = (name, goal, measured, met) => list.push({ name, goal, measured, met });
  for (const bytes of [8, KiB]) {
    const r = row('latency', bytes);
    if (r && Number.isFinite(r.ratioC)) add(`latency ${formatBytes(bytes)}`, '<= 1.10x C', r.ratioC, r.ratioC <= 1.10);
  }
  // An 8-byte mpi4js case against C's blocking 8-byte latency, round by round; null without both.
  const blocking = raw.c?.latency?.[8];
  const toBlocking = (name) => {
    const values = raw.mpi4js?.[name]?.[8];
    return values && blocking ? median(values.map((v, round) => v / blocking[round])) : null;
  };
  // Not a target: the 8-byte ratio of the thinnest ping-pong through Node-API, no binding around it.
  const bare = toBlocking('bare');
  if (bare !== null) add('(latency floor: bare N-API)', '-', bare, null);
  for (const r of rows.filter((x) => x.case === 'bw' && x.bytes >= MiB && Number.isFinite(x.ratioC))) {
    add(`bw ${formatBytes(r.bytes)}`, '>= 0.97x C', r.ratioC, r.ratioC >= 0.97);
  }
  const all = row('allreduce', 8 * MiB);
  if (all && Number.isFinite(all.ratioC)) add('allreduce 1M doubles', '<= 1.03x C', all.ratioC, all.ratioC <= 1.03);
  const obj = row('object', 0);
  if (obj && Number.isFinite(obj.ratioPython)) {
    add('small value (sendObject vs pickle)', '<= 1.00x mpi4py', obj.ratioPython, obj.ratioPython <= 1);
  }
  // await against C's *blocking* 8-byte latency.
  const awaited = toBlocking('await');
  if (awaited !== null) {
    add('await 8 B', '<= 2x C blocking', awaited, awaited <= 2);
    // Not a target: the same ratio for the cheapest awaited ping-pong Node allows, binding costs left out.
    const floor = toBlocking('floor');
    if (floor !== null) add('(await floor: Node alone)', '-', floor, null);
  }
  const buffers = rows.filter((r) => r.case !== 'object' && Number.isFinite(r.ratioPython));
  if (buffers.length > 0) {
    const slower = buffers.filter((r) => (r.unit === 'MB/s' ? r.ratioPython < 1 : r.ratioPython > 1));
    add('buffer cases faster than mpi4py', 'all', `${buffers.length - slower.length}/${buffers.length}` +
      (slower.length ? ` (not: ${slower.map((r) => `${r.case} ${formatBytes(r.bytes)}`).join(', ')})` : ''),
    slower.length === 0);
  }
  if (memory) {
    add('peak RSS rise, 1 GiB send+recv', '< 0.25 GiB', `${(memory.maxRiseBytes / MiB).toFixed(1)} MiB`,
      memory.maxRiseBytes < 256 * MiB);
  }
  return list;
}

function printTable(rows, impls, setup) {
  const header = ['case', 'size', 'unit', ...impls, ...(impls.includes('c') ? ['mpi4js/C'] : []),
    ...(impls.includes('mpi4py') ? ['mpi4js/mpi4py'] : [])];
  const lines = rows.map((r) => [r.case, formatBytes(r.bytes), r.unit, ...impls.map((i) => fmt(r.median[i], 4)),
    ...(impls.includes('c') ? [fmt(r.ratioC)] : []), ...(impls.includes('mpi4py') ? [fmt(r.ratioPython)] : [])]);
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const show = (cells) => cells.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(`\nmedians of ${setup.options.rounds} round(s), ${setup.options.ranks} ranks, ${setup.library}`);
  console.log('(us: one-way latency or time per call, lower is better; MB/s: higher is better; ratios are medians of ' +
    'per-round ratios)');
  console.log(show(header));
  for (const line of lines) console.log(show(line));
  return [show(header), ...lines.map(show)];
}

// ---- Main ---------------------------------------------------------------------------------------------------------

const options = parseOptions(process.argv.slice(2));
const toolchain = findToolchain(options.mpi);
const buildDir = path.join(root, `build-bench-${toolchain.family}`);
buildTypeScript();
const addon = buildAddon(toolchain, buildDir);
const cProgram = buildC(toolchain, buildDir);
const napiFloor = buildNapiFloor(toolchain, buildDir);
const python = findMpi4py(toolchain.family);
// NumPy asks for transparent huge pages on its large arrays (madvise), which C's malloc and V8's array buffers do
// not get; that alone made mpi4py's 16 MiB ping-pong 1.6x faster than C here. All three get ordinary pages, so that
// the ratios compare the bindings, not the allocators.
const env = { ...process.env, MPI4JS_ADDON: addon, NUMPY_MADVISE_HUGEPAGE: '0' };
if (napiFloor.module) env.MPI4JS_BENCH_NAPI_FLOOR = napiFloor.module;
if (process.getuid?.() === 0) Object.assign(env, { OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' });

const commands = { mpi4js: [process.execPath, path.join(root, 'bench', 'mpi4js.mjs')], c: [cProgram] };
if (python.python) commands.mpi4py = [python.python, path.join(root, 'bench', 'osu.py')];
const impls = Object.keys(commands);
const info = run(process.execPath, ['--input-type=module', '-e',
  "import * as MPI from 'mpi4js'; console.log(MPI.libraryVersion().split('\\n')[0].trim())"], { env });
// "Open MPI v4.1.4" or "MPICH Version: 4.0.2", without the build details that follow.
const library = info.stdout.trim().split(',')[0].replace(/\s+/g, ' ') || toolchain.family;
const setup = { toolchain, options, env, commands, library };

console.log(`bench: ${library}; ${options.ranks} ranks; ${options.rounds} round(s)${options.quick ? ', quick' : ''}`);
console.log(`bench: mpi4js (${path.relative(root, addon)}), C (${path.relative(root, cProgram)}), ` +
  (python.python ? `mpi4py ${python.version} (${python.python})` : `mpi4py skipped: ${python.skipped}`));
const loadBefore = os.loadavg();
const cases = options.cases.filter((name) => name !== 'memory' && !(name === 'bare' && napiFloor.skipped));
if (napiFloor.skipped && options.cases.includes('bare')) console.log(`bench: case bare skipped: ${napiFloor.skipped}`);
const raw = {};
for (let round = 0; round < options.rounds; round++) {
  for (const name of cases) {
    const order = impls.map((_, k) => impls[(k + round) % impls.length]);
    for (const impl of order) {
      if (CASES[name].skip?.includes(impl)) continue;
      const values = runCase(setup, impl, name);
      for (const { bytes } of pointsOf(name, options.quick)) {
        ((raw[impl] ??= {})[name] ??= {})[bytes] ??= [];
        raw[impl][name][bytes][round] = values?.[bytes] ?? NaN;
      }
    }
    process.stdout.write(`\rbench: round ${round + 1}/${options.rounds}: ${name} done${' '.repeat(12)}`);
  }
}
process.stdout.write('\n');
const memory = options.cases.includes('memory') ? runMemory(setup) : null;
const loadAfter = os.loadavg();

const rows = summarize(raw, impls, cases, options.quick);
const table = printTable(rows, impls, setup);
const goals = targets(rows, raw, memory);
console.log('\ntargets:');
for (const t of goals) {
  const measured = typeof t.measured === 'number' ? `${t.measured.toFixed(3)}x` : t.measured;
  const verdict = t.met === null ? '       ' : t.met ? 'met    ' : 'NOT met';
  console.log(`  ${verdict}  ${t.name.padEnd(36)} ${t.goal.padEnd(18)} ${measured}`);
}
if (memory) {
  console.log(`\nmemory: 1 GiB from rank 0 to rank 1 raised peak RSS by ${(memory.sender.riseBytes / MiB).toFixed(1)} MiB ` +
    `(sender) and ${(memory.receiver.riseBytes / MiB).toFixed(1)} MiB (receiver); data ${memory.intact ? 'intact' : 'CORRUPT'}`);
}

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(),
  memoryGiB: Math.round(os.totalmem() / 2 ** 30), kernel: `${os.type()} ${os.release()}`, node: process.version,
  loadBefore: loadBefore.map((x) => +x.toFixed(2)), loadAfter: loadAfter.map((x) => +x.toFixed(2)),
};
const date = new Date().toISOString();
const results = {
  mpi: toolchain.family, library, date, quick: options.quick, ranks: options.ranks, rounds: options.rounds, machine,
  implementations: Object.fromEntries(impls.map((impl) => [impl, impl === 'mpi4py' ? `mpi4py ${python.version}` :
    impl === 'c' ? `C, ${path.basename(toolchain.wrapper)} -O2` : `mpi4js ${require('../package.json').version}`])),
  mpi4pySkipped: python.skipped ?? null, raw, rows, targets: goals, memory, table,
};
const outDir = path.join(root, 'bench', 'results', options.quick ? 'quick' : '');
mkdirSync(outDir, { recursive: true });
// Named by the minute the run ended (UTC), so that a second run on the same day does not replace the first.
const stem = path.join(outDir, `${toolchain.family}-${date.slice(0, 13)}${date.slice(14, 16)}`);
writeFileSync(`${stem}.json`, `${JSON.stringify(results, null, 1)}\n`);
console.log(`\nbench: results in ${path.relative(root, stem)}.json`);
const image = plot(results, `${stem}.png`);
console.log(image.ok ? `bench: plot in ${path.relative(root, image.file)}` : `bench: no plot: ${image.why}`);
