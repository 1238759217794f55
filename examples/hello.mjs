// Hello from every rank: run with `npx mpi4js run -n 4 examples/hello.mjs` (or `mpirun -n 4 node examples/hello.mjs`).
import * as MPI from 'mpi4js';

const world = MPI.COMM_WORLD;
console.log(`Hello from rank ${world.rank} of ${world.size} on ${MPI.processorName()} (${MPI.implementation})`);
