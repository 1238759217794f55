// Communicators: point-to-point messages on buffers and values, and communicator management.
import {
  MpiError, checkBuffer, checkDest, checkInt, checkRecvTag, checkSendTag, checkSource,
} from './errors';
import { native } from './native';
import { Status, checkStatus, lastStatus } from './status';
import { pack, unpack } from './values';
import type { CartComm } from './topology';

const { ANY_SOURCE, ANY_TAG, UNDEFINED } = native;

function freedError(): MpiError {
  return new MpiError('invalid communicator: it has been freed', native.errorClasses.MPI_ERR_COMM, 'MPI_ERR_COMM');
}

/** An MPI communicator: a group of ranks and a context in which they exchange messages. */
export class Comm {
  /** @internal The addon's handle for this communicator; -1 once freed. */
  handle: number;
  #rank: number;
  #size: number;

  /** @internal Communicators come from COMM_WORLD, COMM_SELF and the methods that make new ones. */
  constructor(handle: number) {
    this.handle = handle;
    this.#rank = native.commRank(handle);
    this.#size = native.commSize(handle);
  }

  /** This process's rank in the communicator, from 0 to `size - 1`. */
  get rank(): number {
    if (this.handle < 0) throw freedError();
    return this.#rank;
  }

  /** The number of ranks in the communicator. */
  get size(): number {
    if (this.handle < 0) throw freedError();
    return this.#size;
  }

  /** The communicator's name (`MPI_Comm_get_name`/`MPI_Comm_set_name`), such as `'MPI_COMM_WORLD'`. */
  get name(): string {
    return native.commGetName(this.handle);
  }

  set name(name: string) {
    if (typeof name !== 'string') throw new TypeError(`name must be a string, not ${typeof name}`);
    native.commSetName(this.handle, name);
  }

  // ---- Point-to-point, buffers: passed to MPI by pointer, datatype from the array class -------------------------

