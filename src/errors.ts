// The one error class of MPI failures, and the argument checks that keep bad input away from MPI. Each check
// names the argument and what was expected, and costs no allocation when the argument is good.
import { native, typedArrayTag, viewKind } from './native';

/** An error reported by MPI, or by mpi4js about MPI state (a freed communicator, a finalized MPI). */
export class MpiError extends Error {
  /** The MPI error class number, as `MPI_Error_class` gives it (implementation-specific). */
  readonly errorClass: number;
  /** The name of the error class, such as `'MPI_ERR_TRUNCATE'`; stable across MPI implementations. */
  readonly code: string;

  constructor(message: string, errorClass: number, code: string) {
    super(message);
    this.name = 'MpiError';
    this.errorClass = errorClass;
    this.code = code;
  }
}
native.setErrorClass(MpiError);

/** A short description of a bad argument for an error message: its class, its value, or a quoted string. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') {
    try {
      return String((value as object).constructor?.name ?? 'object');
    } catch {
      return 'object';  // a Proxy may throw when merely asked its constructor: the argument's message must not
    }
  }
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  return typeof value === 'bigint' ? `${value}n` : String(value);
}

/** Throws unless `buf` is a typed array, Buffer or DataView over memory MPI can use for the whole call. */
export function checkBuffer(buf: unknown, name: string): asserts buf is ArrayBufferView {
  if (!ArrayBuffer.isView(buf)) {
    throw new TypeError(`${name} must be a typed array, Buffer or DataView, not ${describe(buf)}`);
  }
  // A detached (transferred) buffer looks like an empty one; only then is the native question worth asking.
  if (byteLengthOf(buf) === 0 && native.isDetached(buf)) {
    throw new TypeError(`${name} is detached (its ArrayBuffer was transferred) and cannot be used`);
  }
  if (fixedViews.has(buf)) return;
  const memory = buf.buffer as ArrayBufferLike & { resizable?: boolean; growable?: boolean };
  // A new view of memory already seen (a subarray per call, say) is not remembered itself: adding every such view to
  // a WeakSet costs more than the check it saves (~135 ns per view, and ephemerons for the collector to trace).
  if (fixedMemory.has(memory)) return;
  if (memory.resizable === true || memory.growable === true) {
    throw new TypeError(`${name} is backed by a resizable ArrayBuffer, whose memory can move: pass a fixed-length one`);
  }
  fixedMemory.add(memory);
  fixedViews.set(buf, { memory, uses: 0 }); // counted by countedKind
}

/**
 * checkBuffer for the calls that hand a view to the addon, giving the kind they pass with it. A typed array used
 * again and again is registered with the addon, which keeps its memory, class and length in a slot
 * (native/datatype.h); from then on the kind is the slot's number, and the addon does not even look at the view:
 * about 540 instructions saved per call. The one thing a slot cannot know is that the view's ArrayBuffer has been
 * detached since, which leaves a view no bytes (and frees or moves its memory): before each use, V8's own
 * `byteLength` getter (not a property the user may have shadowed) must find them still there, or the view takes the
 * whole check again, which reports it.
 */
export function messageKind(buf: unknown, name: string): number {
  const slot = registeredViews.get(buf as object);
  if (slot !== undefined && typedArrayByteLength.call(buf) !== 0) return slot;
  checkBuffer(buf, name);
  return countedKind(buf);
}

/**
 * messageKind for a view that checkBuffer has passed earlier in the same call (the collectives check their buffers
 * first), without a second checkBuffer, whose `buffer` getter a new view pays again. A registered view still has its
 * bytes tested: user code (a `constructor` getter) may have run since the check.
 */
export function checkedKind(buf: ArrayBufferView, name: string): number {
  const slot = registeredViews.get(buf);
  if (slot === undefined) return countedKind(buf);
  return typedArrayByteLength.call(buf) !== 0 ? slot : messageKind(buf, name);
}

// The kind of a checked view that has no slot; a view's REGISTER_AT_USE-th use registers it. Apart from
// messageKind, whose fast path must stay small enough for V8 to inline into each call.
function countedKind(buf: ArrayBufferView): number {
  const kind = viewKind(buf);
  const seen = fixedViews.get(buf);
  if (seen === undefined || !(kind <= LAST_TYPED_ARRAY_KIND) || typedArrayByteLength.call(buf) === 0) return kind;
  // Registering costs microseconds, which a view used only a few times would not earn back: a new Float64Array(4) per
  // exchange, used in three send + recv pairs, took 2-3 us more when registered at its second use. Most of that was
  // the registeredViews entry itself (a WeakMap entry per view made at its second use, counting uses until the
  // 16th, cost 1.5-2 us of it), so the uses are counted in the view's fixedViews record.
  if (++seen.uses < REGISTER_AT_USE) return kind;
  const registered = native.registerView(buf);
  registeredViews.set(buf, registered);
  return registered;
}

