// A parallel reduction of a large Float64Array: every rank holds n doubles, and allreduce sums them element by
// element across ranks into a preallocated array, with no copy on the way in or out. Each rank checks its result
// against the sum it can compute alone, and rank 0 prints the time and the rate.
//   npx mpi4js run -n 4 examples/reduce-large.mjs [n]
import * as MPI from 'mpi4js';

const world = MPI.COMM_WORLD;
const { rank, size } = world;
const n = Number(process.argv[2] ?? 1 << 23);

// Small integers, so the sums are exact in floating point whatever order MPI adds them in.
const values = new Float64Array(n);
for (let i = 0; i < n; i++) values[i] = (i % 1000) + rank;
const sum = new Float64Array(n);

world.barrier();
const start = MPI.wtime();
world.allreduce(values, MPI.SUM, sum);
const elapsed = MPI.wtime() - start;

// The same element sum, known in closed form: size * (i mod 1000) + 0 + 1 + ... + (size - 1).
const ranksTotal = (size * (size - 1)) / 2;
let wrong = 0;
for (let i = 0; i < n; i++) if (sum[i] !== size * (i % 1000) + ranksTotal) wrong++;

// The largest element anywhere, reduced to rank 0 only.
const largest = world.reduce(new Float64Array([Math.max(...values.subarray(0, 1000))]), MPI.MAX, 0);
const allWrong = world.allreduce(new Float64Array([wrong]));

if (rank === 0) {
  const megabytes = (n * 8) / 2 ** 20;
  console.log(`allreduce of ${n} doubles (${megabytes.toFixed(0)} MiB) on ${size} ranks: ${elapsed.toFixed(3)} s, ` +
    `${(megabytes / elapsed).toFixed(0)} MiB/s`);
  console.log(`largest element ${largest[0]} (expected ${999 + size - 1})`);
  console.log(allWrong[0] === 0 ? 'all sums correct' : `${allWrong[0]} sums WRONG`);
}
if (allWrong[0] !== 0 || (rank === 0 && largest[0] !== 999 + size - 1)) process.exitCode = 1;
