#!/usr/bin/env node
// Soak test: many small messages, values, requests in flight, and communicators and ops made and freed, checking
// that the resident set size ends where it stood after a warm-up. Every rank runs it; ranks exchange along a ring
// (a 1-rank world exchanges with itself).
//
//   mpirun -n 2 node --expose-gc --max-semi-space-size=1 ci/soak.mjs [--scale S] [--limit-mib M]
//
// --max-semi-space-size=1: without it RSS creeps up by 100+ MiB over the first ~150 000 values and then levels off,
// with or without MPI (a loop of node:v8 serialize() alone does it): V8 grows its young generation, and the native
// memory of each call's Serializer is freed only when a GC gets to its wrapper, leaving the allocator fragmented.
// A small young generation collects often and makes RSS show real leaks only.
//
// --scale 1 (the default) is 1 000 000 messages, 100 000 values, 10 000 requests in flight (10 rounds), 10 000
// communicator dup/free and 1 000 op create/free; CI runs a smaller scale. Prints one JSON line per rank and exits
// non-zero when RSS grew by more than --limit-mib (20) after the warm-up.
import * as MPI from 'mpi4js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const scale = option('--scale', 1);
const limitMiB = option('--limit-mib', 20);
if (typeof globalThis.gc !== 'function' || !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  throw new Error('run with node --expose-gc --max-semi-space-size=1 ci/soak.mjs');
}

const world = MPI.COMM_WORLD;
const next = (world.rank + 1) % world.size;
const prev = (world.rank - 1 + world.size) % world.size;

function messages(count) {
  const out = new Float64Array([world.rank]);
  const into = new Float64Array(1);
  for (let i = 0; i < count; i++) {
    out[0] = i;
    world.sendrecv(out, next, into, prev, 1, 1);
    if (into[0] !== i) throw new Error(`message ${i}: got ${into[0]}`);
  }
}

function values(count) {
  for (let i = 0; i < count; i++) {
    const got = world.sendrecvObject({ i, from: world.rank, tags: ['a', 'b'] }, next, prev, 2, 2);
    if (got.i !== i || got.from !== prev) throw new Error(`value ${i}: got ${JSON.stringify(got)}`);
  }
}

// `inFlight` receives and as many sends posted before any completes, then awaited together.
async function requests(inFlight, rounds) {
  for (let round = 0; round < rounds; round++) {
    const into = new Int32Array(inFlight);
    const pending = [];
    for (let i = 0; i < inFlight; i++) pending.push(world.irecv(into.subarray(i, i + 1), prev, 3));
    for (let i = 0; i < inFlight; i++) pending.push(world.isend(new Int32Array([i]), next, 3));
    await MPI.waitAll(pending);
    for (let i = 0; i < inFlight; i++) if (into[i] !== i) throw new Error(`request ${i}: got ${into[i]}`);
  }
}

function communicators(count) {
  for (let i = 0; i < count; i++) world.dup().free();
}

function ops(count) {
  const buf = new Int32Array([1]);
  for (let i = 0; i < count; i++) {
    const op = MPI.Op.create((a, b) => { b[0] += a[0]; });
    world.allreduce(buf, op);
    op.free();
  }
}

async function run(s, inFlight = Math.max(1, Math.round(10_000 * scale))) {
  const n = (x) => Math.max(1, Math.round(x * s));
  const times = {};
  const timed = async (name, work) => {
    const started = performance.now();
    await work();
    times[name] = { seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
      rssMiB: Number(rssMiB().toFixed(1)), heapMiB: Number((process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)),
      externalMiB: Number((process.memoryUsage().external / 2 ** 20).toFixed(1)) };
  };
  await timed('messages', () => messages(n(1_000_000)));
  await timed('values', () => values(n(100_000)));
  await timed('requests', () => requests(inFlight, Math.max(1, Math.round(10 * Math.min(s, 1)))));
  await timed('communicators', () => communicators(n(10_000)));
  await timed('ops', () => ops(n(1_000)));
  return times;
}

function rssMiB() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage().rss / 2 ** 20;
}

// Warm-up: code compiled, and pools at their working size. It puts as many requests in flight as the run will:
// MPI's request free lists and the addon's request table keep their high-water mark, which is not a leak (about
// 20 MiB on Open MPI for 10 000 sends and 10 000 receives in flight, measured with a warm-up that did not).
await run(Math.min(0.02, scale));
world.barrier();
const before = rssMiB();
const times = await run(scale);
world.barrier();
const after = rssMiB();
const growth = after - before;
console.log(JSON.stringify({ rank: world.rank, size: world.size, implementation: MPI.implementation, scale,
  rssAfterWarmupMiB: Number(before.toFixed(1)), rssAfterMiB: Number(after.toFixed(1)),
  growthMiB: Number(growth.toFixed(1)), limitMiB, phases: times }));
if (growth > limitMiB) {
  console.error(`rank ${world.rank}: RSS grew by ${growth.toFixed(1)} MiB, more than ${limitMiB} MiB`);
  process.exitCode = 1;
}
