// Collectives on buffers, zero-copy, with the datatype taken from the array class. Every rank of the communicator
// calls them in the same order. Each function checks all its arguments on the calling rank before MPI is called, so
// a bad argument throws there and names itself; the other ranks, already in the collective, then wait for that rank
// (see the README). The `*Target` helpers do the checks of a collective and return the buffer its result goes to:
// the nonblocking forms reuse them.
import { constants } from 'node:buffer';
import type { Comm } from './comm';
import { checkBuffer, checkRoot, checkedKind, memoryOf, messageKind } from './errors';
import { native, viewKind } from './native';
import { Op, checkOp } from './op';

type Buf = ArrayBufferView;
type TypedArrayClass = { new(length: number): Buf; new(buffer: ArrayBufferLike, offset: number, length: number): Buf;
  readonly BYTES_PER_ELEMENT: number };

/** The most elements the v-collectives address: MPI-3 takes their counts and displacements as C ints. */
export const INT_MAX = 0x7fffffff;

/** The number of elements of a buffer: a typed array's length, a DataView's bytes. */
export function lengthOf(buf: Buf): number {
  return (buf as Uint8Array).length ?? buf.byteLength;
}

function className(buf: Buf): string {
  return buf.constructor?.name ?? 'object';
}

// Below this size, zero-filling a new array costs nothing worth avoiding.
const UNINITIALIZED_FROM = 1 << 16;

/**
 * A new buffer of `like`'s class for `length` elements, for MPI to fill completely. Large ones are not zero-filled
 * first (MPI overwrites every byte; the memory comes from `Buffer.allocUnsafeSlow`); `zeroed` asks for zeros.
 */
export function allocLike<T extends Buf>(like: T, length: number, zeroed = false): T {
  if (like instanceof DataView) return new DataView(new ArrayBuffer(length)) as Buf as T;
  if (like.constructor === Buffer) return (zeroed ? Buffer.alloc(length) : Buffer.allocUnsafe(length)) as Buf as T;
  const Class = like.constructor as TypedArrayClass;
  const bytes = length * Class.BYTES_PER_ELEMENT;
  if (zeroed || bytes < UNINITIALIZED_FROM || bytes > constants.MAX_LENGTH) return new Class(length) as T;
  return new Class(Buffer.allocUnsafeSlow(bytes).buffer, 0, length) as T;
}

/** Whether two buffers share memory: MPI must not receive into the buffer it sends from. */
function overlap(a: Buf, b: Buf): boolean {
  return memoryOf(a) === memoryOf(b) && a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * `out`, checked to be a buffer of `like`'s class, apart from it in memory, with room for `length` elements (`what`
 * says why).
 */
export function checkOut<T extends Buf>(out: unknown, like: T, length: number, what: string): T {
  checkBuffer(out, 'out');
  if (out.constructor !== like.constructor) {
    throw new TypeError(`out must be of the input's class ${className(like)}, not ${className(out)}`);
  }
  if (overlap(out, like)) {
    throw new TypeError('out must not share memory with the input (a reduction takes the input itself as out to ' +
      'reduce in place)');
  }
  if (lengthOf(out) < length) {
    throw new RangeError(`out must hold at least ${length} elements (${what}), not ${lengthOf(out)}`);
  }
  return out as T;
}

function checkDivisible(buf: Buf, size: number, name: string): number {
  const length = lengthOf(buf);
  if (length % size !== 0) {
    throw new RangeError(`${name}.length must be divisible by the communicator's size ${size}, not ${length}`);
  }
  return length / size;
}

// ---- Reductions ---------------------------------------------------------------------------------------------------

/**
 * Checks the arguments of allreduce, scan and exscan; returns where the result goes: `out` (the input itself for an
 * in-place reduction) or a new array.
 */
export function reductionTarget<T extends Buf>(sendbuf: T, op: Op, out: T | null | undefined, zeroed = false): T {
  checkBuffer(sendbuf, 'sendbuf');
  checkOp(op, sendbuf);
  if (out == null) return allocLike(sendbuf, lengthOf(sendbuf), zeroed);
  return out === sendbuf ? out : checkOut(out, sendbuf, lengthOf(sendbuf), 'the length of sendbuf');
}

