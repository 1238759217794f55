// 8-byte ping-pong between ranks 0 and 1: `await isend` / `await irecv` against blocking send/recv, in one run.
//
//   mpirun -n 2 node bench/await-pingpong.mjs [iterations=5000] [repetitions=11]
//
// Every repetition times `iterations` round trips on each path; the figure printed is the median over the
// repetitions of the one-way latency (round-trip time / 2), in microseconds. Ranks beyond 1 only wait.
// The C reference is not measured here yet: /work/shared/FACTS.md gives C's blocking 8-byte one-way latency on this
// machine as ~0.41-0.49 us (Open MPI, shared memory); the target for the await path is at most 2x that.
// Set MPI4JS_PROGRESS=busy|adaptive|lazy to bench another progress policy (the default is adaptive).
import * as MPI from 'mpi4js';

const world = MPI.COMM_WORLD;
const iterations = Number(process.argv[2] ?? 5000);
const repetitions = Number(process.argv[3] ?? 11);
if (process.env.MPI4JS_PROGRESS) MPI.setProgressPolicy(process.env.MPI4JS_PROGRESS);

const ping = new Float64Array(1);
const pong = new Float64Array(1);

function blocking() {
  if (world.rank === 0) {
    for (let i = 0; i < iterations; i++) {
      world.send(ping, 1, 0);
      world.recv(pong, 1, 0);
    }
  } else {
    for (let i = 0; i < iterations; i++) {
      world.recv(pong, 0, 0);
      world.send(ping, 0, 0);
    }
  }
}

async function awaited() {
  if (world.rank === 0) {
    for (let i = 0; i < iterations; i++) {
      await world.isend(ping, 1, 1);
      await world.irecv(pong, 1, 1);
    }
  } else {
    for (let i = 0; i < iterations; i++) {
      await world.irecv(pong, 0, 1);
      await world.isend(ping, 0, 1);
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function time(run) {
  const latencies = [];
  for (let r = 0; r <= repetitions; r++) {
    world.barrier();
    const t0 = process.hrtime.bigint();
    await run();
    const oneWay = Number(process.hrtime.bigint() - t0) / 1000 / iterations / 2;
    if (r > 0) latencies.push(oneWay); // the first repetition warms up
  }
  return median(latencies);
}

if (world.size < 2) {
  console.error('await-pingpong needs at least 2 ranks: mpirun -n 2 node bench/await-pingpong.mjs');
  process.exitCode = 1;
} else if (world.rank <= 1) {
  const block = await time(blocking);
  const wait = await time(awaited);
  if (world.rank === 0) {
    console.log(`8-byte one-way latency, median of ${repetitions} x ${iterations} round trips (${MPI.implementation})`);
    console.log(`  blocking send/recv      ${block.toFixed(3)} us`);
    console.log(`  await isend/irecv       ${wait.toFixed(3)} us   (${(wait / block).toFixed(2)}x blocking)`);
    console.log('  C blocking (FACTS.md)   ~0.41-0.49 us (Open MPI); target for await: at most 2x C');
  }
} else {
  for (let r = 0; r < 2 * (repetitions + 1); r++) world.barrier();
}
