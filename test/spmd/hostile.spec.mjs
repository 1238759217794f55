// Every public method called with random and hostile arguments: wrong types, NaN/Infinity/negative/fractional ranks
// and tags, huge counts, detached, resizable and shared buffers, freed communicators, foreign objects as Comm, Op and
// Status. A call must either work or throw TypeError, RangeError or MpiError; never crash, hang or throw anything
// else; and the rank must work normally afterwards.
//
// SPMD safety: every rank draws the same calls (fast-check with one seed), so a collective either passes the checks
// on every rank or on none, as long as the checks do not depend on the rank. Where they do (the root's buffers), the
// root drawn on COMM_WORLD is always invalid. Point-to-point calls draw ranks that are invalid or PROC_NULL, so a
// call that passes the checks completes at once and never waits for a message nobody sends.
import { expect } from 'chai';
import fc from 'fast-check';
import { MPI, world } from '../support.mjs';

const SEED = Number(process.env.MPI4JS_HOSTILE_SEED ?? 0x4d5049);
const RUNS = Number(process.env.MPI4JS_HOSTILE_RUNS ?? 400);
const TRACE = process.env.MPI4JS_HOSTILE_TRACE === '1';
const size = world.size;

// ---- Hostile values, as recipes: each call builds fresh ones (a detached buffer cannot be reused) ---------------

function detached() {
  const view = new Float64Array(4);
  structuredClone(view.buffer, { transfer: [view.buffer] });
  return view;
}
const thrower = new Proxy({}, { get() { throw new Error('a proxy that throws on every access'); } });
const freedComm = world.dup();
freedComm.free();
const forgedComm = (handle) => { const comm = MPI.COMM_SELF.dup(); const real = comm.handle; comm.handle = handle;
  forged.push([comm, real]); return comm; };
const forged = [];
const userOp = MPI.Op.create(function add(a, b) { for (let i = 0; i < b.length; i++) b[i] += a[i]; });
const throwingOp = MPI.Op.create(function fails() { throw new RangeError('a user op that throws'); });
const freedOp = MPI.Op.create(() => {});
freedOp.free();
const forgedOp = Object.assign(Object.create(MPI.Op.prototype),
  { handle: 123456, name: 'forged', rules: MPI.SUM.rules });

const common = {
  undefined: () => undefined, null: () => null, NaN: () => NaN, Infinity: () => Infinity,
  minusInfinity: () => -Infinity,
  minusThree: () => -3, fraction: () => 1.5, huge: () => 2 ** 31, huger: () => 2 ** 53, size: () => size,
  string: () => '0', emptyString: () => '', bigint: () => 1n, symbol: () => Symbol('s'), true: () => true,
  object: () => ({}), array: () => [0], func: () => () => 0, proxy: () => thrower, boxed: () => new Number(0),
  valueOf: () => ({ valueOf: () => 0 }), minValue: () => Number.MIN_VALUE, int32Min: () => -(2 ** 31),
};
const buffers = {
  float64: () => new Float64Array([1, 2, 3]), int32x6: () => Int32Array.from({ length: size * 2 }, (_, i) => i),
  bytes: () => Buffer.from('hostile'), dataView: () => new DataView(new ArrayBuffer(8)), empty: () => new Uint8Array(0),
  bigint64: () => new BigInt64Array([1n, 2n]), clamped: () => new Uint8ClampedArray(2), detached,
  resizable: () => new Float64Array(new ArrayBuffer(16, { maxByteLength: 64 })),
  shared: () => new Int32Array(new SharedArrayBuffer(8)), offset: () => new Int16Array(new ArrayBuffer(16), 2, 3),
  arrayBuffer: () => new ArrayBuffer(8), plainArray: () => [1, 2, 3], arrayLike: () => ({ length: 2 ** 40, 0: 1 }),
  float64Subclass: () => new (class Sub extends Float64Array {})(2),
};
if (typeof SharedArrayBuffer.prototype.grow === 'function') {
  buffers.growable = () => new Int32Array(new SharedArrayBuffer(8, { maxByteLength: 64 }));
}
const p2pRanks = { procNull: () => MPI.PROC_NULL, ...common };  // never a real rank, ANY_SOURCE, or omitted
delete p2pRanks.undefined;
const roots = { zero: () => 0, last: () => size - 1, minusZero: () => -0, ...common };
const abortCodes = { NaN: () => NaN, minusThree: () => -3, fraction: () => 1.5, over: () => 256, string: () => '0',
  null: () => null, bigint: () => 0n, object: () => ({}) };  // never a valid code: abort(valid) ends the job