/**
 * The kinds of a reduction's input and result for the addon (either may be a registered view's slot): NaN for the
 * input of an in-place reduction, which MPI does not read, and for no result (reduce off the root). A result this
 * call made is only read off its class: a new array per call is not worth remembering as a view used before. Two
 * functions rather than one returning a pair: spreading a pair into the native call cost ~1000 instructions.
 */
export function inputKind(sendbuf: Buf, recv: Buf | null): number {
  return recv === sendbuf ? NaN : checkedKind(sendbuf, 'sendbuf');
}
export function resultKind(recv: Buf | null, out: unknown): number {
  if (recv === null) return NaN;
  return out == null ? viewKind(recv) : checkedKind(recv, 'out');
}

/** Checks the arguments of reduce; the result's buffer at the root, null elsewhere. */
export function reduceTarget<T extends Buf>(comm: Comm, sendbuf: T, op: Op, root: number,
  out: T | null | undefined): T | null {
  checkBuffer(sendbuf, 'sendbuf');
  checkOp(op, sendbuf);
  if (checkRoot(root, comm.size) !== comm.rank) return null;
  if (out == null) return allocLike(sendbuf, lengthOf(sendbuf));
  return out === sendbuf ? out : checkOut(out, sendbuf, lengthOf(sendbuf), 'the length of sendbuf');
}

export function reduce<T extends Buf>(comm: Comm, sendbuf: T, op: Op, root: number, out?: T | null): T | null {
  const recv = reduceTarget(comm, sendbuf, op, root, out);
  native.reduce(comm.handle, recv === sendbuf ? null : sendbuf, recv, op.handle, root, inputKind(sendbuf, recv),
    resultKind(recv, out));
  return recv;
}

export function allreduce<T extends Buf>(comm: Comm, sendbuf: T, op: Op, out?: T | null): T {
  const recv = reductionTarget(sendbuf, op, out);
  native.allreduce(comm.handle, recv === sendbuf ? null : sendbuf, recv, op.handle, inputKind(sendbuf, recv),
    resultKind(recv, out));
  return recv;
}

export function scan<T extends Buf>(comm: Comm, sendbuf: T, op: Op, out?: T | null): T {
  const recv = reductionTarget(sendbuf, op, out);
  native.scan(comm.handle, recv === sendbuf ? null : sendbuf, recv, op.handle, inputKind(sendbuf, recv),
    resultKind(recv, out));
  return recv;
}

/** MPI leaves rank 0's result undefined: there `out` is left as it was, and a new array holds zeros. */
export function exscan<T extends Buf>(comm: Comm, sendbuf: T, op: Op, out?: T | null): T {
  const recv = reductionTarget(sendbuf, op, out, comm.rank === 0);
  native.exscan(comm.handle, recv === sendbuf ? null : sendbuf, recv, op.handle, inputKind(sendbuf, recv),
    resultKind(recv, out));
  return recv;
}

/** Checks the arguments of reduceScatterBlock; the result's buffer (the input itself when in place). */
export function reduceScatterTarget<T extends Buf>(comm: Comm, sendbuf: T, op: Op, out: T | null | undefined): T {
  checkBuffer(sendbuf, 'sendbuf');
  checkOp(op, sendbuf);
  const block = checkDivisible(sendbuf, comm.size, 'sendbuf');
  if (block > INT_MAX) throw new RangeError(`reduceScatterBlock moves at most 2^31-1 elements per rank, not ${block}`);
  if (out == null) return allocLike(sendbuf, block);
  return out === sendbuf ? out : checkOut(out, sendbuf, block, "sendbuf.length / the communicator's size");
}

/** In place (`out` = `sendbuf`), the rank's block of the result is the first `sendbuf.length / size` elements. */
export function reduceScatterBlock<T extends Buf>(comm: Comm, sendbuf: T, op: Op, out?: T | null): T {
  const recv = reduceScatterTarget(comm, sendbuf, op, out);
  native.reduceScatterBlock(comm.handle, recv === sendbuf ? null : sendbuf, recv, op.handle, inputKind(sendbuf, recv),
    resultKind(recv, out));
  return recv;
}

