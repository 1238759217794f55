// The mpi4js side of the benchmark suite. bench/osu.c and bench/osu.py run the same cases the same way, so that
// bench/run.mjs can compare the three side by side; see bench/README.md for what each case measures.
//
//   mpirun -n 2 node bench/mpi4js.mjs CASE SIZE:ITERATIONS:WARMUP ...
//
// Rank 0 prints one line per size: `CASE BYTES VALUE` (one-way latency or time per operation in microseconds,
// bandwidth in MB/s). The `await` case honours MPI4JS_PROGRESS=busy|adaptive|lazy to bench another progress policy.
import { createRequire } from 'node:module';
import * as MPI from 'mpi4js';

const world = MPI.COMM_WORLD;
const { rank, size } = world;
const WINDOW = 64;
const WARMUP_SECONDS = 0.5; // bench/osu.c and bench/osu.py wait as long
// The small value of the `object` case; osu.py sends the same dict through pickle.
const SMALL_VALUE = { step: 7, x: 0.5, name: 'ping', ok: true };

if (process.env.MPI4JS_PROGRESS) MPI.setProgressPolicy(process.env.MPI4JS_PROGRESS);

// Runs `step` warmup times, then, after a barrier, iterations times; returns the seconds of the timed part. Each case
// puts its work in a `step` function of its own rather than in the loop: V8 then optimizes that function once and
// for all during the first, untimed size. Put in the loop body, it would be compiled on stack replacement for every
// call of the case, and thrown away at the first statement not yet run there (the barrier): the timed loop would
// start in the interpreter, waiting for a compiler thread that has no free core while two ranks spin on two cores.
function timed(iterations, warmup, step) {
  for (let i = 0; i < warmup; i++) step();
  world.barrier();
  const t0 = MPI.wtime();
  for (let i = 0; i < iterations; i++) step();
  return MPI.wtime() - t0;
}

// The same for a `step` that returns a promise.
async function timedAsync(iterations, warmup, step) {
  for (let i = 0; i < warmup; i++) await step();
  world.barrier();
  const t0 = MPI.wtime();
  for (let i = 0; i < iterations; i++) await step();
  return MPI.wtime() - t0;
}

// One-way latency of a ping-pong between ranks 0 and 1, in microseconds; ranks above 1 wait.
function latency(bytes, iterations, warmup) {
  const buf = new Uint8Array(bytes).fill(1);
  const step = rank === 0 ? () => { world.send(buf, 1, 1); world.recv(buf, 1, 1); }
    : rank === 1 ? () => { world.recv(buf, 0, 1); world.send(buf, 0, 1); }
    : () => {};
  return (timed(iterations, warmup, step) * 1e6) / (2 * iterations);
}

// Rank 0 sends windows of WINDOW nonblocking messages to rank 1, which acknowledges each window; MB/s.
async function bandwidth(bytes, iterations, warmup) {
  const buf = new Uint8Array(bytes).fill(1);
  const ack = new Uint8Array(4);
  const requests = new Array(WINDOW);
  const step = rank === 0 ? async () => {
    for (let w = 0; w < WINDOW; w++) requests[w] = world.isend(buf, 1, 100);
    await MPI.waitAll(requests);
    world.recv(ack, 1, 101);
  } : rank === 1 ? async () => {
    for (let w = 0; w < WINDOW; w++) requests[w] = world.irecv(buf, 0, 100);
    await MPI.waitAll(requests);
    world.send(ack, 0, 101);
  } : async () => {};
  return (bytes * WINDOW * iterations) / (await timedAsync(iterations, warmup, step)) / 1e6;
}

// Ranks 0 and 1 each send and receive a window at once; MB/s counting both directions.
async function bidirectional(bytes, iterations, warmup) {
  const sendbuf = new Uint8Array(bytes).fill(1);
  const recvbuf = new Uint8Array(bytes);
  const requests = new Array(2 * WINDOW);
  const peer = 1 - rank;
  const step = rank <= 1 ? async () => {
    for (let w = 0; w < WINDOW; w++) requests[w] = world.irecv(recvbuf, peer, 100);
    for (let w = 0; w < WINDOW; w++) requests[WINDOW + w] = world.isend(sendbuf, peer, 100);
    await MPI.waitAll(requests);
  } : async () => {};
  return (2 * bytes * WINDOW * iterations) / (await timedAsync(iterations, warmup, step)) / 1e6;
}

// Time per collective call in microseconds, averaged over the ranks. `bytes` is each rank's contribution.
function collective(name, bytes, iterations, warmup) {
  const n = bytes / 8;
  const input = new Float64Array(name === 'alltoall' ? n * size : n).fill(rank + 1);
  const output = new Float64Array(name === 'bcast' ? 0 : n * size);
  const part = output.subarray(0, n); // made once, as the C and mpi4py cases do
  let call;
  switch (name) {
    case 'bcast': call = () => world.bcast(input, 0); break;
    case 'allreduce': call = () => world.allreduce(input, MPI.SUM, part); break;
    case 'gather': call = () => world.gather(input, 0, rank === 0 ? output : null); break;
    case 'alltoall': call = () => world.alltoall(input, output); break;
    default: throw new Error(`unknown collective ${name}`);
  }
  const mine = new Float64Array([(timed(iterations, warmup, call) * 1e6) / iterations]);
  return world.reduce(mine, MPI.SUM, 0)?.[0] / size;
}