const tags = { zero: () => 0, seven: () => 7, anyTag: () => MPI.ANY_TAG, tagUb: () => MPI.TAG_UB,
  overTagUb: () => MPI.TAG_UB + 1, ...common };
const ops = { SUM: () => MPI.SUM, MAX: () => MPI.MAX, BAND: () => MPI.BAND, LXOR: () => MPI.LXOR, user: () => userOp,
  throwing: () => throwingOp, freed: () => freedOp, forged: () => forgedOp, func: () => (a, b) => a + b, ...common };
const values = { number: () => 42, string: () => 'x'.repeat(100), map: () => new Map([[1, { a: [1n] }]]),
  date: () => new Date(0), typed: () => new Float32Array(3), nested: () => ({ a: [{ b: new Set([1]) }] }),
  weakMap: () => new WeakMap(), symbol: () => Symbol('s'), func: () => () => 0, proxy: () => thrower,
  promise: () => Promise.resolve(1), cyclic: () => { const o = {}; o.self = o; return o; }, ...common };
const counts = { uniform: (buf) => Array(size).fill(Math.floor((buf?.length ?? 0) / size)),
  zeros: () => Array(size).fill(0), negative: () => Array(size).fill(-1), nan: () => Array(size).fill(NaN),
  fractional: () => Array(size).fill(0.5), tooLong: () => Array(size + 1).fill(0),
  huge: () => Array(size).fill(2 ** 31 - 1),
  strings: () => Array(size).fill('1'), int32Array: () => new Int32Array(size), ...common };
const comms = { world: () => world, self: () => MPI.COMM_SELF, freed: () => freedComm, foreign: () => ({}),
  bare: () => Object.create(MPI.Comm.prototype), forgedHuge: () => forgedComm(1e9), forgedNaN: () => forgedComm(NaN),
  forgedNegative: () => forgedComm(-5), forgedFraction: () => forgedComm(0.5) };
const statuses = { none: () => undefined, real: () => new MPI.Status(), foreign: () => ({}), null: () => null,
  bare: () => Object.create(MPI.Status.prototype) };
const any = { ...common, ...buffers, ...values, ...ops, ...comms };

const pick = (table) => fc.constantFrom(...Object.keys(table)).map((key) => ({ table, key }));

// Methods of Comm: [name, [argument tables], rooted (the root's index among the arguments, for rank-dependent checks)]
const commMethods = [
  ['send', [buffers, p2pRanks, tags]], ['ssend', [buffers, p2pRanks, tags]], ['recv', [buffers, p2pRanks, tags]],
  ['sendrecv', [buffers, p2pRanks, buffers, p2pRanks, tags, tags]], ['probe', [p2pRanks, tags]],
  ['iprobe', [p2pRanks, tags]], ['sendObject', [values, p2pRanks, tags]], ['recvObject', [p2pRanks, tags, statuses]],
  ['sendrecvObject', [values, p2pRanks, p2pRanks, tags, tags]], ['isend', [buffers, p2pRanks, tags]],
  ['irecv', [buffers, p2pRanks, tags]], ['isendObject', [values, p2pRanks, tags]], ['irecvObject', [p2pRanks, tags]],
  ['barrier', []], ['bcast', [buffers, roots]], ['reduce', [buffers, ops, roots, buffers], 2],
  ['allreduce', [buffers, ops, buffers]], ['scan', [buffers, ops, buffers]], ['exscan', [buffers, ops, buffers]],
  ['reduceScatterBlock', [buffers, ops, buffers]], ['gather', [buffers, roots, buffers], 1],
  ['allgather', [buffers, buffers]], ['scatter', [buffers, buffers, roots], 2], ['alltoall', [buffers, buffers]],
  ['gatherv', [buffers, roots, counts, buffers], 1], ['allgatherv', [buffers, counts, buffers]],
  ['scatterv', [buffers, counts, buffers, roots], 3], ['alltoallv', [buffers, counts, counts, buffers]],
  ['bcastObject', [values, roots], 1], ['gatherObject', [values, roots], 1], ['allgatherObject', [values]],
  ['scatterObject', [values, roots], 1], ['alltoallObject', [values]], ['reduceObject', [values, ops, roots], 2],
  ['allreduceObject', [values, ops]], ['ibarrier', []], ['ibcast', [buffers, roots]],
  ['ireduce', [buffers, ops, roots, buffers], 2], ['iallreduce', [buffers, ops, buffers]],
  ['igather', [buffers, roots, buffers], 1], ['iallgather', [buffers, buffers]],
  ['iscatter', [buffers, buffers, roots], 2], ['ialltoall', [buffers, buffers]],
  ['dup', []], ['split', [roots, tags]], ['splitShared', []], ['compare', [comms]],
  ['createCart', [any, any, any]], ['free', []], ['getName', []], ['setName', [any]],
].filter(([name]) => name === 'getName' || name === 'setName' || typeof MPI.Comm.prototype[name] === 'function');

