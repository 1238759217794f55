// Loads the compiled addon and declares what it exports. Everything here is internal: the public API validates
// every argument before calling these functions.
import { findAddon } from './addon';

/** A buffer as the addon accepts it: any typed array, Buffer or DataView. */
export type NativeBuffer = ArrayBufferView;

export interface NativeAddon {
  readonly family: 'openmpi' | 'mpich' | 'unknown';
  readonly ANY_SOURCE: number;
  readonly ANY_TAG: number;
  readonly PROC_NULL: number;
  readonly UNDEFINED: number;
  readonly TAG_UB: number;
  readonly STATUS_FIELDS: number;
  readonly errorClasses: Readonly<Record<string, number>>;

  setErrorClass(ctor: new (message: string, errorClass: number, code: string) => Error): void;
  setStatusArray(slots: Float64Array): void;
  isDetached(view: ArrayBufferView): boolean;
  registerView(view: ArrayBufferView): number;

  finalize(): void;
  abandon(): void;
  reportSignals(): void;
  isFinalized(): boolean;
  isInitialized(): boolean;
  abort(code: number): never;
  wtime(): number;
  queryThread(): 'single' | 'funneled' | 'serialized' | 'multiple';
  wtick(): number;
  processorName(): string;
  libraryVersion(): string;
  version(): { major: number; minor: number };

  commSize(comm: number): number;
  commRank(comm: number): number;
  commDup(comm: number): number;
  commSplit(comm: number, color: number, key: number): number | null;
  commSplitShared(comm: number, key: number): number;
  commFree(comm: number): void;
  commCompare(a: number, b: number): 'ident' | 'congruent' | 'similar' | 'unequal';
  commGetName(comm: number): string;
  commSetName(comm: number, name: string): void;
  cartCreate(comm: number, dims: number[], periods: number[], reorder: boolean): number | null;
  cartGet(comm: number): { dims: number[]; periods: number[]; coords: number[] };
  cartShift(comm: number, direction: number, disp: number): [number, number];
  cartRank(comm: number, coords: number[]): number;
  dimsCreate(nnodes: number, dims: number[]): number[];

  // send, ssend, recv, isend and irecv take the buffer; the rest of the call is in the envelope (setEnvelope).
  readonly ENVELOPE_FIELDS: number;
  readonly VIEW_KINDS: Readonly<Record<string, number>>;
  setEnvelopeArray(envelope: Float64Array): void;
  send(buf: NativeBuffer): void;
  ssend(buf: NativeBuffer): void;
  recv(buf: NativeBuffer): void;
  sendrecv(comm: number, sendbuf: NativeBuffer, dest: number, sendtag: number, recvbuf: NativeBuffer, source: number,
    recvtag: number, sendKind: number, recvKind: number): void;
  probe(comm: number, source: number, tag: number): void;
  iprobe(comm: number, source: number, tag: number): boolean;
  recvBytes(comm: number, source: number, tag: number, scratch: Buffer): number | Buffer;
  sendrecvBytes(comm: number, payload: Buffer, dest: number, sendtag: number, source: number, recvtag: number): Buffer;

  // Ops (op.cc): handles of the built-in ops are their index in builtinOps, user ops' come from opCreate.
  readonly builtinOps: readonly string[];
  opCreate(fn: (invec: any, inoutvec: any) => void, commute: boolean): number;
  opFree(op: number): void;

  // Collectives (collective.cc). A null sendbuf of a reduction means in place (MPI_IN_PLACE); a null recvbuf (or
  // sendbuf of a scatter, counts of a v-collective) is allowed where MPI does not read it: off the root.
  barrier(comm: number): void;
  bcast(comm: number, buf: NativeBuffer, root: number, kind?: number): void;
  // A reduction's kinds: its input's, its result's (see inputKind and resultKind in collectives.ts).
  reduce(comm: number, sendbuf: NativeBuffer | null, recvbuf: NativeBuffer | null, op: number, root: number,
    sendKind?: number, recvKind?: number): void;
  allreduce(comm: number, sendbuf: NativeBuffer | null, recvbuf: NativeBuffer, op: number, sendKind?: number,
    recvKind?: number): void;
  scan(comm: number, sendbuf: NativeBuffer | null, recvbuf: NativeBuffer, op: number, sendKind?: number,
    recvKind?: number): void;
  exscan(comm: number, sendbuf: NativeBuffer | null, recvbuf: NativeBuffer, op: number, sendKind?: number,
    recvKind?: number): void;
  reduceScatterBlock(comm: number, sendbuf: NativeBuffer | null, recvbuf: NativeBuffer, op: number,
    sendKind?: number, recvKind?: number): void;
  gather(...args: GatherArgs): void;
  allgather(...args: AllgatherArgs): void;
  scatter(...args: ScatterArgs): void;
  alltoall(...args: AllgatherArgs): void;
  gatherv(comm: number, sendbuf: NativeBuffer, recvbuf: NativeBuffer | null, counts: Int32Array | null,
    root: number): void;
  allgatherv(comm: number, sendbuf: NativeBuffer, recvbuf: NativeBuffer, counts: Int32Array): void;
  scatterv(comm: number, sendbuf: NativeBuffer | null, counts: Int32Array | null, recvbuf: NativeBuffer,
    root: number): void;
  alltoallv(comm: number, sendbuf: NativeBuffer, sendcounts: Int32Array, recvbuf: NativeBuffer,
    recvcounts: Int32Array): void;

