// Shared by the specs: the buffer classes of API.md, and values that depend on the rank so that a test can compute
// what a peer must have sent without trusting the library under test.
import * as MPI from 'mpi4js';

export { MPI };
export const world = MPI.COMM_WORLD;

/** Every buffer class of API.md, with a way to make one of n elements and to read element i as a number. */
export const BUFFER_CLASSES = [
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array,
  Float64Array, BigInt64Array, BigUint64Array,
].map((ctor) => ({
  name: ctor.name,
  ctor,
  make: (n) => new ctor(n),
  bytesPerElement: ctor.BYTES_PER_ELEMENT,
  isBig: ctor === BigInt64Array || ctor === BigUint64Array,
})).concat([
  { name: 'Buffer', ctor: Buffer, make: (n) => Buffer.alloc(n), bytesPerElement: 1, isBig: false },
  { name: 'DataView', ctor: DataView, make: (n) => new DataView(new ArrayBuffer(n)), bytesPerElement: 1, isBig: false },
]);

/** A deterministic pattern of `n` element values for `rank` and `seed`, valid for every class (small non-negative). */
export function pattern(rank, n, seed = 0) {
  return Array.from({ length: n }, (_, i) => (rank * 31 + i * 7 + seed) % 100);
}

/** Fills a buffer of any class with pattern(rank, n, seed). */
export function fill(buf, rank, seed = 0) {
  const values = pattern(rank, elementCount(buf), seed);
  values.forEach((v, i) => setElement(buf, i, v));
  return buf;
}

export function elementCount(buf) {
  return buf instanceof DataView ? buf.byteLength : buf.length;
}

export function setElement(buf, i, v) {
  if (buf instanceof DataView) buf.setUint8(i, v);
  else if (buf instanceof BigInt64Array || buf instanceof BigUint64Array) buf[i] = BigInt(v);
  else buf[i] = v;
}

export function getElement(buf, i) {
  if (buf instanceof DataView) return buf.getUint8(i);
  return Number(buf[i]);
}

/** A buffer of class `cls` holding `values`. */
export function bufferOf(cls, values) {
  const buf = cls.make(values.length);
  values.forEach((v, i) => setElement(buf, i, v));
  return buf;
}

/** What an element of `cls` holds after MPI's integer arithmetic (wrapping, also for Uint8ClampedArray). */
export function stored(cls, x) {
  const Class = [Uint8ClampedArray, Buffer, DataView].includes(cls.ctor) ? Uint8Array : cls.ctor;
  const one = new Class(1);
  one[0] = cls.isBig ? BigInt(x) : x;
  return Number(one[0]);
}

/** The elements of a buffer as plain numbers. */
export function toNumbers(buf) {
  return Array.from({ length: elementCount(buf) }, (_, i) => getElement(buf, i));
}

/** The rank this one exchanges with in pairwise tests (0<->1, 2<->3), or null for an odd one out. */
export function partnerOf(rank = world.rank, size = world.size) {
  const partner = rank ^ 1;
  return partner < size ? partner : null;
}

export const next = (world.rank + 1) % world.size;
export const prev = (world.rank - 1 + world.size) % world.size;

/**
 * Skips the calling test in a 1-rank world when its pattern sends to this very rank before receiving: a
 * standard-mode send may block until the matching receive is posted (MPICH's 1-rank world does), so that pattern
 * is only valid with a peer. Call as needsPeer(this) from a `function () {}` test.
 */
export function needsPeer(context) {
  if (world.size === 1) context.skip();
}