// ---- Blocks of equal length ---------------------------------------------------------------------------------------

export function barrier(comm: Comm): void {
  native.barrier(comm.handle);
}

export function bcast<T extends Buf>(comm: Comm, buf: T, root: number): T {
  const kind = messageKind(buf, 'buf');
  native.bcast(comm.handle, buf, checkRoot(root, comm.size), kind);
  return buf;
}

/** Checks the arguments of gather (allgather without `root`); the result's buffer, null off the root. */
export function gatherTarget<T extends Buf>(comm: Comm, sendbuf: T, root: number | undefined,
  out: T | null | undefined): T | null {
  checkBuffer(sendbuf, 'sendbuf');
  const size = comm.size;
  if (root !== undefined && checkRoot(root, size) !== comm.rank) return null;
  const length = size * lengthOf(sendbuf);
  if (out == null) return allocLike(sendbuf, length);
  return checkOut(out, sendbuf, length, "the communicator's size × sendbuf.length");
}

export function gather<T extends Buf>(comm: Comm, sendbuf: T, root: number, out?: T | null): T | null {
  const recv = gatherTarget(comm, sendbuf, root, out);
  native.gather(comm.handle, sendbuf, recv, root, checkedKind(sendbuf, 'sendbuf'), resultKind(recv, out));
  return recv;
}

export function allgather<T extends Buf>(comm: Comm, sendbuf: T, out?: T | null): T {
  const recv = gatherTarget(comm, sendbuf, undefined, out) as T;
  native.allgather(comm.handle, sendbuf, recv, checkedKind(sendbuf, 'sendbuf'), resultKind(recv, out));
  return recv;
}

// The root's sendbuf of scatter and scatterv: of recvbuf's class, apart from it in memory.
function checkApart(sendbuf: Buf, recvbuf: Buf): void {
  if (sendbuf.constructor !== recvbuf.constructor) {
    throw new TypeError(`sendbuf must be of recvbuf's class ${className(recvbuf)}, not ${className(sendbuf)}`);
  }
  if (overlap(sendbuf, recvbuf)) throw new TypeError('sendbuf must not share memory with recvbuf');
}

/** Checks the arguments of scatter; the send buffer to hand to MPI (null off the root, where it is not read). */
export function scatterSource<T extends Buf>(comm: Comm, sendbuf: T | null, recvbuf: T, root: number): T | null {
  checkBuffer(recvbuf, 'recvbuf');
  const size = comm.size;
  if (checkRoot(root, size) !== comm.rank) return null;
  checkBuffer(sendbuf, 'sendbuf');
  checkApart(sendbuf, recvbuf);
  if (lengthOf(sendbuf) !== size * lengthOf(recvbuf)) {
    throw new RangeError(`sendbuf must hold the communicator's size × recvbuf.length = ${size * lengthOf(recvbuf)} ` +
      `elements at the root, not ${lengthOf(sendbuf)}`);
  }
  return sendbuf;
}

export function scatter<T extends Buf>(comm: Comm, sendbuf: T | null, recvbuf: T, root: number): T {
  const send = scatterSource(comm, sendbuf, recvbuf, root);
  native.scatter(comm.handle, send, recvbuf, root, checkedKind(recvbuf, 'recvbuf'),
    send === null ? NaN : checkedKind(send, 'sendbuf'));
  return recvbuf;
}

/** Checks the arguments of alltoall; the result's buffer. */
export function alltoallTarget<T extends Buf>(comm: Comm, sendbuf: T, out: T | null | undefined): T {
  checkBuffer(sendbuf, 'sendbuf');
  checkDivisible(sendbuf, comm.size, 'sendbuf');
  if (out == null) return allocLike(sendbuf, lengthOf(sendbuf));
  return checkOut(out, sendbuf, lengthOf(sendbuf), 'the length of sendbuf');
}

export function alltoall<T extends Buf>(comm: Comm, sendbuf: T, out?: T | null): T {
  const recv = alltoallTarget(comm, sendbuf, out);
  native.alltoall(comm.handle, sendbuf, recv, checkedKind(sendbuf, 'sendbuf'), resultKind(recv, out));
  return recv;
}