  /** Sends `buf` to rank `dest` (`MPI_Send`); returns when `buf` may be reused. */
  send(buf: ArrayBufferView, dest: number, tag = 0): void {
    checkBuffer(buf, 'buf');
    native.send(this.handle, buf, checkDest(dest, this.#size), checkSendTag(tag));
  }

  /** Sends `buf` to rank `dest` and returns only once the receiver has started to receive it (`MPI_Ssend`). */
  ssend(buf: ArrayBufferView, dest: number, tag = 0): void {
    checkBuffer(buf, 'buf');
    native.ssend(this.handle, buf, checkDest(dest, this.#size), checkSendTag(tag));
  }

  /**
   * Receives a message into `buf` (`MPI_Recv`). A message longer than `buf` throws an MpiError with code
   * `'MPI_ERR_TRUNCATE'`; a shorter one fills the start of `buf` (see `Status.count`).
   */
  recv(buf: ArrayBufferView, source: number = ANY_SOURCE, tag: number = ANY_TAG): Status {
    checkBuffer(buf, 'buf');
    native.recv(this.handle, buf, checkSource(source, this.#size), checkRecvTag(tag));
    return lastStatus();
  }

  /** Sends `sendbuf` to `dest` and receives into `recvbuf` from `source` at once, without deadlock. */
  sendrecv(sendbuf: ArrayBufferView, dest: number, recvbuf: ArrayBufferView, source: number = ANY_SOURCE,
    sendtag = 0, recvtag: number = ANY_TAG): Status {
    checkBuffer(sendbuf, 'sendbuf');
    checkBuffer(recvbuf, 'recvbuf');
    native.sendrecv(this.handle, sendbuf, checkDest(dest, this.#size), checkSendTag(sendtag, 'sendtag'), recvbuf,
      checkSource(source, this.#size), checkRecvTag(recvtag, 'recvtag'));
    return lastStatus();
  }

  /** Waits for a matching message and returns its status without receiving it (`MPI_Probe`). */
  probe(source: number = ANY_SOURCE, tag: number = ANY_TAG): Status {
    native.probe(this.handle, checkSource(source, this.#size), checkRecvTag(tag));
    return lastStatus();
  }

  /** The status of a matching message if one has arrived, else null; never waits (`MPI_Iprobe`). */
  iprobe(source: number = ANY_SOURCE, tag: number = ANY_TAG): Status | null {
    return native.iprobe(this.handle, checkSource(source, this.#size), checkRecvTag(tag)) ? lastStatus() : null;
  }

  // ---- Point-to-point, values: any structured-cloneable value, through the node:v8 serializer ------------------

  /** Sends any structured-cloneable value to rank `dest`. */
  sendObject(value: unknown, dest: number, tag = 0): void {
    const to = checkDest(dest, this.#size);
    const sendTag = checkSendTag(tag);
    native.send(this.handle, pack(value), to, sendTag);
  }

  /** Receives a value sent with `sendObject`, whatever its size; fills `status` when given. */
  recvObject<T = unknown>(source: number = ANY_SOURCE, tag: number = ANY_TAG, status?: Status): T {
    checkStatus(status);
    const payload = native.recvBytes(this.handle, checkSource(source, this.#size), checkRecvTag(tag));
    if (status !== undefined) lastStatus(status);
    return unpack<T>(payload);
  }

  /** Sends `value` to `dest` and receives a value from `source` at once, without deadlock. */
  sendrecvObject<T = unknown>(value: unknown, dest: number, source: number = ANY_SOURCE, sendtag = 0,
    recvtag: number = ANY_TAG): T {
    const to = checkDest(dest, this.#size);
    const from = checkSource(source, this.#size);
    const sTag = checkSendTag(sendtag, 'sendtag');
    const rTag = checkRecvTag(recvtag, 'recvtag');
    return unpack<T>(native.sendrecvBytes(this.handle, pack(value), to, sTag, from, rTag));
  }

  // ---- Communicator management -----------------------------------------------------------------------------------

  /** A new communicator with the same ranks and a separate message context (`MPI_Comm_dup`). Collective. */
  dup(): Comm {
    return new Comm(native.commDup(this.handle));
  }

  /**
   * Splits the communicator by `color` (`MPI_Comm_split`): ranks with the same color form a new communicator, ordered
   * by `key`. A rank passing `UNDEFINED` as color gets null. Collective.
   */
  split(color: number, key: number = this.rank): Comm | null {
    if (color !== UNDEFINED) checkInt(color, 'color', 0);
    const handle = native.commSplit(this.handle, color, checkInt(key, 'key'));
    return handle === null ? null : new Comm(handle);
  }

  /** One communicator per node: the ranks that can share memory with this one (`MPI_COMM_TYPE_SHARED`). */
  splitShared(): Comm {
    return new Comm(native.commSplitShared(this.handle, this.rank));
  }

  /** Frees the communicator (`MPI_Comm_free`); using it afterwards throws an MpiError. Collective. */
  free(): void {
    native.commFree(this.handle);
    this.handle = -1;
  }

  /** How this communicator relates to `other` (`MPI_Comm_compare`). */
  compare(other: Comm): 'ident' | 'congruent' | 'similar' | 'unequal' {
    if (!(other instanceof Comm)) throw new TypeError('other must be a Comm');
    return native.commCompare(this.handle, other.handle);
  }

  /**
   * A Cartesian grid over the first `dims` product ranks (`MPI_Cart_create`); null on ranks left out of it.
   * `periods[i]` makes dimension i wrap around. Collective.
   */
  createCart(dims: number[], periods?: boolean[], reorder = false): CartComm | null {
    if (!Array.isArray(dims) || dims.length === 0) throw new TypeError('dims must be a non-empty array of integers');
    let cells = 1;
    dims.forEach((d, i) => { cells *= checkInt(d, `dims[${i}]`, 1); });
    if (cells > this.size) {
      throw new RangeError(`dims must describe at most ${this.size} ranks (the communicator's size), not ${cells}`);
    }
    const wrap = periods ?? dims.map(() => false);
    if (!Array.isArray(wrap) || wrap.length !== dims.length || wrap.some((p) => typeof p !== 'boolean')) {
      throw new TypeError(`periods must be an array of ${dims.length} booleans`);
    }
    if (typeof reorder !== 'boolean') throw new TypeError('reorder must be a boolean');
    const handle = native.cartCreate(this.handle, dims, wrap.map(Number), reorder);
    if (handle === null) return null;
    // topology.ts extends this module's Comm, so it is loaded here, when first needed, not at import time.
    const { CartComm: Cart } = require('./topology') as typeof import('./topology');
    return new Cart(handle);
  }
}

/** All the processes of the job. */
export const COMM_WORLD = new Comm(0);
/** This process alone. */
export const COMM_SELF = new Comm(1);
