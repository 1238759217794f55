// Computes pi as the integral of 4 / (1 + x^2) over [0, 1] with the midpoint rule: rank 0 chooses the number of
// intervals and broadcasts it, every rank sums its share of the intervals, and a reduction adds the shares up.
//   npx mpi4js run -n 4 examples/pi.mjs [intervals]
import * as MPI from 'mpi4js';

const world = MPI.COMM_WORLD;
const { rank, size } = world;

const start = MPI.wtime();
// Only the root's value counts: bcast copies it into every rank's buffer.
const n = world.bcast(Float64Array.of(rank === 0 ? Number(process.argv[2] ?? 1e7) : 0), 0)[0];

// Rank r takes intervals r, r + size, r + 2 size...
const h = 1 / n;
let sum = 0;
for (let i = rank; i < n; i += size) {
  const x = h * (i + 0.5);
  sum += 4 / (1 + x * x);
}
const pi = world.reduce(Float64Array.of(h * sum), MPI.SUM, 0);

if (rank === 0) {
  console.log(`pi is approximately ${pi[0].toFixed(15)}, error ${Math.abs(pi[0] - Math.PI).toExponential(2)}`);
  console.log(`${n} intervals on ${size} ranks in ${(MPI.wtime() - start).toFixed(3)} s`);
}