  // Nonblocking requests (request.cc): a start function returns the request's id, or COMPLETED_AT_START with its
  // status in the status array. progress() writes COMPLETION_FIELDS numbers per completed request (id, then the
  // status fields) to the array given to setCompletionArray; a user op's exception comes back as [count, error].
  readonly COMPLETION_FIELDS: number;
  readonly COMPLETED_AT_START: number;
  isend(buf: NativeBuffer): number;
  irecv(buf: NativeBuffer): number;
  irecvBytes(comm: number, source: number, tag: number): number;
  progress(spinNanoseconds: number): number | [number, unknown];
  takePayload(id: number): Buffer;
  cancelRequest(id: number): boolean;
  setCompletionArray(completions: Float64Array): void;
  mpiErrorOf(code: number): Error;

  // Nonblocking collectives (icollective.cc): the arguments of the blocking forms; a request's id as above, or for a
  // reduction [id, error] when a user op threw while MPI started it.
  ibarrier(comm: number): number;
  ibcast(comm: number, buf: NativeBuffer, root: number, kind?: number): number;
  ireduce(comm: number, sendbuf: NativeBuffer | null, recvbuf: NativeBuffer | null, op: number,
    root: number, sendKind?: number, recvKind?: number): number | [number, unknown];
  iallreduce(comm: number, sendbuf: NativeBuffer | null, recvbuf: NativeBuffer, op: number,
    sendKind?: number, recvKind?: number): number | [number, unknown];
  igather(...args: GatherArgs): number;
  iallgather(...args: AllgatherArgs): number;
  iscatter(...args: ScatterArgs): number;
  ialltoall(...args: AllgatherArgs): number;
}

// The arguments of the block collectives, blocking and nonblocking alike; each buffer has its kind (a registered
// view's slot, or its class). allgather's are alltoall's too. scatter gives recvbuf's kind first: it is read on
// every rank, sendbuf only at the root.
type GatherArgs = [comm: number, sendbuf: NativeBuffer, recvbuf: NativeBuffer | null, root: number, sendKind?: number,
  recvKind?: number];
type AllgatherArgs = [comm: number, sendbuf: NativeBuffer, recvbuf: NativeBuffer, sendKind?: number,
  recvKind?: number];
type ScatterArgs = [comm: number, sendbuf: NativeBuffer | null, recvbuf: NativeBuffer, root: number, recvKind?: number,
  sendKind?: number];

export const addonPath = findAddon();
// UCX (MPICH's transport here, and Open MPI's on some clusters) hooks malloc, mmap, munmap and brk when its libraries
// load, which is when the require below loads libmpi, into a process whose heap and threads Node has long been using.
// That made MPICH starts segfault inside V8 now and then (3 in 46 with all hooks on; still 2 in ~300 starts of one CI
// run with only the malloc hooks off, always on a brk-heap address). With memory events off, UCX installs no hooks;
// the cost is that it cannot cache memory registrations (RDMA networks), which shared memory and TCP do not use.
// A setting of the user's own wins.
process.env.UCX_MEM_MALLOC_HOOKS ??= 'no';
process.env.UCX_MEM_EVENTS ??= 'no';
// A copy of the addon's exports: V8 keeps the object an addon fills (80 properties set from C++) in dictionary mode,
// where every `native.send` on the hot path is a hash lookup; the copy has fast properties that optimized code loads
// directly.
// eslint-disable-next-line @typescript-eslint/no-var-requires
export const native: NativeAddon = { ...require(addonPath) };

// The (comm, peer, tag, kind of buffer) of the next send, ssend, recv, isend or irecv, written into an array the addon
// reads rather than passed as more arguments: reading those cost a fifth of what the binding adds to a small send
// (native/p2p.h). The addon checks the numbers as it would check arguments.
const envelope = new Float64Array(native.ENVELOPE_FIELDS);
native.setEnvelopeArray(envelope);

/** Sets the communicator handle, peer rank, tag and buffer kind (viewKind) of the next point-to-point call. */
export function setEnvelope(comm: number, peer: number, tag: number, kind: number): void {
  envelope[0] = comm;
  envelope[1] = peer;
  envelope[2] = tag;
  envelope[3] = kind;
}

const KIND_BY_TAG = new Map(Object.entries(native.VIEW_KINDS));
const DATA_VIEW_KIND = native.VIEW_KINDS.DataView;
// %TypedArray%.prototype[Symbol.toStringTag]: the class V8 made the view with, whatever its `constructor` says
// (Buffer gives 'Uint8Array'), and undefined for a DataView. Optimized code reads it off the view's map.
export const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype),
  Symbol.toStringTag)!.get!;

/**
 * The kind of a checked view (checkBuffer), for the addon calls that take one: it saves the addon working the class
 * out through N-API, half of what reading the view costs there. NaN for a class the addon has no kind for
 * (Float16Array), which it then reads the general way.
 */
export function viewKind(view: ArrayBufferView): number {
  const tag = typedArrayTag.call(view) as string | undefined;
  return tag === undefined ? DATA_VIEW_KIND : KIND_BY_TAG.get(tag) ?? NaN;
}
