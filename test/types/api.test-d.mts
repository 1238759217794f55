// The public API as a user's TypeScript program sees it: every name of the API contract, with the types it promises.
// Nothing here runs; `npm run test:types` compiles it. `expectType<T>()(value)` fails to compile unless the type of
// `value` is exactly T (so an `any` leaking out of a signature is caught too).
import * as MPI from 'mpi4js';
import Default from 'mpi4js';

type Exactly<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;
function expectType<Expected>() {
  return <Actual,>(value: Actual & (Exactly<Actual, Expected> extends true ? unknown : never)): Actual => value;
}

// ---- the ES module and its default export (the CommonJS module object) are the same API ------------------------
expectType<MPI.Comm>()(Default.COMM_WORLD);
expectType<typeof MPI.COMM_WORLD>()(Default.COMM_WORLD);

// ---- Lifecycle ---------------------------------------------------------------------------------------------------
expectType<boolean>()(MPI.isInitialized());
expectType<boolean>()(MPI.isFinalized());
expectType<void>()(MPI.setAbortOnError(false));
function lifecycle(): never {
  MPI.finalize();
  if (Math.random() < 0.5) return MPI.abort();
  return MPI.abort(3);
}
void lifecycle;

// ---- Module-level names ------------------------------------------------------------------------------------------
const world = MPI.COMM_WORLD;
expectType<MPI.Comm>()(world);
expectType<MPI.Comm>()(MPI.COMM_SELF);
expectType<number>()(MPI.ANY_SOURCE);
expectType<number>()(MPI.ANY_TAG);
expectType<number>()(MPI.PROC_NULL);
expectType<number>()(MPI.UNDEFINED);
const ops: MPI.Op[] = [MPI.SUM, MPI.PROD, MPI.MIN, MPI.MAX, MPI.LAND, MPI.LOR, MPI.LXOR, MPI.BAND, MPI.BOR, MPI.BXOR];
void ops;
const addPairs = MPI.Op.create((invec: Float64Array, inoutvec: Float64Array) => {
  for (let i = 0; i < inoutvec.length; i++) inoutvec[i] += invec[i];
});
expectType<MPI.Op>()(addPairs);
expectType<MPI.Op>()(MPI.Op.create((a: Int32Array, b: Int32Array) => { b.set(a); }, false));
expectType<number>()(MPI.wtime());
expectType<number>()(MPI.wtick());
expectType<string>()(MPI.processorName());
expectType<string>()(MPI.libraryVersion());
const { major, minor } = MPI.version();
expectType<number>()(major + minor);
expectType<number[]>()(MPI.computeDims(12, 2));

// ---- Buffers and Comm ---------------------------------------------------------------------------------------------
const f64 = new Float64Array(8);
const i32 = new Int32Array(8);
const bytes = Buffer.alloc(8);
const view = new DataView(new ArrayBuffer(8));
const big = new BigInt64Array(8);
// What a buffer method gives back is the very type it was given (since TypeScript 5.7, `Float64Array<ArrayBuffer>`).
type F64 = typeof f64;
type I32 = typeof i32;
type Bytes = typeof bytes;

expectType<number>()(world.rank);
expectType<number>()(world.size);
expectType<string>()(world.name);
world.name = 'my world';

// Point-to-point, buffers
expectType<void>()(world.send(f64, 1));
expectType<void>()(world.send(bytes, 1, 7));
expectType<void>()(world.ssend(view, 1, 7));
expectType<MPI.Status>()(world.recv(f64));
expectType<MPI.Status>()(world.recv(big, 0, 7));
expectType<MPI.Status>()(world.sendrecv(f64, 1, i32));
expectType<MPI.Status>()(world.sendrecv(f64, 1, i32, MPI.ANY_SOURCE, 0, MPI.ANY_TAG));
expectType<MPI.Status>()(world.probe());
expectType<MPI.Status>()(world.probe(0, 1));
expectType<MPI.Status | null>()(world.iprobe());
expectType<MPI.Request<MPI.Status>>()(world.isend(f64, 1));
expectType<MPI.Request<MPI.Status>>()(world.isend(f64, 1, 3));
expectType<MPI.Request<MPI.Status>>()(world.irecv(f64));
expectType<MPI.Request<MPI.Status>>()(world.irecv(f64, 0, 3));