const commCall = fc.constantFrom(...commMethods).chain(([name, tables, rootIndex]) =>
  fc.tuple(pick(comms), ...tables.map(pick), fc.nat(4)).map(([receiver, ...rest]) => {
    // Leave out up to 4 trailing arguments, to reach the defaults; but never a point-to-point rank, whose default
    // ANY_SOURCE would wait for a message nobody sends.
    const omitted = rest.pop();
    const keep = tables.lastIndexOf(p2pRanks) + 1;
    const args = rest.slice(0, Math.max(keep, rest.length - omitted));
    return { kind: 'comm', name, receiver, args, rootIndex };
  }));

const moduleCalls = [
  ['computeDims', [any, any]], ['opCreate', [any, any]], ['setAbortOnError', [any]], ['abort', [abortCodes]],
  ['statusCount', [statuses, any]], ['waitAll', [any]], ['waitAny', [any]], ['requestOn', [any]],
  ['newComm', [any]], ['setProgressPolicy', [any]],
];
const moduleCall = fc.constantFrom(...moduleCalls).chain(([name, tables]) =>
  fc.tuple(...tables.map(pick)).map((args) => ({ kind: 'module', name, args })));

const build = ({ table, key }, sibling) => table[key](sibling);

// A result to dispose of: communicators made by a call that passed, requests and promises to settle.
async function settle(result) {
  if (result instanceof MPI.Comm && result !== world && result !== MPI.COMM_SELF) result.free();
  if (result !== null && typeof result?.then === 'function') return settle(await result);
}

async function perform(call) {
  if (call.kind === 'module') {
    const [a, b] = call.args.map((arg) => build(arg));
    switch (call.name) {
      case 'computeDims': return MPI.computeDims(a, b);
      case 'opCreate': MPI.Op.create(a, b).free(); return undefined;
      case 'setAbortOnError': try { return MPI.setAbortOnError(a); } finally { MPI.setAbortOnError(true); }
      case 'abort': return MPI.abort(a);  // only invalid codes are drawn: a valid one would end the job
      case 'statusCount': return MPI.Status.prototype.count.call(a ?? new MPI.Status(), b);
      case 'waitAll': return MPI.waitAll(a);
      case 'waitAny': return MPI.waitAny(a);
      case 'requestOn': { const done = world.isend(new Uint8Array(1), MPI.PROC_NULL); await done;
        return [MPI.Request.prototype.test.call(a), MPI.Request.prototype.cancel.call(a)]; }
      case 'newComm': new MPI.Comm(a); return undefined;  // not freed: it may alias a live communicator
      case 'setProgressPolicy': try { return MPI.setProgressPolicy(a); } finally { MPI.setProgressPolicy('adaptive'); }
    }
  }
  const receiver = build(call.receiver);
  let args = [];
  for (const arg of call.args) args.push(build(arg, args[0]));
  // On COMM_WORLD, a rooted collective gets an invalid root: the root checks its buffers, the others do not.
  if (call.rootIndex !== undefined && receiver === world && call.args.length > call.rootIndex) {
    const valid = Number.isInteger(args[call.rootIndex]) && args[call.rootIndex] >= 0 && args[call.rootIndex] < size;
    if (valid || call.args[call.rootIndex].key === 'undefined') args[call.rootIndex] = -3;
  } else if (call.rootIndex !== undefined && receiver === world) {
    args = [...args, ...Array(call.rootIndex - args.length).fill(undefined), -3];
  }
  if (call.name === 'free' && (receiver === world || receiver === MPI.COMM_SELF)) {
    return receiver.free();  // must throw: the predefined communicators cannot be freed
  }
  if (call.name === 'getName') return Reflect.get(MPI.Comm.prototype, 'name', receiver);
  if (call.name === 'setName') return Reflect.set(MPI.Comm.prototype, 'name', args[0], receiver);
  if (call.name === 'free') {
    // free() on a fresh duplicate frees it; on anything else it must throw.
    return MPI.Comm.prototype.free.call(receiver);
  }
  return MPI.Comm.prototype[call.name].apply(receiver, args);
}