const registeredViews = new WeakMap<object, number>();
const REGISTER_AT_USE = 16;

// The byte length of a view by V8's own getters, which a `byteLength` property the user puts on the view cannot
// shadow: 0 once its buffer is detached (DataView's getter throws then).
function byteLengthOf(view: ArrayBufferView): number {
  if (typedArrayTag.call(view) !== undefined) return typedArrayByteLength.call(view) as number;
  try {
    return dataViewByteLength.call(view) as number;
  } catch {
    return 0;
  }
}
const typedArrayByteLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype),
  'byteLength')!.get!;
const dataViewByteLength = Object.getOwnPropertyDescriptor(DataView.prototype, 'byteLength')!.get!;
// The typed-array kinds are 0 to this; DataView's is above.
const LAST_TYPED_ARRAY_KIND = native.VIEW_KINDS.BigUint64Array;

/** The ArrayBuffer behind a checked view (checkBuffer), without V8's `buffer` getter when the view is known. */
export function memoryOf(view: ArrayBufferView): ArrayBufferLike {
  return fixedViews.get(view)?.memory ?? view.buffer;
}

// Views, and the ArrayBuffers behind them, already seen to be of fixed length. A view never changes its ArrayBuffer,
// nor an ArrayBuffer whether it is resizable, so one look suffices; the `buffer` getter is a call into V8's C++ that a
// loop of small sends would otherwise pay every time (about 120 instructions per call, callgrind).
// A view's record also counts its uses by messageKind.
const fixedViews = new WeakMap<ArrayBufferView, { readonly memory: ArrayBufferLike; uses: number }>();
const fixedMemory = new WeakSet<ArrayBufferLike>();

/** An integer in [min, max], or one of the special values allowed (ANY_SOURCE, PROC_NULL, ANY_TAG). */
function checkInteger(value: unknown, name: string, min: number, max: number, what: string, special: number[]): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be ${what}, not ${describe(value)}`);
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  if (special.includes(value)) return value;
  throw new RangeError(`${name} must be ${what}, not ${describe(value)}`);
}

const { TAG_UB } = native; // read once: every send and receive checks its tag
const NO_SPECIAL: number[] = [];
const DEST_SPECIAL = [native.PROC_NULL];
const SOURCE_SPECIAL = [native.ANY_SOURCE, native.PROC_NULL];
const RECV_TAG_SPECIAL = [native.ANY_TAG];

/** A destination rank: 0..size-1 or PROC_NULL. */
export function checkDest(dest: unknown, size: number, name = 'dest'): number {
  if (typeof dest === 'number' && (dest | 0) === dest && dest >= 0 && dest < size) return dest;
  return checkInteger(dest, name, 0, size - 1, `a rank from 0 to ${size - 1} or PROC_NULL`, DEST_SPECIAL);
}

/** A source rank: 0..size-1, ANY_SOURCE or PROC_NULL. */
export function checkSource(source: unknown, size: number, name = 'source'): number {
  if (typeof source === 'number' && (source | 0) === source && source >= 0 && source < size) return source;
  return checkInteger(source, name, 0, size - 1, `a rank from 0 to ${size - 1}, ANY_SOURCE or PROC_NULL`,
    SOURCE_SPECIAL);
}

/** A root rank of a collective: 0..size-1. */
export function checkRoot(root: unknown, size: number, name = 'root'): number {
  if (typeof root === 'number' && (root | 0) === root && root >= 0 && root < size) return root;
  return checkInteger(root, name, 0, size - 1, `a rank from 0 to ${size - 1}`, NO_SPECIAL);
}

/** A send tag: 0..TAG_UB. */
export function checkSendTag(tag: unknown, name = 'tag'): number {
  if (typeof tag === 'number' && (tag | 0) === tag && tag >= 0 && tag <= TAG_UB) return tag;
  return checkInteger(tag, name, 0, TAG_UB, `an integer tag from 0 to ${TAG_UB}`, NO_SPECIAL);
}

/** A receive tag: 0..TAG_UB or ANY_TAG. */
export function checkRecvTag(tag: unknown, name = 'tag'): number {
  if (typeof tag === 'number' && (tag | 0) === tag && tag >= 0 && tag <= TAG_UB) return tag;
  return checkInteger(tag, name, 0, TAG_UB, `an integer tag from 0 to ${TAG_UB} or ANY_TAG`,
    RECV_TAG_SPECIAL);
}

/** Any integer in [min, max] (colors, keys, counts, dimensions). */
export function checkInt(value: unknown, name: string, min = -0x80000000, max = 0x7fffffff): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  return checkInteger(value, name, min, max, `an integer from ${min} to ${max}`, NO_SPECIAL);
}
