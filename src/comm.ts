// Communicators: point-to-point messages on buffers and values, and communicator management.
import {
  MpiError, checkDest, checkInt, checkRecvTag, checkSendTag, checkSource, messageKind,
} from './errors';
import * as buffers from './collectives';
import { native, setEnvelope, viewKind } from './native';
import * as objects from './object-collectives';
import type { ValueOp, Widen } from './object-collectives';
import { Op, SUM } from './op';
import { Status, checkStatus, lastStatus } from './status';
import { packTransient, receiveScratch, unpack, unpackReceived } from './values';
import * as requests from './request';
import * as nonblocking from './nonblocking-collectives';
import type { Request } from './request';
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
  #valueContext: Comm | undefined;

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

  /**
   * @internal A hidden duplicate of this communicator for the library's own messages (the value collectives), so
   * that they never meet the user's. Made on first use, which is always inside a collective call; freed with it.
   */
  get valueContext(): Comm {
    return (this.#valueContext ??= new Comm(native.commDup(this.handle)));
  }

  // ---- Point-to-point, buffers: passed to MPI by pointer, datatype from the array class -------------------------

  /**
   * Sends `buf` to rank `dest` (`MPI_Send`); returns when `buf` may be reused. A message to this rank itself that
   * is longer than the receive it goes into fails that receive with `'MPI_ERR_TRUNCATE'` on both MPIs (mpi4js does
   * it for Open MPI, whose self transport would write past the receive's buffer); under Open MPI, when that receive
   * is from ANY_SOURCE in a larger communicator, the send itself throws that MpiError and sends nothing.
   */
  send(buf: ArrayBufferView, dest: number, tag = 0): void {
    const kind = messageKind(buf, 'buf');
    setEnvelope(this.handle, checkDest(dest, this.#size), checkSendTag(tag), kind);
    native.send(buf);
  }

  /** Sends `buf` to rank `dest` and returns only once the receiver has started to receive it (`MPI_Ssend`). */
  ssend(buf: ArrayBufferView, dest: number, tag = 0): void {
    const kind = messageKind(buf, 'buf');
    setEnvelope(this.handle, checkDest(dest, this.#size), checkSendTag(tag), kind);
    native.ssend(buf);
  }

  /**
   * Receives a message into `buf` (`MPI_Recv`). A message longer than `buf` throws an MpiError with code
   * `'MPI_ERR_TRUNCATE'`; a shorter one fills the start of `buf` (see `Status.count`).
   */
  recv(buf: ArrayBufferView, source: number = ANY_SOURCE, tag: number = ANY_TAG): Status {
    const kind = messageKind(buf, 'buf');
    setEnvelope(this.handle, checkSource(source, this.#size), checkRecvTag(tag), kind);
    native.recv(buf);
    return lastStatus();
  }

  /** Sends `sendbuf` to `dest` and receives into `recvbuf` from `source` at once, without deadlock. */
  sendrecv(sendbuf: ArrayBufferView, dest: number, recvbuf: ArrayBufferView, source: number = ANY_SOURCE,
    sendtag = 0, recvtag: number = ANY_TAG): Status {
    const sendKind = messageKind(sendbuf, 'sendbuf');
    const recvKind = messageKind(recvbuf, 'recvbuf');
    native.sendrecv(this.handle, sendbuf, checkDest(dest, this.#size), checkSendTag(sendtag, 'sendtag'), recvbuf,
      checkSource(source, this.#size), checkRecvTag(recvtag, 'recvtag'), sendKind, recvKind);
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
    const payload = packTransient(value);
    setEnvelope(this.handle, to, sendTag, viewKind(payload));
    native.send(payload);
  }

  /** Receives a value sent with `sendObject`, whatever its size; fills `status` when given. */
  recvObject<T = unknown>(source: number = ANY_SOURCE, tag: number = ANY_TAG, status?: Status): T {
    checkStatus(status);
    const received = native.recvBytes(this.handle, checkSource(source, this.#size), checkRecvTag(tag), receiveScratch);
    if (status !== undefined) lastStatus(status);
    return unpackReceived<T>(received);
  }

  /** Sends `value` to `dest` and receives a value from `source` at once, without deadlock. */
  sendrecvObject<T = unknown>(value: unknown, dest: number, source: number = ANY_SOURCE, sendtag = 0,
    recvtag: number = ANY_TAG): T {
    const to = checkDest(dest, this.#size);
    const from = checkSource(source, this.#size);
    const sTag = checkSendTag(sendtag, 'sendtag');
    const rTag = checkRecvTag(recvtag, 'recvtag');
    return unpack<T>(native.sendrecvBytes(this.handle, packTransient(value), to, sTag, from, rTag));
  }

  // ---- Collectives, buffers: every rank calls them; zero-copy, datatype from the array class ---------------------
  // An `out` given is filled and returned; without it a new array of the input's class is. Passing the input as
  // `out` reduces in place (MPI_IN_PLACE). Bad arguments throw on the calling rank before MPI is called.

  /** Returns once every rank of the communicator has called it (`MPI_Barrier`). */
  barrier(): void {
    buffers.barrier(this);
  }

  /** Copies `buf` of `root` into `buf` of every other rank (`MPI_Bcast`); returns `buf`. */
  bcast<T extends ArrayBufferView>(buf: T, root = 0): T {
    return buffers.bcast(this, buf, root);
  }

  /** Combines `sendbuf` of every rank elementwise with `op` (`MPI_Reduce`): the result at `root`, null elsewhere. */
  reduce<T extends ArrayBufferView>(sendbuf: T, op: Op = SUM, root = 0, out?: T | null): T | null {
    return buffers.reduce(this, sendbuf, op, root, out);
  }

  /** Combines `sendbuf` of every rank elementwise with `op`, the result on every rank (`MPI_Allreduce`). */
  allreduce<T extends ArrayBufferView>(sendbuf: T, op: Op = SUM, out?: T | null): T {
    return buffers.allreduce(this, sendbuf, op, out);
  }

  /** The inclusive prefix reduction: on rank r, `sendbuf` of ranks 0..r combined with `op` (`MPI_Scan`). */
  scan<T extends ArrayBufferView>(sendbuf: T, op: Op = SUM, out?: T | null): T {
    return buffers.scan(this, sendbuf, op, out);
  }

  /**
   * The exclusive prefix reduction: on rank r > 0, `sendbuf` of ranks 0..r-1 combined with `op` (`MPI_Exscan`).
   * Rank 0 gets no result: a given `out` is left as it was, a new array holds zeros.
   */
  exscan<T extends ArrayBufferView>(sendbuf: T, op: Op = SUM, out?: T | null): T {
    return buffers.exscan(this, sendbuf, op, out);
  }

  /**
   * Reduces `sendbuf` (length divisible by `size`) with `op` and leaves block r of the result on rank r
   * (`MPI_Reduce_scatter_block`). In place, the block is the first `sendbuf.length / size` elements of `sendbuf`.
   */
  reduceScatterBlock<T extends ArrayBufferView>(sendbuf: T, op: Op = SUM, out?: T | null): T {
    return buffers.reduceScatterBlock(this, sendbuf, op, out);
  }

  /** Collects `sendbuf` of every rank, in rank order, at `root` (`MPI_Gather`); null on the other ranks. */
  gather<T extends ArrayBufferView>(sendbuf: T, root = 0, out?: T | null): T | null {
    return buffers.gather(this, sendbuf, root, out);
  }

  /** Collects `sendbuf` of every rank, in rank order, on every rank (`MPI_Allgather`). */
  allgather<T extends ArrayBufferView>(sendbuf: T, out?: T | null): T {
    return buffers.allgather(this, sendbuf, out);
  }

  /**
   * Hands block r of the root's `sendbuf` (`size × recvbuf.length` elements, read at the root only) to rank r's
   * `recvbuf` (`MPI_Scatter`); returns `recvbuf`.
   */
  scatter<T extends ArrayBufferView>(sendbuf: T | null, recvbuf: T, root = 0): T {
    return buffers.scatter(this, sendbuf, recvbuf, root);
  }

  /** Sends block r of `sendbuf` (length divisible by `size`) to rank r; block r of the result came from rank r. */
  alltoall<T extends ArrayBufferView>(sendbuf: T, out?: T | null): T {
    return buffers.alltoall(this, sendbuf, out);
  }

  /**
   * Collects `sendbuf` of every rank, whatever its length, in rank order at `root` (`MPI_Gatherv`); null elsewhere.
   * `counts` (one per rank, read at the root) are exchanged when omitted. At most 2^31-1 elements in all.
   */
  gatherv<T extends ArrayBufferView>(sendbuf: T, root = 0, counts?: number[] | null, out?: T | null): T | null {
    return buffers.gatherv(this, sendbuf, root, counts, out);
  }

  /** Collects `sendbuf` of every rank, whatever its length, in rank order on every rank (`MPI_Allgatherv`). */
  allgatherv<T extends ArrayBufferView>(sendbuf: T, counts?: number[] | null, out?: T | null): T {
    return buffers.allgatherv(this, sendbuf, counts, out);
  }

  /**
   * Hands `counts[r]` elements of the root's `sendbuf`, in rank order, to the start of rank r's `recvbuf`
   * (`MPI_Scatterv`). `sendbuf` and `counts` are read at the root. Returns `recvbuf`.
   */
  scatterv<T extends ArrayBufferView>(sendbuf: T | null, counts: number[] | null, recvbuf: T, root = 0): T {
    return buffers.scatterv(this, sendbuf, counts, recvbuf, root);
  }

  /**
   * Sends `sendcounts[r]` elements (contiguous blocks of `sendbuf` in rank order) to rank r, and receives from rank r
   * the r-th block of the result (`MPI_Alltoallv`); `recvcounts` are exchanged when omitted.
   */
  alltoallv<T extends ArrayBufferView>(sendbuf: T, sendcounts: number[], recvcounts?: number[] | null,
    out?: T | null): T {
    return buffers.alltoallv(this, sendbuf, sendcounts, recvcounts, out);
  }

  // ---- Collectives, values: any structured-cloneable value, on a hidden duplicate of this communicator ----------

  /** The root's `value`, on every rank. */
  bcastObject<T>(value: T, root = 0): Widen<T> {
    return objects.bcastObject(this, value, root) as Widen<T>;
  }

  /** The value of every rank, in rank order, at `root`; null elsewhere. */
  gatherObject<T>(value: T, root = 0): Widen<T>[] | null {
    return objects.gatherObject(this, value, root) as Widen<T>[] | null;
  }

  /** The value of every rank, in rank order, on every rank. */
  allgatherObject<T>(value: T): Widen<T>[] {
    return objects.allgatherObject(this, value) as Widen<T>[];
  }

  /** `values[r]` of the root (one value per rank, read at the root only) on rank r. */
  scatterObject<T>(values: T[] | null, root = 0): Widen<T> {
    return objects.scatterObject(this, values, root) as Widen<T>;
  }

  /** Sends `values[r]` to rank r; returns the value from each rank, in rank order. */
  alltoallObject<T>(values: T[]): Widen<T>[] {
    return objects.alltoallObject(this, values) as Widen<T>[];
  }

  /**
   * The values of all ranks combined in rank order, `op(...op(op(v0, v1), v2)..., vN-1)`, at `root`; null elsewhere.
   * Built-in ops combine numbers and BigInts (logical ops booleans too); `op` may be any function `(a, b) => c`.
   */
  reduceObject<T>(value: T, op: ValueOp<Widen<T>> = SUM, root = 0): Widen<T> | null {
    return objects.reduceObject(this, value as Widen<T>, op, root);
  }

  /** The values of all ranks combined in rank order with `op`, on every rank. */
  allreduceObject<T>(value: T, op: ValueOp<Widen<T>> = SUM): Widen<T> {
    return objects.allreduceObject(this, value as Widen<T>, op);
  }

  // ---- Nonblocking point-to-point ----------------------------------------------------------------------------------
  // Each returns a Request at once; awaiting it gives its value once MPI has completed it (see request.ts).

  /**
   * Starts sending `buf` to rank `dest` (`MPI_Isend`); resolves with a Status once `buf` may be reused. A message to
   * this rank itself is checked against the receive it would go into, as for `send`.
   */
  isend(buf: ArrayBufferView, dest: number, tag = 0): Request<Status> {
    return requests.isend(this, buf, dest, tag);
  }

  /** Starts receiving a message into `buf` (`MPI_Irecv`); resolves with its Status, rejects on truncation. */
  irecv(buf: ArrayBufferView, source: number = ANY_SOURCE, tag: number = ANY_TAG): Request<Status> {
    return requests.irecv(this, buf, source, tag);
  }

  /** Starts sending any structured-cloneable value to rank `dest`; resolves once it is on its way. */
  isendObject(value: unknown, dest: number, tag = 0): Request<void> {
    return requests.isendObject(this, value, dest, tag);
  }

  /** Starts receiving a value sent with `sendObject` or `isendObject`, whatever its size; resolves with it. */
  irecvObject<T = unknown>(source: number = ANY_SOURCE, tag: number = ANY_TAG): Request<T> {
    return requests.irecvObject<T>(this, source, tag);
  }

  // ---- Nonblocking collectives -------------------------------------------------------------------------------------
  // The arguments of the blocking forms; each request resolves with what the blocking form returns.

  /** Starts a barrier (`MPI_Ibarrier`); resolves once every rank has started it. */
  ibarrier(): Request<void> {
    return nonblocking.ibarrier(this);
  }

  /** Starts broadcasting the root's `buf` into `buf` on every rank (`MPI_Ibcast`); resolves with `buf`. */
  ibcast<T extends ArrayBufferView>(buf: T, root = 0): Request<T> {
    return nonblocking.ibcast(this, buf, root);
  }

  /** Starts a reduction (`MPI_Ireduce`); resolves with the result at `root`, null elsewhere. */
  ireduce<T extends ArrayBufferView>(sendbuf: T, op: Op = SUM, root = 0, out?: T | null): Request<T | null> {
    return nonblocking.ireduce(this, sendbuf, op, root, out);
  }

  /** Starts a reduction whose result every rank gets (`MPI_Iallreduce`); resolves with it. */
  iallreduce<T extends ArrayBufferView>(sendbuf: T, op: Op = SUM, out?: T | null): Request<T> {
    return nonblocking.iallreduce(this, sendbuf, op, out);
  }

  /** Starts a gather at `root` (`MPI_Igather`); resolves with the gathered buffer at `root`, null elsewhere. */
  igather<T extends ArrayBufferView>(sendbuf: T, root = 0, out?: T | null): Request<T | null> {
    return nonblocking.igather(this, sendbuf, root, out);
  }

  /** Starts a gather on every rank (`MPI_Iallgather`); resolves with the gathered buffer. */
  iallgather<T extends ArrayBufferView>(sendbuf: T, out?: T | null): Request<T> {
    return nonblocking.iallgather(this, sendbuf, out);
  }

  /** Starts scattering the root's `sendbuf` into each rank's `recvbuf` (`MPI_Iscatter`); resolves with `recvbuf`. */
  iscatter<T extends ArrayBufferView>(sendbuf: T | null, recvbuf: T, root = 0): Request<T> {
    return nonblocking.iscatter(this, sendbuf, recvbuf, root);
  }

  /** Starts an all-to-all exchange of blocks (`MPI_Ialltoall`); resolves with the received blocks. */
  ialltoall<T extends ArrayBufferView>(sendbuf: T, out?: T | null): Request<T> {
    return nonblocking.ialltoall(this, sendbuf, out);
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
    this.#valueContext?.free();
    this.#valueContext = undefined;
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