// ---- Blocks of any length: counts and displacements are C ints in MPI-3 -------------------------------------------

/** `counts` as an Int32Array: one non-negative integer per rank, adding up to at most INT_MAX. */
export function checkCounts(counts: unknown, size: number, name: string): Int32Array {
  if (!Array.isArray(counts) && !(ArrayBuffer.isView(counts) && !(counts instanceof DataView))) {
    const what = counts === null ? 'null' : typeof counts;  // not String(counts): a Proxy may throw there
    throw new TypeError(`${name} must be an array of ${size} counts, one per rank, not ${what}`);
  }
  const list = counts as ArrayLike<unknown>;
  if (list.length !== size) {
    throw new RangeError(`${name} must have one count per rank (${size}), not ${list.length}`);
  }
  const result = new Int32Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    const count = list[i];
    if (typeof count !== 'number') throw new TypeError(`${name}[${i}] must be a number, not ${typeof count}`);
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`${name}[${i}] must be a non-negative integer, not ${count}`);
    }
    total += count;
    if (total > INT_MAX) {
      throw new RangeError(`${name} add up to more than 2^31-1 elements: MPI-3 takes the counts and displacements ` +
        'of gatherv, allgatherv, scatterv and alltoallv as C ints');
    }
    result[i] = count;
  }
  return result;
}

function sumOf(counts: Int32Array): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  return total;
}

function checkIntLength(buf: Buf, name: string): number {
  const length = lengthOf(buf);
  if (length > INT_MAX) {
    throw new RangeError(`${name} may hold at most 2^31-1 elements in a v-collective (MPI-3 int counts), not ` +
      `${length}`);
  }
  return length;
}

function checkOwnCount(counts: Int32Array, rank: number, length: number, name: string, bufName: string): void {
  if (counts[rank] !== length) {
    throw new RangeError(`${name}[${rank}] must be this rank's ${bufName}.length ${length}, not ${counts[rank]}`);
  }
}

function checkOutClass(out: unknown, like: Buf): void {
  checkOut(out, like, 0, '');
}

// The buffer a v-collective's result goes to. When the counts were exchanged, only now is it known whether `out`
// is long enough; if it is not, the collective still completes (into a new buffer, so no rank is left waiting) and
// `tooShort` then throws.
function vTarget<T extends Buf>(like: T, out: T | null | undefined, total: number, exchanged: boolean): T {
  if (out == null || (exchanged && lengthOf(out) < total)) return allocLike(like, total);
  return checkOut(out, like, total, 'the sum of the counts');
}

function tooShort(out: Buf, total: number): RangeError {
  return new RangeError(`out must hold at least ${total} elements (the sum of the counts exchanged), not ` +
    `${lengthOf(out)}; the collective completed and its result was dropped`);
}

export function gatherv<T extends Buf>(comm: Comm, sendbuf: T, root: number, counts?: number[] | null,
  out?: T | null): T | null {
  checkBuffer(sendbuf, 'sendbuf');
  const length = checkIntLength(sendbuf, 'sendbuf');
  const { rank, size } = comm;
  const atRoot = checkRoot(root, size) === rank;
  let blocks: Int32Array | null = null;
  const exchanged = counts == null;
  if (!atRoot) {
    if (exchanged) native.gather(comm.handle, Int32Array.of(length), null, root);
  } else if (exchanged) {
    if (out != null) checkOutClass(out, sendbuf);
    blocks = new Int32Array(size);
    native.gather(comm.handle, Int32Array.of(length), blocks, root);
  } else {
    blocks = checkCounts(counts, size, 'counts');
    checkOwnCount(blocks, rank, length, 'counts', 'sendbuf');
  }
  const total = blocks === null ? 0 : sumOf(blocks);
  const recv = atRoot ? vTarget(sendbuf, out, total, exchanged) : null;
  native.gatherv(comm.handle, sendbuf, recv, blocks, root);
  if (atRoot && out != null && recv !== out) throw tooShort(out, total);
  return recv;
}

