// Reduction operations: MPI's ten built-in ops and user ops written in JS, for the buffer collectives (where MPI
// applies them) and the value collectives (where they combine JS values).
import { describe as describeArgument } from './errors';
import { native, viewKind } from './native';

// The kinds of elements MPI's table of ops and datatypes is written in (MPI-3.1 §5.9.2). A Buffer, a
// Uint8ClampedArray and the BigInt arrays are integers; a DataView is MPI_BYTE.
const INTEGER = 1;
const FLOAT = 2;
const BYTE = 4;
const ANY = INTEGER | FLOAT | BYTE;

// By the addon's kind of a view (viewKind): the class V8 made it with, which is also what sets the MPI datatype, so
// that the op is checked against the elements MPI will see, whatever the view's `constructor` says.
const CATEGORY_BY_KIND = new Map(Object.entries(native.VIEW_KINDS).map(([name, kind]) =>
  [kind, name === 'DataView' ? BYTE : name.startsWith('Float') ? FLOAT : INTEGER]));

function kindOf(buf: ArrayBufferView): number {
  return CATEGORY_BY_KIND.get(viewKind(buf)) ?? INTEGER; // a class the addon has no kind for: Float16Array
}

// As errors.ts describes an argument, but a string is "a string": these messages speak of kinds of values.
function describe(value: unknown): string {
  return typeof value === 'string' ? 'a string' : describeArgument(value);
}

type Combine = (a: any, b: any) => unknown;

/** @internal What an op applies to, on buffers and on values. */
export interface OpRules {
  /** The kinds of buffer elements MPI defines the op on, and what to say otherwise. */
  readonly accepts: number;
  readonly domain: string;
  /** Combines two values in the value collectives: the lower rank's first. */
  readonly combine: Combine;
  /** Whether the value collectives can combine this value with this op, and what to say otherwise. */
  readonly takes: (value: unknown) => boolean;
  readonly values: string;
}

/**
 * A reduction operation: one of the built-in `SUM, PROD, MIN, MAX, LAND, LOR, LXOR, BAND, BOR, BXOR`, or a user op
 * from `Op.create`.
 */
export class Op {
  /** @internal The addon's handle; -1 once freed. */
  handle: number;
  /** `'SUM'`, `'PROD'`... for the built-in ops; the function's name (or `'user'`) for a user op. */
  readonly name: string;
  /** Whether MPI may combine operands in any order (true for every built-in op). */
  readonly commute: boolean;
  /** @internal */
  readonly rules: OpRules;

  /** @internal Ops come from the module's built-in constants and `Op.create`. */
  constructor(handle: number, name: string, commute: boolean, rules: OpRules) {
    this.handle = handle;
    this.name = name;
    this.commute = commute;
    this.rules = rules;
  }

  /**
   * A reduction written in JS (`MPI_Op_create`). MPI calls `fn(invec, inoutvec)` on the receiving rank with views of
   * the buffers' class and of equal length, and `fn` must store `invec[i] op inoutvec[i]` into `inoutvec[i]`, where
   * `invec` holds the operands of the lower ranks. The views are valid only during the call (they are detached after
   * it), and `fn` must not call MPI itself. An exception thrown by `fn` is rethrown on that rank once the collective
   * returns. `commute = false` keeps the operands in rank order. In the value collectives, `fn` gets the values
   * (typed arrays of one class and length; numbers and BigInts as one-element Float64Array and BigInt64Array). At
   * most 32 exist at once.
   */
  static create<T extends ArrayBufferView = any>(
    fn: (invec: T, inoutvec: T) => void, commute = true): Op {
    if (typeof fn !== 'function') {
      throw new TypeError(`fn must be a function (invec, inoutvec) => void, not ${describe(fn)}`);
    }
    if (typeof commute !== 'boolean') throw new TypeError(`commute must be a boolean, not ${describe(commute)}`);
    const handle = native.opCreate(fn, commute);
    return new Op(handle, fn.name || 'user', commute, {
      accepts: ANY,
      domain: '',
      combine: combineWith(fn),
      takes: (v) => isNumeric(v) || ArrayBuffer.isView(v),
      values: 'a user op combines typed arrays of one class and length, numbers and BigInts',
    });
  }

  /** Frees a user op (`MPI_Op_free`); using it afterwards throws. Built-in ops cannot be freed. */
  free(): void {
    if (this.handle < 0) throw new TypeError('op has already been freed');
    native.opFree(this.handle);
    this.handle = -1;
  }
}

/** Throws unless `op` is a live Op that MPI defines on the elements of `buf`. */
export function checkOp(op: unknown, buf: ArrayBufferView): asserts op is Op {
  if (!(op instanceof Op)) throw new TypeError(`op must be an Op such as MPI.SUM, not ${describe(op)}`);
  const { accepts, domain } = op.rules;
  if (accepts === ANY) {
    if (op.handle < 0) throw new TypeError('op has been freed');
  } else if ((accepts & kindOf(buf)) === 0) {
    throw new TypeError(`MPI.${op.name} does not apply to ${describe(buf)}: ${domain}`);
  }
}