// Point-to-point, values
interface Particle { id: number; position: [number, number]; tags: Set<string> }
const particle: Particle = { id: 1, position: [0, 1], tags: new Set(['a']) };
expectType<void>()(world.sendObject(particle, 1));
expectType<void>()(world.sendObject({ any: 'value' }, 1, 5));
expectType<Particle>()(world.recvObject<Particle>());
expectType<Particle>()(world.recvObject<Particle>(0, 5, new MPI.Status()));
expectType<Particle>()(world.sendrecvObject<Particle>(particle, 1));
expectType<Particle>()(world.sendrecvObject<Particle>(particle, 1, 0, 5, MPI.ANY_TAG));
expectType<MPI.Request<void>>()(world.isendObject(particle, 1));
expectType<MPI.Request<Particle>>()(world.irecvObject<Particle>());
expectType<MPI.Request<Particle>>()(world.irecvObject<Particle>(0, 5));

// Collectives, buffers: the result has the class of the input
expectType<void>()(world.barrier());
expectType<F64>()(world.bcast(f64));
expectType<Bytes>()(world.bcast(bytes, 0));
expectType<F64 | null>()(world.reduce(f64));
expectType<F64 | null>()(world.reduce(f64, MPI.MAX, 0, new Float64Array(8)));
expectType<F64 | null>()(world.reduce(f64, addPairs, 0));
expectType<F64>()(world.allreduce(f64));
expectType<I32>()(world.allreduce(i32, MPI.BOR, new Int32Array(8)));
expectType<F64>()(world.allreduce(f64, MPI.SUM, f64));
expectType<F64>()(world.scan(f64));
expectType<F64>()(world.exscan(f64, MPI.SUM));
expectType<F64>()(world.reduceScatterBlock(f64));
expectType<F64>()(world.reduceScatterBlock(f64, MPI.SUM, new Float64Array(2)));
expectType<F64 | null>()(world.gather(f64));
expectType<F64 | null>()(world.gather(f64, 0, new Float64Array(32)));
expectType<F64>()(world.allgather(f64));
expectType<F64>()(world.allgather(f64, new Float64Array(32)));
expectType<F64>()(world.scatter(world.rank === 0 ? new Float64Array(32) : null, f64));
expectType<F64>()(world.scatter(null, f64, 0));
expectType<F64>()(world.alltoall(f64));
expectType<F64>()(world.alltoall(f64, new Float64Array(8)));
expectType<F64 | null>()(world.gatherv(f64));
expectType<F64 | null>()(world.gatherv(f64, 0, [8, 8, 8, 8], new Float64Array(32)));
expectType<F64>()(world.allgatherv(f64));
expectType<F64>()(world.allgatherv(f64, [8, 8], new Float64Array(16)));
expectType<F64>()(world.scatterv(null, null, f64));
expectType<F64>()(world.scatterv(new Float64Array(16), [8, 8], f64, 0));
expectType<F64>()(world.alltoallv(f64, [4, 4]));
expectType<F64>()(world.alltoallv(f64, [4, 4], [4, 4], new Float64Array(8)));

// Nonblocking collectives: the same arguments, a Request of the blocking form's result
const barrierDone: PromiseLike<unknown> = world.ibarrier();
void barrierDone;
expectType<MPI.Request<F64>>()(world.ibcast(f64));
expectType<MPI.Request<F64>>()(world.ibcast(f64, 0));
expectType<MPI.Request<F64 | null>>()(world.ireduce(f64));
expectType<MPI.Request<F64 | null>>()(world.ireduce(f64, MPI.SUM, 0, new Float64Array(8)));
expectType<MPI.Request<F64>>()(world.iallreduce(f64));
expectType<MPI.Request<F64>>()(world.iallreduce(f64, MPI.MIN, new Float64Array(8)));
expectType<MPI.Request<F64 | null>>()(world.igather(f64));
expectType<MPI.Request<F64 | null>>()(world.igather(f64, 0, new Float64Array(32)));
expectType<MPI.Request<F64>>()(world.iallgather(f64));
expectType<MPI.Request<F64>>()(world.iallgather(f64, new Float64Array(32)));
expectType<MPI.Request<F64>>()(world.iscatter(null, f64));
expectType<MPI.Request<F64>>()(world.iscatter(new Float64Array(32), f64, 0));
expectType<MPI.Request<F64>>()(world.ialltoall(f64));
expectType<MPI.Request<F64>>()(world.ialltoall(f64, new Float64Array(8)));

