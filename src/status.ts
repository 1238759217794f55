// Status of a received or probed message. The addon writes the fields of the last completed operation into one
// shared Float64Array; a Status object is built from it only when the user gets one.
import { native } from './native';

const slots = new Float64Array(native.STATUS_FIELDS);
native.setStatusArray(slots);
const SOURCE = 0;
const TAG = 1;
const BYTES = 2;
const CANCELLED = 3;
const ERROR = 4;
const { ANY_SOURCE, ANY_TAG } = native; // read once: every receive makes a Status

/** A typed array class (or Buffer) whose elements a message is counted in. */
export interface ElementClass {
  /** The size of one element in bytes. */
  readonly BYTES_PER_ELEMENT: number;
  /** The class name, for error messages. */
  readonly name: string;
}

/**
 * What MPI tells about a received or probed message: the rank it came from, its tag and its size. A receive returns
 * one; `recvObject` fills one when given.
 */
export class Status {
  /** The rank the message came from (`PROC_NULL` for a receive from `PROC_NULL`). */
  source: number = ANY_SOURCE;
  /** The message's tag. */
  tag: number = ANY_TAG;
  /** The message's size in bytes. */
  bytes = 0;
  /** Whether the operation was cancelled (`Request.cancel`). */
  cancelled = false;
  /** The MPI error code of this operation, 0 (`MPI_SUCCESS`) when it succeeded. */
  error = 0;

  /**
   * The number of elements of the given class in the message (`MPI_Get_count`): `bytes / BYTES_PER_ELEMENT`, or
   * `UNDEFINED` when the size is not a whole number of such elements. `Buffer` counts bytes, like `Uint8Array`.
   */
  count(ctor: ElementClass | BufferConstructor = Uint8Array): number {
    const size = (ctor as Partial<ElementClass> | null)?.BYTES_PER_ELEMENT;
    if (typeof size !== 'number') {
      throw new TypeError('ctor must be a typed array class such as Float64Array, not ' + (ctor === null ? 'null' : typeof ctor));
    }
    return this.bytes % size === 0 ? this.bytes / size : native.UNDEFINED;
  }
}

/** The status the addon stored for the last completed operation, into `into` or a new Status. */
export function lastStatus(into: Status = new Status()): Status {
  into.source = slots[SOURCE];
  into.tag = slots[TAG];
  into.bytes = slots[BYTES];
  into.cancelled = slots[CANCELLED] !== 0;
  into.error = slots[ERROR];
  return into;
}

/** The error code and cancelled flag of that status, for a caller that needs no Status object. */
export function lastError(): number {
  return slots[ERROR];
}
export function lastCancelled(): boolean {
  return slots[CANCELLED] !== 0;
}

/** Throws unless `status` is a Status to fill (or undefined). */
export function checkStatus(status: unknown, name = 'status'): Status | undefined {
  if (status === undefined || status instanceof Status) return status;
  throw new TypeError(`${name} must be a Status or undefined`);
}