// Ping-pong of a small structured value through sendObject/recvObject; one-way microseconds.
function object(_bytes, iterations, warmup) {
  const step = rank === 0 ? () => { world.sendObject(SMALL_VALUE, 1, 1); world.recvObject(1, 1); }
    : rank === 1 ? () => world.sendObject(world.recvObject(0, 1), 0, 1)
    : () => {};
  return (timed(iterations, warmup, step) * 1e6) / (2 * iterations);
}

// Ping-pong through `await isend` / `await irecv`: what a program awaiting each message pays; one-way microseconds.
async function awaited(bytes, iterations, warmup) {
  const buf = new Uint8Array(bytes).fill(1);
  const step = rank === 0 ? async () => { await world.isend(buf, 1, 1); await world.irecv(buf, 1, 1); }
    : rank === 1 ? async () => { await world.irecv(buf, 0, 1); await world.isend(buf, 0, 1); }
    : async () => {};
  return ((await timedAsync(iterations, warmup, step)) * 1e6) / (2 * iterations);
}

// What any awaited ping-pong in Node costs at the least: the blocking send/recv of `latency`, each followed by the
// await of a promise that is already fulfilled, in the same async step as `awaited`. No binding's requests can cost
// less than nothing, so `awaited` can get no closer to C than this does (mpi4js only: it measures Node, not MPI).
async function awaitFloor(bytes, iterations, warmup) {
  const buf = new Uint8Array(bytes).fill(1);
  const step = rank === 0
    ? async () => { world.send(buf, 1, 1); await fulfilled; world.recv(buf, 1, 1); await fulfilled; }
    : rank === 1 ? async () => { world.recv(buf, 0, 1); await fulfilled; world.send(buf, 0, 1); await fulfilled; }
      : async () => {};
  return ((await timedAsync(iterations, warmup, step)) * 1e6) / (2 * iterations);
}
const fulfilled = Promise.resolve();

// The ping-pong of `latency` at 8 bytes through bench/napi-floor.c's send() and recv(): a bare N-API call each, no
// arguments, around MPI_Send/MPI_Recv. What any Node-API binding's blocking ping-pong costs at the least (mpi4js only:
// it measures Node-API, not mpi4js). run.mjs compiles it and names it in MPI4JS_BENCH_NAPI_FLOOR.
function bare(bytes, iterations, warmup) {
  if (bytes !== 8) throw new RangeError(`the bare case moves 8 bytes, not ${bytes}`);
  const module = process.env.MPI4JS_BENCH_NAPI_FLOOR;
  if (!module) throw new Error('the bare case needs MPI4JS_BENCH_NAPI_FLOOR: the napi-floor.node that run.mjs builds');
  const floor = createRequire(import.meta.url)(module);
  const step = rank === 0 ? () => { floor.send(); floor.recv(); }
    : rank === 1 ? () => { floor.recv(); floor.send(); }
      : () => {};
  return (timed(iterations, warmup, step) * 1e6) / (2 * iterations);
}

// Each rank sends to itself and receives: the per-call path without a peer to wait for, whose instruction count
// bench/instructions.mjs measures. Microseconds per send + recv pair.
function self(bytes, iterations, warmup) {
  const out = new Float64Array(bytes / 8).fill(1);
  const back = new Float64Array(bytes / 8);
  const step = () => { world.send(out, rank, 1); world.recv(back, rank, 1); };
  return (timed(iterations, warmup, step) * 1e6) / iterations;
}

const CASES = {
  latency,
  bw: bandwidth,
  bibw: bidirectional,
  bcast: (...args) => collective('bcast', ...args),
  allreduce: (...args) => collective('allreduce', ...args),
  gather: (...args) => collective('gather', ...args),
  alltoall: (...args) => collective('alltoall', ...args),
  object,
  await: awaited,
  floor: awaitFloor,
  bare,
  self,
};

const [name, ...points] = process.argv.slice(2);
const run = CASES[name];
if (run === undefined || (size < 2 && name !== 'self')) {
  if (rank === 0) console.error(`usage: mpirun -n 2 node bench/mpi4js.mjs ${Object.keys(CASES).join('|')} SIZE:ITER:WARMUP...`);
  process.exitCode = 2;
} else {
  // The first size untimed, again and again until rank 0 has spent WARMUP_SECONDS on it (osu.c and osu.py do the
  // same): MPI's first contact between the ranks, and V8's optimizing compilation, happen there and not in the
  // figures. V8 takes a while to settle: one-way 8-byte latency measured 1.3, 0.9, 0.7, 0.6 us in the first four
  // runs of 20000 round trips, then 0.55 from the fifth on (about 0.2 s in).
  const parsed = points.map((point) => point.split(':').map(Number));
  if (parsed.length > 0 && name !== 'self') {
    // Before that, every size once for its warm-up count: a path that only a larger size takes (an isend still
    // pending after it starts, which an 8-byte one never is) gets compiled now, not in the middle of its timed loop.
    // Met first there, it cost a deoptimization and a dozen optimizing compilations, whose thread takes a core from
    // the two spinning ranks for milliseconds: the first 1000 one-KiB windows after 8-byte ones ran at half the
    // bandwidth of the next 4000.
    for (const [bytes, , warmup] of parsed) await run(bytes, warmup, 0);
    const more = new Int32Array(1);
    const until = MPI.wtime() + WARMUP_SECONDS;
    do {
      await run(...parsed[0]);
      more[0] = MPI.wtime() < until ? 1 : 0;
      world.bcast(more, 0);
    } while (more[0] === 1);
  }
  for (const [bytes, iterations, warmup] of parsed) {
    const value = await run(bytes, iterations, warmup);
    if (rank === 0) console.log(`${name} ${bytes} ${value}`);
  }
}
