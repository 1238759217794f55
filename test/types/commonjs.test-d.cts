// The CommonJS face: `require('mpi4js')` gives the same API with the same types as the ES module.
import MPI = require('mpi4js');
import type * as ESM from 'mpi4js';

const world: MPI.Comm = MPI.COMM_WORLD;
const sameClass: ESM.Comm = world;
const sum: Float64Array = world.allreduce(new Float64Array(4), MPI.SUM);
const value: { n: number } = world.bcastObject({ n: 1 });
export { sameClass, sum, value };