/**
 * The function that combines two values with `op`: an Op's rule for values, or `op` itself. Throws unless `op` can
 * combine `value`.
 */
export function checkValueOp<T>(op: unknown, value: T): (a: T, b: T) => T {
  if (typeof op === 'function') return op as (a: T, b: T) => T;
  if (!(op instanceof Op)) {
    throw new TypeError(`op must be an Op such as MPI.SUM or a function (a, b) => result, not ${describe(op)}`);
  }
  if (op.handle < 0) throw new TypeError('op has been freed');
  if (!op.rules.takes(value)) {
    throw new TypeError(`${op.rules.values} as values, not ${describe(value)}: pass a function (a, b) => result to ` +
      'combine other values');
  }
  return op.rules.combine as (a: T, b: T) => T;
}

// ---- Built-in ops -------------------------------------------------------------------------------------------------

const ARITHMETIC = 'MPI defines SUM, PROD, MIN and MAX on integer and floating-point types, not on the untyped bytes ' +
  'of a DataView: use a typed array';
const LOGICAL = 'MPI defines LAND, LOR and LXOR on integer (and Fortran logical) types only, not on floating-point ' +
  'types or bytes (MPI-3.1 §5.9.2)';
const BITWISE = 'MPI defines BAND, BOR and BXOR on integer and byte types only, not on floating-point types ' +
  '(MPI-3.1 §5.9.2)';

const isNumeric = (v: unknown): boolean => typeof v === 'number' || typeof v === 'bigint';
const isLogical = (v: unknown): boolean => isNumeric(v) || typeof v === 'boolean';

function builtin(name: string, accepts: number, domain: string, combine: Combine,
  takes: (value: unknown) => boolean): Op {
  const kinds = takes === isLogical ? 'numbers, BigInts and booleans' : 'numbers and BigInts';
  const values = `MPI.${name} combines ${kinds}`;
  return new Op(native.builtinOps.indexOf(name), name, true, { accepts, domain, combine, takes, values });
}

/** Sum; on values, `a + b` of numbers or BigInts. */
export const SUM = builtin('SUM', INTEGER | FLOAT, ARITHMETIC, (a, b) => a + b, isNumeric);
/** Product; on values, `a * b`. */
export const PROD = builtin('PROD', INTEGER | FLOAT, ARITHMETIC, (a, b) => a * b, isNumeric);
/** Minimum; on values, the lesser of numbers or BigInts (NaN wins, as in `Math.min`). */
export const MIN = builtin('MIN', INTEGER | FLOAT, ARITHMETIC,
  (a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.min(a, b) : b < a ? b : a), isNumeric);
/** Maximum; on values, the greater of numbers or BigInts. */
export const MAX = builtin('MAX', INTEGER | FLOAT, ARITHMETIC,
  (a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.max(a, b) : b > a ? b : a), isNumeric);
/** Logical and; on values, `a && b`. */
export const LAND = builtin('LAND', INTEGER, LOGICAL, (a, b) => a && b, isLogical);
/** Logical or; on values, `a || b`. */
export const LOR = builtin('LOR', INTEGER, LOGICAL, (a, b) => a || b, isLogical);
/** Logical exclusive or; on values, a boolean: whether exactly one of `a` and `b` is truthy. */
export const LXOR = builtin('LXOR', INTEGER, LOGICAL, (a, b) => !a !== !b, isLogical);
/** Bitwise and; on values, `a & b` (32-bit for numbers). */
export const BAND = builtin('BAND', INTEGER | BYTE, BITWISE, (a, b) => a & b, isNumeric);
/** Bitwise or; on values, `a | b`. */
export const BOR = builtin('BOR', INTEGER | BYTE, BITWISE, (a, b) => a | b, isNumeric);
/** Bitwise exclusive or; on values, `a ^ b`. */
export const BXOR = builtin('BXOR', INTEGER | BYTE, BITWISE, (a, b) => a ^ b, isNumeric);

// ---- User ops on values -------------------------------------------------------------------------------------------

// The user's function works on arrays: numbers and BigInts go in as arrays of one element. The values combined are
// the receiving rank's own deserialized copies, so writing into `b` touches nobody's data.
function combineWith(fn: (invec: any, inoutvec: any) => void): Combine {
  return (a, b) => {
    if (typeof a === 'number' && typeof b === 'number') {
      const inout = Float64Array.of(b);
      fn(Float64Array.of(a), inout);
      return inout[0];
    }
    if (typeof a === 'bigint' && typeof b === 'bigint') {
      const inout = BigInt64Array.of(b);
      fn(BigInt64Array.of(a), inout);
      return inout[0];
    }
    if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b) && a.constructor === b.constructor &&
        a.byteLength === b.byteLength) {
      fn(a, b);
      return b;
    }
    throw new TypeError(`a user op combines typed arrays of one class and length, numbers or BigInts, not ` +
      `${describe(a)} and ${describe(b)}`);
  };
}
