import * as MPI from 'mpi4js';
const world = MPI.COMM_WORLD;
const n = Number(process.argv[2]);
const a = new Float64Array(1), b = new Float64Array(1);
for (let i = 0; i < 3000; i++) { world.send(a, 0, 1); world.recv(b, 0, 1); }
for (let i = 0; i < n; i++) { world.send(a, 0, 1); world.recv(b, 0, 1); }