export function allgatherv<T extends Buf>(comm: Comm, sendbuf: T, counts?: number[] | null, out?: T | null): T {
  checkBuffer(sendbuf, 'sendbuf');
  const length = checkIntLength(sendbuf, 'sendbuf');
  const { rank, size } = comm;
  const exchanged = counts == null;
  let blocks: Int32Array;
  if (exchanged) {
    if (out != null) checkOutClass(out, sendbuf);
    blocks = new Int32Array(size);
    native.allgather(comm.handle, Int32Array.of(length), blocks);
  } else {
    blocks = checkCounts(counts, size, 'counts');
    checkOwnCount(blocks, rank, length, 'counts', 'sendbuf');
  }
  const total = sumOf(blocks);
  const recv = vTarget(sendbuf, out, total, exchanged);
  native.allgatherv(comm.handle, sendbuf, recv, blocks);
  if (out != null && recv !== out) throw tooShort(out, total);
  return recv;
}

/** The first `length` elements of `buf`, as a view of its class over the same memory. */
function prefix<T extends Buf>(buf: T, length: number): T {
  if (buf instanceof DataView) return new DataView(buf.buffer, buf.byteOffset, length) as Buf as T;
  return (buf as unknown as Uint8Array).subarray(0, length) as unknown as T;
}

/**
 * Rank r receives `counts[r]` elements at the start of `recvbuf`. Off the root, without counts, a rank does not know
 * its count: it offers all of `recvbuf`, which must then not be longer than what the root sends it.
 */
export function scatterv<T extends Buf>(comm: Comm, sendbuf: T | null, counts: number[] | null, recvbuf: T,
  root: number): T {
  checkBuffer(recvbuf, 'recvbuf');
  const length = checkIntLength(recvbuf, 'recvbuf');
  const { rank, size } = comm;
  const atRoot = checkRoot(root, size) === rank;
  let blocks: Int32Array | null = null;
  let into = recvbuf;
  if (atRoot || counts != null) {
    blocks = checkCounts(counts, size, 'counts');
    if (blocks[rank] > length) {
      throw new RangeError(`recvbuf must hold counts[${rank}] = ${blocks[rank]} elements, not ${length}`);
    }
    if (blocks[rank] < length) into = prefix(recvbuf, blocks[rank]);
  }
  if (atRoot) {
    checkBuffer(sendbuf, 'sendbuf');
    checkApart(sendbuf, recvbuf);
    const total = sumOf(blocks as Int32Array);
    if (lengthOf(sendbuf) !== total) {
      throw new RangeError(`sendbuf.length must be the sum of the counts, ${total}, not ${lengthOf(sendbuf)}`);
    }
  }
  native.scatterv(comm.handle, atRoot ? sendbuf : null, atRoot ? blocks : null, into, root);
  return recvbuf;
}

export function alltoallv<T extends Buf>(comm: Comm, sendbuf: T, sendcounts: number[], recvcounts?: number[] | null,
  out?: T | null): T {
  checkBuffer(sendbuf, 'sendbuf');
  const { rank, size } = comm;
  const sendBlocks = checkCounts(sendcounts, size, 'sendcounts');
  if (sumOf(sendBlocks) !== lengthOf(sendbuf)) {
    throw new RangeError(`sendbuf.length must be the sum of sendcounts, ${sumOf(sendBlocks)}, not ` +
      `${lengthOf(sendbuf)}`);
  }
  const exchanged = recvcounts == null;
  let recvBlocks: Int32Array;
  if (exchanged) {
    if (out != null) checkOutClass(out, sendbuf);
    recvBlocks = new Int32Array(size);
    native.alltoall(comm.handle, sendBlocks, recvBlocks);
  } else {
    recvBlocks = checkCounts(recvcounts, size, 'recvcounts');
    if (recvBlocks[rank] !== sendBlocks[rank]) {
      throw new RangeError(`recvcounts[${rank}] must equal sendcounts[${rank}] (what this rank sends itself), ` +
        `${sendBlocks[rank]}, not ${recvBlocks[rank]}`);
    }
  }
  const total = sumOf(recvBlocks);
  const recv = vTarget(sendbuf, out, total, exchanged);
  native.alltoallv(comm.handle, sendbuf, sendBlocks, recv, recvBlocks);
  if (out != null && recv !== out) throw tooShort(out, total);
  return recv;
}
