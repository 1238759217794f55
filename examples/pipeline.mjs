// An async pipeline that overlaps computation with communication. Rank 0 produces chunks of a signal, every rank
// transforms each chunk and passes it on to the next rank, and the last rank sums what arrives. A rank posts the
// receive of chunk k+1 and the send of chunk k-1 before it transforms chunk k, so the transfers proceed while it
// computes; `await` waits for a request without blocking the event loop.
//   npx mpi4js run -n 4 examples/pipeline.mjs [chunks] [elements per chunk]
import * as MPI from 'mpi4js';

const world = MPI.COMM_WORLD;
const { rank, size } = world;
const [chunks = 64, length = 1 << 16] = process.argv.slice(2).map(Number);
const first = rank === 0;
const last = rank === size - 1;

/** The samples of chunk k, as rank 0 produces them. */
function produce(k, out) {
  for (let i = 0; i < out.length; i++) out[i] = Math.sin((k * out.length + i) * 1e-3);
  return out;
}

/** The work of pipeline stage s on one chunk, in place: a few flops per sample, enough to be worth overlapping. */
function transform(s, chunk) {
  for (let i = 0; i < chunk.length; i++) {
    let x = chunk[i];
    for (let j = 0; j < 8; j++) x = Math.sqrt(x * x + s + 1) * 0.5;
    chunk[i] = x;
  }
}

// Two buffers for each direction: one in flight while the other is computed on.
const incoming = [new Float64Array(length), new Float64Array(length)];
const outgoing = [new Float64Array(length), new Float64Array(length)];
const sends = [null, null];
let received = first ? null : world.irecv(incoming[0], rank - 1, 0);
let total = 0;
const start = MPI.wtime();

for (let k = 0; k < chunks; k++) {
  let chunk;
  if (first) {
    chunk = produce(k, incoming[k % 2]);
  } else {
    await received;
    chunk = incoming[k % 2];
    // The next chunk lands in the other buffer while this one is transformed.
    if (k + 1 < chunks) received = world.irecv(incoming[(k + 1) % 2], rank - 1, 0);
  }
  transform(rank, chunk);
  if (last) {
    for (let i = 0; i < chunk.length; i++) total += chunk[i];
  } else {
    // The buffer of the send before last is free once that send completed.
    const slot = k % 2;
    if (sends[slot] !== null) await sends[slot];
    outgoing[slot].set(chunk);
    sends[slot] = world.isend(outgoing[slot], rank + 1, 0);
  }
}
await MPI.waitAll(sends.filter((request) => request !== null));
const elapsed = MPI.wtime() - start;

if (last) {
  // The same arithmetic done serially, to check the pipeline.
  let expected = 0;
  const chunk = new Float64Array(length);
  for (let k = 0; k < chunks; k++) {
    produce(k, chunk);
    for (let s = 0; s < size; s++) transform(s, chunk);
    for (let i = 0; i < chunk.length; i++) expected += chunk[i];
  }
  const ok = total === expected;
  console.log(`pipeline of ${size} stages, ${chunks} chunks of ${length} doubles: ${elapsed.toFixed(3)} s`);
  console.log(`sum ${total.toPrecision(12)}, serial ${expected.toPrecision(12)}: ${ok ? 'match' : 'MISMATCH'}`);
  if (!ok) process.exitCode = 1;
}
