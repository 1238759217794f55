#!/usr/bin/env node
// Instructions per blocking send + recv pair (8 bytes, to itself on one rank), in mpi4js and in C, counted by
// valgrind's callgrind. Unlike a timing on a shared machine, the count is the same from one run to the next, so it
// shows what a change to the hot path saves. Each program runs twice, with FEW and MANY pairs after the same warm-up;
// the difference of the totals divided by MANY - FEW is the count per pair, start-up cancelled out.
//
//   node bench/instructions.mjs [--few N] [--many N]
//
// Open MPI only: under MPICH, a blocking send to oneself in a 1-rank world waits for a receive that is never posted.
//
// It uses the addon and the C program that `npm run bench -- --mpi X` built into build-bench-X/ (or MPI4JS_ADDON),
// and the TypeScript layer in lib/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const mpi = option('--mpi', 'openmpi');
if (mpi !== 'openmpi') {
  console.error('instructions: counts under Open MPI only (under MPICH a send to oneself waits for its receive)');
  process.exit(2);
}
const few = Number(option('--few', 20000));
const many = Number(option('--many', 220000));
const WARMUP = 5000;

const buildDir = path.join(root, `build-bench-${mpi}`);
const addon = process.env.MPI4JS_ADDON ?? path.join(buildDir, 'Release', 'mpi4js.node');
const cProgram = path.join(buildDir, 'osu');
for (const file of [addon, cProgram]) {
  if (!existsSync(file)) {
    console.error(`instructions: ${file} is missing: run \`npm run bench -- --mpi ${mpi} --quick latency\` first`);
    process.exit(1);
  }
}
if (spawnSync('valgrind', ['--version']).error) {
  console.error('instructions: valgrind is not installed (Debian: apt-get install valgrind)');
  process.exit(1);
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'mpi4js-callgrind-'));
const env = { ...process.env, MPI4JS_ADDON: addon, OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' };

// Total instructions of one run of `command` doing `pairs` pairs after the warm-up.
function count(command, pairs) {
  const result = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${path.join(scratch, 'out')}`,
    ...command, 'self', `8:${pairs}:${WARMUP}`], { env, encoding: 'utf8', cwd: root });
  const refs = /Collected : (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !refs) throw new Error(`callgrind run failed:\n${result.stderr.slice(-2000)}`);
  return Number(refs[1]);
}

function perPair(command) {
  return (count(command, many) - count(command, few)) / (many - few);
}

try {
  // Optimizing compilation runs on a background thread, which valgrind schedules so rarely that the hot functions
  // would run unoptimized for much of the count: compile on the main thread instead, as soon as they are hot.
  const js = perPair([process.execPath, '--no-concurrent-recompilation', path.join(root, 'bench', 'mpi4js.mjs')]);
  const c = perPair([cProgram]);
  console.log(`instructions per 8-byte send + recv pair (${mpi}, callgrind, ${many} - ${few} pairs):`);
  console.log(`  C        ${c.toFixed(0)}`);
  console.log(`  mpi4js   ${js.toFixed(0)}   (${(js - c).toFixed(0)} more than C, ${(js / c).toFixed(2)}x)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