// Collectives, values
// A literal argument does not narrow the result: the value that comes back is the root's, or a reduction's.
expectType<number>()(world.bcastObject(world.rank === 0 ? 42 : 0));
expectType<number>()(world.bcastObject(0));
expectType<Particle>()(world.bcastObject(particle));
expectType<Particle>()(world.bcastObject(particle, 0));
expectType<Particle[] | null>()(world.gatherObject(particle));
expectType<Particle[] | null>()(world.gatherObject(particle, 0));
expectType<Particle[]>()(world.allgatherObject(particle));
expectType<Particle>()(world.scatterObject(world.rank === 0 ? [particle] : null));
expectType<Particle>()(world.scatterObject<Particle>(null, 0));
expectType<Particle[]>()(world.alltoallObject([particle, particle]));
expectType<number | null>()(world.reduceObject(3));
expectType<bigint | null>()(world.reduceObject(3n, MPI.PROD, 0));
expectType<Particle | null>()(world.reduceObject(particle, (a, b) => (a.id > b.id ? a : b), 0));
expectType<number>()(world.allreduceObject(3));
expectType<number>()(world.allreduceObject(3, MPI.MAX));

// Communicators and topology
expectType<MPI.Comm>()(world.dup());
expectType<MPI.Comm | null>()(world.split(world.rank % 2));
expectType<MPI.Comm | null>()(world.split(MPI.UNDEFINED, 0));
expectType<MPI.Comm>()(world.splitShared());
expectType<void>()(world.dup().free());
expectType<'ident' | 'congruent' | 'similar' | 'unequal'>()(world.compare(MPI.COMM_SELF));
const cart = world.createCart(MPI.computeDims(world.size, 2), [true, false], false);
expectType<MPI.CartComm | null>()(cart);
expectType<MPI.CartComm | null>()(world.createCart([world.size]));
if (cart !== null) {
  const asComm: MPI.Comm = cart;
  void asComm;
  expectType<number[]>()(cart.dims);
  expectType<boolean[]>()(cart.periods);
  expectType<number[]>()(cart.coords);
  const { source, dest } = cart.shift(0);
  expectType<number>()(source + dest);
  expectType<{ source: number; dest: number }>()(cart.shift(1, -1));
  expectType<number>()(cart.rankOf([0, 0]));
}

// ---- Status --------------------------------------------------------------------------------------------------------
const status = new MPI.Status();
expectType<number>()(status.source);
expectType<number>()(status.tag);
expectType<number>()(status.bytes);
expectType<boolean>()(status.cancelled);
expectType<number>()(status.count());
expectType<number>()(status.count(Float64Array));
expectType<number>()(status.count(Buffer));

// ---- Request<T> ----------------------------------------------------------------------------------------------------
async function requests(): Promise<void> {
  const recv = world.irecvObject<Particle>(0);
  const asPromiseLike: PromiseLike<Particle> = recv;
  void asPromiseLike;
  expectType<boolean>()(recv.test());
  expectType<boolean>()(recv.done);
  expectType<void>()(recv.cancel());
  expectType<Particle>()(await recv);
  expectType<MPI.Status>()(await world.irecv(f64));
  expectType<F64>()(await world.iallreduce(f64));
  const reqs: MPI.Request[] = [world.isend(f64, 1), world.isendObject(particle, 1), world.irecv(i32)];
  expectType<unknown[]>()(await MPI.waitAll(reqs));
  const first = await MPI.waitAny(reqs);
  expectType<number>()(first.index);
  expectType<unknown>()(first.value);
  // A request goes where a promise goes.
  const [one, two] = await Promise.all([world.irecv(f64), world.irecvObject<string>()]);
  expectType<MPI.Status>()(one);
  expectType<string>()(two);
}
void requests;

// ---- Errors --------------------------------------------------------------------------------------------------------
try {
  world.recv(new Uint8Array(1));
} catch (error) {
  if (error instanceof MPI.MpiError) {
    const asError: Error = error;
    void asError;
    expectType<number>()(error.errorClass);
    expectType<string>()(error.code);
    expectType<string>()(error.message);
  }
}

// ---- Misuse that must not compile -----------------------------------------------------------------------------------
// @ts-expect-error a plain array is not a buffer
world.send([1, 2, 3], 1);
// @ts-expect-error ranks are numbers
world.send(f64, '1');
// @ts-expect-error the result of a buffer reduction is the class of the input
const wrongClass: Int32Array = world.allreduce(f64);
void wrongClass;
// @ts-expect-error reduce returns null on the other ranks
const notNull: Float64Array = world.reduce(f64);
void notNull;
// @ts-expect-error rank is read-only
world.rank = 3;