const expected = (error) => error instanceof TypeError || error instanceof RangeError || error instanceof MPI.MpiError;

describe(`hostile arguments (${RUNS} calls, seed ${SEED})`, function () {
  this.timeout(600000);

  after(() => {
    for (const [comm, real] of forged) { comm.handle = real; comm.free(); }
    userOp.free();
    throwingOp.free();
  });

  // Found by the property below: the native layer used to read a handle of NaN or 0.5 as 0, that is COMM_WORLD,
  // while the TS layer sized buffers for the communicator the object had been (here COMM_SELF's duplicate).
  it('refuses a communicator whose handle was overwritten, never taking it for COMM_WORLD', () => {
    for (const handle of [NaN, 0.5, -0.5, Infinity, 2 ** 32, 2 ** 32 + 1, -(2 ** 32)]) {
      const comm = forgedComm(handle);
      expect(() => comm.allgather(new Int32Array(1)), String(handle)).to.throw(/comm/);
      expect(() => comm.barrier(), String(handle)).to.throw(/comm/);
      // The point-to-point calls pass the handle through a shared array rather than as an argument: same check.
      expect(() => comm.send(new Int32Array(1), 0), String(handle)).to.throw(/comm/);
      expect(() => comm.recv(new Int32Array(1), 0), String(handle)).to.throw(/comm/);
      expect(() => comm.isend(new Int32Array(1), 0), String(handle)).to.throw(/comm/);
      expect(() => comm.irecv(new Int32Array(1), 0), String(handle)).to.throw(/comm/);
    }
  });

  it('never crash or hang, throw only TypeError, RangeError or MpiError, and leave the rank working', async () => {
    const calls = fc.sample(fc.oneof({ weight: 6, arbitrary: commCall }, { weight: 1, arbitrary: moduleCall }),
      { seed: SEED, numRuns: RUNS });
    const wrong = [];
    let threw = 0;
    for (const [index, call] of calls.entries()) {
      const label = `#${index} ${call.name}(${call.args.map((a) => a.key).join(', ')})` +
        (call.receiver ? ` on ${call.receiver.key}` : '');
      if (TRACE) console.log(`rank ${world.rank} ${label}`);  // to find the call a hang is in
      try {
        await settle(await perform(call));
      } catch (error) {
        threw++;
        if (!expected(error)) wrong.push(`${label}: ${error?.constructor?.name}: ${error?.message ?? error}`);
      }
      // The rank still works: a point-to-point exchange with itself and a collective over the world.
      const back = new Int32Array(1);
      world.sendrecv(new Int32Array([index]), world.rank, back, world.rank, 5, 5);
      if (back[0] !== index) wrong.push(`${label}: a sendrecv with itself afterwards got ${back[0]}`);
      if (index % 10 === 9 || index === calls.length - 1) {
        const sum = world.allreduce(new Int32Array([index]));
        if (sum[0] !== index * size) wrong.push(`${label}: allreduce afterwards gave ${sum[0]}`);
      }
    }
    expect(wrong).to.deep.equal([]);
    expect(world.iprobe(), 'a message was left behind').to.equal(null);
    expect(threw).to.be.above(RUNS / 4);
  });
});
