// Collectives on values: any structured-cloneable value travels as the bytes of the node:v8 serializer, their
// lengths exchanged first. The messages run on a hidden duplicate of the user's communicator (Comm.valueContext), so
// they never meet the user's own. Every rank, the root included, gets values through the serializer: the same
// copies everywhere, never the caller's own objects.
import type { Comm } from './comm';
import { INT_MAX } from './collectives';
import { checkRoot } from './errors';
import { native } from './native';
import { Op, checkValueOp } from './op';
import { pack, unpack } from './values';

/** A reduction of values: a built-in or user Op, or any function combining two values into one. */
export type ValueOp<T> = Op | ((a: T, b: T) => T);

/**
 * The type a value collective gives back for an argument of type T: T itself, but a literal widened to its primitive
 * (`bcastObject(0)` is a `number`: the value that comes back is the root's or a reduction's, not the argument).
 */
export type Widen<T> = T extends number ? number : T extends bigint ? bigint : T extends string ? string
  : T extends boolean ? boolean : T;

function packed(value: unknown, name: string): Buffer {
  const bytes = pack(value, name);
  if (bytes.length > INT_MAX) {
    throw new RangeError(`${name} serializes to ${bytes.length} bytes; the value collectives move at most 2^31-1 ` +
      'bytes per rank (MPI-3 int counts)');
  }
  return bytes;
}

function checkValues(values: unknown, size: number, name: string): unknown[] {
  if (!Array.isArray(values)) throw new TypeError(`${name} must be an array of one value per rank`);
  if (values.length !== size) {
    throw new RangeError(`${name} must hold one value per rank (${size}), not ${values.length}`);
  }
  return values;
}

function unpackAll<T>(bytes: Buffer, counts: Int32Array): T[] {
  const values = new Array<T>(counts.length);
  let offset = 0;
  for (let i = 0; i < counts.length; i++) {
    values[i] = unpack<T>(bytes.subarray(offset, offset + counts[i]));
    offset += counts[i];
  }
  return values;
}

function sumOf(counts: Int32Array): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  return total;
}

function packAll(values: unknown[], name: string): { bytes: Buffer; counts: Int32Array } {
  const parts = values.map((v, i) => packed(v, `${name}[${i}]`));
  const counts = Int32Array.from(parts, (p) => p.length);
  if (sumOf(counts) > INT_MAX) {
    throw new RangeError(`${name} serialize to more than 2^31-1 bytes in all, the most that MPI-3's int ` +
      'displacements address');
  }
  return { bytes: Buffer.concat(parts), counts };
}

export function bcastObject<T>(comm: Comm, value: T, root: number): T {
  const atRoot = checkRoot(root, comm.size) === comm.rank;
  const bytes = atRoot ? pack(value) : undefined;
  const context = comm.valueContext;
  const length = Float64Array.of(bytes?.length ?? 0);
  native.bcast(context.handle, length, root);
  const payload = bytes ?? Buffer.allocUnsafe(length[0]);
  native.bcast(context.handle, payload, root);
  return unpack<T>(payload);
}

export function gatherObject<T>(comm: Comm, value: T, root: number): T[] | null {
  const atRoot = checkRoot(root, comm.size) === comm.rank;
  const bytes = packed(value, 'value');
  const context = comm.valueContext;
  const counts = atRoot ? new Int32Array(comm.size) : null;
  native.gather(context.handle, Int32Array.of(bytes.length), counts, root);
  const all = counts === null ? null : Buffer.allocUnsafe(sumOf(counts));
  native.gatherv(context.handle, bytes, all, counts, root);
  return all === null ? null : unpackAll<T>(all, counts as Int32Array);
}

export function allgatherObject<T>(comm: Comm, value: T): T[] {
  const bytes = packed(value, 'value');
  const context = comm.valueContext;
  const counts = new Int32Array(comm.size);
  native.allgather(context.handle, Int32Array.of(bytes.length), counts);
  const all = Buffer.allocUnsafe(sumOf(counts));
  native.allgatherv(context.handle, bytes, all, counts);
  return unpackAll<T>(all, counts);
}

/** `values` (one per rank) is read at the root only. */
export function scatterObject<T>(comm: Comm, values: T[] | null, root: number): T {
  const atRoot = checkRoot(root, comm.size) === comm.rank;
  const send = atRoot ? packAll(checkValues(values, comm.size, 'values'), 'values') : null;
  const context = comm.valueContext;
  const length = new Int32Array(1);
  native.scatter(context.handle, send?.counts ?? null, length, root);
  const payload = Buffer.allocUnsafe(length[0]);
  native.scatterv(context.handle, send?.bytes ?? null, send?.counts ?? null, payload, root);
  return unpack<T>(payload);
}

/** Value `values[i]` goes to rank i; the result holds the value from each rank, in rank order. */
export function alltoallObject<T>(comm: Comm, values: T[]): T[] {
  const send = packAll(checkValues(values, comm.size, 'values'), 'values');
  const context = comm.valueContext;
  const counts = new Int32Array(comm.size);
  native.alltoall(context.handle, send.counts, counts);
  const all = Buffer.allocUnsafe(sumOf(counts));
  native.alltoallv(context.handle, send.bytes, send.counts, all, counts);
  return unpackAll<T>(all, counts);
}

// In rank order: f(...f(f(v0, v1), v2)..., vN-1).
function fold<T>(values: T[], combine: (a: T, b: T) => T): T {
  let result = values[0];
  for (let i = 1; i < values.length; i++) result = combine(result, values[i]);
  return result;
}

export function reduceObject<T>(comm: Comm, value: T, op: ValueOp<T>, root: number): T | null {
  const combine = checkValueOp(op, value);
  const values = gatherObject(comm, value, root);
  return values === null ? null : fold(values, combine);
}

/** Every rank gathers all values and folds them itself, in rank order: the same result everywhere. */
export function allreduceObject<T>(comm: Comm, value: T, op: ValueOp<T>): T {
  const combine = checkValueOp(op, value);
  return fold(allgatherObject(comm, value), combine);
}
