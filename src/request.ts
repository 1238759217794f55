// Nonblocking requests, and the progress engine that completes them while the event loop keeps running.
//
// MPI moves a nonblocking operation forward only while the process is inside an MPI call, so pending requests need
// polling. The engine polls on the main thread, from the event loop; each poll is one native progress() call that
// tests every pending request at once (MPI_Testsome) and settles the completed ones. Under the default 'adaptive'
// policy:
//   - requests just started (and requests someone starts to wait for) are polled in a microtask, once the
//     synchronous code is done, and while someone waits for a pending request that poll may spin up to SPIN_NS
//     inside the native call: a reply a few microseconds away is caught without a turn of the event loop, which
//     alone costs several microseconds. At most MICROTASK_POLLS_PER_TURN such polls run before the engine lets the
//     event loop turn, so a long await chain cannot starve timers and I/O;
//   - while requests are pending, every turn of the event loop polls once (setImmediate) until HOT_MS and
//     HOT_POLLS turns have passed without a request starting or completing;
//   - then timers poll, 1 ms apart at first, twice as far apart each time up to MAX_BACKOFF_MS, so that a rank
//     waiting seconds for a message uses next to no CPU.
// HOT_MS is well above MAX_BACKOFF_MS: a sleeping peer notices this rank's message within MAX_BACKOFF_MS, and its
// reply must find this rank still polling every turn. With a shorter hot time, two ranks that once fell asleep
// (a GC pause, a busy machine) would keep catching each other asleep, every exchange costing a backoff.
//   - with nothing pending, the engine holds no timer and no immediate: a pending request keeps the process alive,
//     as any Node I/O in flight does, and nothing else does.
import { markAsUntransferable } from 'node:worker_threads';
import type { Comm } from './comm';
import { MpiError, checkDest, checkRecvTag, checkSendTag, checkSource, memoryOf, messageKind } from './errors';
import { native, setEnvelope, viewKind } from './native';
import { Status, lastCancelled, lastError, lastStatus } from './status';
import { pack, unpack } from './values';

/**
 * How the engine polls pending requests:
 * - `'adaptive'` (the default): spins for a few microseconds for an awaited request, polls every event-loop turn
 *   for 10 ms after the last activity, then backs off to timers up to 4 ms apart. Low latency for busy exchanges,
 *   little CPU while waiting long.
 * - `'busy'`: spins and polls every event-loop turn for as long as anything is pending. The lowest latency, at the
 *   cost of a full core while waiting.
 * - `'lazy'`: timers only, 1 ms apart at first, backing off up to 16 ms. The least CPU, at least a millisecond of
 *   latency per request.
 */
export type ProgressPolicy = 'adaptive' | 'busy' | 'lazy';

const SPIN_NS = 20_000;
const ONE_PASS_NS = 1; // one test of everything pending, without the yield of a progress(0) that finds nothing
const HOT_MS = 10;
const HOT_POLLS = 100; // and at least this many turns: on a loaded machine 10 ms may pass without this rank running
const FIRST_BACKOFF_MS = 1;
const MAX_BACKOFF_MS = { adaptive: 4, busy: 4, lazy: 16 };
const MICROTASK_POLLS_PER_TURN = 256;

// What a request resolves with, and what it is. The low bits say what it yields.
const YIELDS_STATUS = 0; // irecv: the Status of the message received
const YIELDS_NOTHING = 1; // isendObject, ibarrier: undefined
const YIELDS_RESULT = 2; // isend, collectives: a value made when the request started (a Status, a buffer, null)
const YIELDS_VALUE = 3; // irecvObject: the received value
const YIELDS = 3;
const COLLECTIVE = 4; // MPI forbids cancelling it
const USER_OP = 8; // a reduction with a user op, whose function may throw while the engine polls

// A completion record, as progress() writes it: the request's id, then the fields of its status.
const FIELDS = native.COMPLETION_FIELDS;
const ID = 0;
const SOURCE = 1;
const TAG = 2;
const BYTES = 3;
const CANCELLED = 4;
const ERROR = 5;

let settle: (request: Request<unknown>, failed: boolean, outcome: unknown) => void;
let complete: (request: Request<unknown>, records: Float64Array, base: number) => void;
let completeAtStart: (request: Request<unknown>) => void;
let blame: (request: Request<unknown>, error: unknown) => void;
let kindOf: (request: Request<unknown>) => number;
let watch: (request: Request<unknown>, watcher: Watcher, index: number) => void;
// Called when someone starts waiting for a pending request (await, then, waitAll, waitAny): polls may now spin.
let markWaited: (request: Request<unknown>) => void;
let failedOf: (request: Request<unknown>) => boolean;
let outcomeOf: (request: Request<unknown>) => unknown;
let unwatchAll: (requests: readonly Request<unknown>[], watcher: Watcher) => void;
// Told when a request settles, with the index it was watched under (its place in waitAll's or waitAny's array).
type Watcher = (request: Request<unknown>, index: number) => void;

/**
 * A nonblocking operation in flight. Awaiting it (`await req`, or `req.then`) gives its value once MPI has
 * completed it: a `Status` for `isend`/`irecv`, the value for `irecvObject`, the result for a nonblocking
 * collective. A failure (a truncated message, a cancelled request) rejects with an `MpiError`; a request that fails
 * and is never awaited is an unhandled rejection, as for any promise.
 *
 * The buffers of a pending request are kept alive until it completes, and are pinned: transferring them
 * (`postMessage`, `structuredClone` with `transfer`) copies them instead of detaching them from under MPI.
 */
export class Request<T = unknown> implements PromiseLike<T> {
  // Made only when someone awaits the request, or when it fails (so that a failure nobody awaits is reported).
  #promise: Promise<T> | null = null;
  #resolve: ((value: unknown) => void) | null = null;
  #reject: ((reason: unknown) => void) | null = null;
  // then() on a pending request with no promise yet: [onfulfilled, onrejected, resolve, reject] of each call, which
  // settle() runs itself (see then()).
  #reactions: unknown[] | null = null;
  #waited = false; // awaited, or watched by waitAll/waitAny, while pending (see markWaited)
  #id: number; // the native id while the engine tracks it, else -1
  readonly #kind: number;
  #keep: unknown; // the buffers MPI reads or writes: held until completion, so that GC cannot free them
  readonly #result: unknown;
  #done = false;
  #failed = false;
  #outcome: unknown = undefined; // the value, or the error
  #opError: { error: unknown } | null = null; // a user op threw while this reduction was in flight
  // waitAll and waitAny, told when the request settles: one in these two fields (the usual case, no allocation), any
  // more in #moreWatchers.
  #watcher: Watcher | null = null;
  #watchIndex = 0;
  #moreWatchers: [Watcher, number][] | null = null;

  /** @internal Requests come from the nonblocking methods of `Comm`. */
  constructor(id: number, kind: number, keep: unknown, result: unknown) {
    this.#id = id;
    this.#kind = kind;
    this.#keep = keep;
    this.#result = result;
  }

  /** Whether MPI has completed the request (successfully or not). */
  get done(): boolean {
    return this.#done;
  }

  /** Polls MPI once, without waiting, and tells whether the request is now complete. */
  test(): boolean {
    if (!this.#done && this.#id >= 0) {
      poll(0);
      next();
    }
    return this.#done;
  }

  /**
   * Asks MPI to cancel the request (`MPI_Cancel`). If that succeeds, the request rejects with an `MpiError`;
   * an operation already too far along completes normally instead. Nonblocking collectives cannot be cancelled.
   */
  cancel(): void {
    if (this.#done) return;
    if ((this.#kind & COLLECTIVE) !== 0) {
      throw new MpiError('a nonblocking collective cannot be cancelled (MPI forbids it)',
        native.errorClasses.MPI_ERR_REQUEST, 'MPI_ERR_REQUEST');
    }
    if (native.cancelRequest(this.#id)) {
      untrack(this.#id);
      settle(this, true, cancelledError());
    }
  }

  then<R1 = T, R2 = never>(onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    if (this.#done || this.#promise !== null) return this.#settled().then(onfulfilled, onrejected);
    markWaited(this as Request<unknown>);
    // Pending: the progress engine calls the callbacks itself when MPI completes the request, as a promise's reaction
    // job would, without the promise in between and the job it takes. For `await req`, V8 passes the resolving
    // functions of its own promise: the awaiting function then resumes one microtask after the completion instead
    // of three (an awaited 8-byte ping-pong, Open MPI here: 3-5% faster, measured A/B in one session).
    let resolve!: (value: R1 | R2 | PromiseLike<R1 | R2>) => void;
    let reject!: (reason: unknown) => void;
    const derived = new Promise<R1 | R2>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    (this.#reactions ??= []).push(onfulfilled, onrejected, resolve, reject);
    return derived;
  }

  /** As `Promise.prototype.catch`: handles the request's failure (an MpiError). */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#settled().then(undefined, onrejected);
  }

  /** As `Promise.prototype.finally`: runs once the request has completed or failed. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#settled().finally(onfinally);
  }

  // The promise of the request's outcome.
  #settled(): Promise<T> {
    if (this.#promise !== null) return this.#promise;
    if (this.#done) return (this.#promise = Promise.resolve(this.#outcome as T));
    markWaited(this as Request<unknown>);
    return (this.#promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve as (value: unknown) => void;
      this.#reject = reject;
    }));
  }

  /** `'Request'`, for `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return 'Request';
  }

  static {
    settle = (request, failed, outcome) => {
      request.#done = true;
      request.#failed = failed;
      request.#outcome = outcome;
      request.#id = -1;
      request.#keep = undefined;
      if (request.#waited) {
        request.#waited = false;
        waitedCount--;
      }
      const reactions = request.#reactions;
      if (reactions !== null) {
        request.#reactions = null;
        // User callbacks never run inside cancel() or another call of the user's: only from a poll (which the
        // progress engine runs from a microtask or the event loop, and never re-enters), else in a microtask. A
        // request settled while callbacks run (one of them cancelled it) has its own run in a microtask too.
        if (polling && !inCallbacks) runReactions(reactions, failed, outcome);
        else void resolved.then(() => runReactions(reactions, failed, outcome));
      }
      if (request.#resolve !== null) {
        if (failed) request.#reject!(outcome);
        else request.#resolve(outcome);
        request.#resolve = request.#reject = null;
      } else if (failed && reactions === null) {
        request.#promise = Promise.reject(outcome);
      }
      const watcher = request.#watcher;
      if (watcher === null) return;
      const more = request.#moreWatchers;
      request.#watcher = request.#moreWatchers = null;
      watcher(request, request.#watchIndex);
      if (more !== null) for (const [other, index] of more) other(request, index);
    };

    complete = (request, records, base) => {
      const error = records[base + ERROR];
      if (request.#opError !== null) return settle(request, true, request.#opError.error);
      if (error !== 0) return settle(request, true, native.mpiErrorOf(error));
      if (records[base + CANCELLED] !== 0) return settle(request, true, cancelledError());
      if (detached(request.#keep)) return settle(request, true, detachedError());
      switch (request.#kind & YIELDS) {
        case YIELDS_STATUS: {
          const status = new Status();
          status.source = records[base + SOURCE];
          status.tag = records[base + TAG];
          status.bytes = records[base + BYTES];
          return settle(request, false, status);
        }
        case YIELDS_VALUE: {
          let value: unknown;
          try {
            value = unpack(native.takePayload(records[base + ID]));
          } catch (failure) {
            return settle(request, true, failure);
          }
          return settle(request, false, value);
        }
        case YIELDS_RESULT: return settle(request, false, request.#result);
        default: return settle(request, false, undefined);
      }
    };

    completeAtStart = (request) => {
      const error = lastError();
      if (request.#opError !== null) settle(request, true, request.#opError.error);
      else if (error !== 0) settle(request, true, native.mpiErrorOf(error));
      else if (lastCancelled()) settle(request, true, cancelledError());
      else if ((request.#kind & YIELDS) === YIELDS_STATUS) settle(request, false, lastStatus());
      else settle(request, false, (request.#kind & YIELDS) === YIELDS_RESULT ? request.#result : undefined);
    };

    blame = (request, error) => {
      request.#opError ??= { error };
    };
    kindOf = (request) => request.#kind;
    markWaited = (request) => {
      if (request.#waited || request.#done) return;
      request.#waited = true;
      waitedCount++;
      if (!queueMicrotaskPoll()) next();
    };
    watch = (request, watcher, index) => {
      markWaited(request);
      if (request.#watcher === null) {
        request.#watcher = watcher;
        request.#watchIndex = index;
      } else {
        (request.#moreWatchers ??= []).push([watcher, index]);
      }
    };
    failedOf = (request) => {
      // Whoever asks takes over reporting a failure: the request's own promise must not also count as unhandled.
      if (request.#failed) request.#promise?.catch(() => undefined);
      return request.#failed;
    };
    outcomeOf = (request) => request.#outcome;
    unwatchAll = (requests, watcher) => {
      for (const request of requests) {
        const more = request.#moreWatchers;
        if (more !== null) {
          const at = more.findIndex(([other]) => other === watcher);
          if (at >= 0) more.splice(at, 1);
        }
        if (request.#watcher === watcher) {
          const promoted = more?.shift();
          request.#watcher = promoted?.[0] ?? null;
          request.#watchIndex = promoted?.[1] ?? 0;
        }
      }
    };
  }
}

// As a promise's reaction jobs: each then()'s callback for the outcome, its result (or throw) settling the promise
// that then() returned; without a callback, the outcome passes through to that promise.
function runReactions(reactions: unknown[], failed: boolean, outcome: unknown): void {
  const outer = inCallbacks;
  inCallbacks = true;
  try {
    runEach(reactions, failed, outcome);
  } finally {
    inCallbacks = outer;
  }
}
let inCallbacks = false; // then() callbacks are running (settle() defers those of another request to a microtask)

function runEach(reactions: unknown[], failed: boolean, outcome: unknown): void {
  for (let i = 0; i < reactions.length; i += 4) {
    const handler = reactions[i + (failed ? 1 : 0)];
    const resolve = reactions[i + 2] as (value: unknown) => void;
    const reject = reactions[i + 3] as (reason: unknown) => void;
    if (typeof handler !== 'function') {
      (failed ? reject : resolve)(outcome);
      continue;
    }
    try {
      resolve(handler(outcome));
    } catch (error) {
      reject(error);
    }
  }
}

function cancelledError(): MpiError {
  return new MpiError('the request was cancelled (Request.cancel)', native.errorClasses.MPI_ERR_REQUEST,
    'MPI_ERR_REQUEST');
}

function detachedError(): MpiError {
  return new MpiError('a buffer of the request was detached (transferred) while MPI was using it: its data is lost',
    native.errorClasses.MPI_ERR_BUFFER, 'MPI_ERR_BUFFER');
}

// A detached view has no bytes left; only then is the native question worth asking.
function detached(keep: unknown): boolean {
  if (Array.isArray(keep)) return keep.some(detached);
  return ArrayBuffer.isView(keep) && keep.byteLength === 0 && native.isDetached(keep);
}

// Transferring a pinned buffer copies it rather than detaching it, so MPI's pointer into it stays valid. Node has no
// way to unpin: the buffer stays pinned after the request, which only makes later transfers of it copies.
function pin(buf: ArrayBufferView): void {
  const memory = memoryOf(buf);
  if (pinned.has(memory)) return;
  markAsUntransferable(memory);
  pinned.add(memory);
}
const pinned = new WeakSet<ArrayBufferLike>(); // a window of requests on one buffer pins it once

// ---- The progress engine ----------------------------------------------------------------------------------------

let policy: ProgressPolicy = 'adaptive';
let completions = new Float64Array(64 * FIELDS);
native.setCompletionArray(completions);
const pending: (Request<unknown> | undefined)[] = []; // by native id
let pendingCount = 0;
let waitedCount = 0; // pending requests someone waits for
let activity = false; // a request started or completed since next() last looked
let lastActivity = 0;
let idlePolls = 0; // event-loop polls since the last activity
let backoff = FIRST_BACKOFF_MS;
let microtaskQueued = false;
let polling = false; // in poll(): settle() may run then()'s callbacks directly
// Polls are queued as reactions to this promise rather than with queueMicrotask, which makes an AsyncResource and a
// bound function per call: 7% of the time of an `await irecv` loop (--cpu-prof).
const resolved = Promise.resolve();
let microtaskPolls = 0; // since the event loop last turned
let immediate: NodeJS.Immediate | undefined;
let timer: NodeJS.Timeout | undefined;

/** Chooses how pending requests are polled; see `ProgressPolicy`. The default is `'adaptive'`. */
export function setProgressPolicy(newPolicy: ProgressPolicy): void {
  if (newPolicy !== 'adaptive' && newPolicy !== 'busy' && newPolicy !== 'lazy') {
    const what = typeof newPolicy === 'string' ? `'${newPolicy}'` : typeof newPolicy;  // String() may throw
    throw new TypeError(`policy must be 'adaptive', 'busy' or 'lazy', not ${what}`);
  }
  policy = newPolicy;
  backoff = FIRST_BACKOFF_MS;
  if (timer !== undefined) {
    clearTimeout(timer);
    timer = undefined;
  }
  next();
}

function start<T>(id: number, kind: number, keep: unknown, result: unknown = undefined,
  opError: { error: unknown } | null = null): Request<T> {
  const request = new Request<T>(id, kind, keep, result);
  if (opError !== null) blame(request as Request<unknown>, opError.error);
  if (id === native.COMPLETED_AT_START) {
    completeAtStart(request as Request<unknown>);
    return request;
  }
  pending[id] = request as Request<unknown>;
  if (++pendingCount * FIELDS > completions.length) {
    completions = new Float64Array(completions.length * 2);
    native.setCompletionArray(completions);
  }
  activity = true;
  if (!queueMicrotaskPoll(true)) next();
  return request;
}

function untrack(id: number): void {
  pending[id] = undefined;
  pendingCount--;
  next();
}

// Queues a poll in a microtask (one at a time), unless the policy is lazy or this turn of the event loop has had its
// share of them; false then. `afterAwait`, for a request just started: one microtask later, so that an `await` of the
// request (whose then() V8 calls from a microtask queued after this one) is registered before the poll waits.
function queueMicrotaskPoll(afterAwait = false): boolean {
  if (policy === 'lazy' || microtaskPolls >= MICROTASK_POLLS_PER_TURN) return false;
  if (!microtaskQueued) {
    microtaskQueued = true;
    resolved.then(afterAwait ? queueMicrotaskPollNow : microtaskPoll);
  }
  return true;
}

function queueMicrotaskPollNow(): void {
  resolved.then(microtaskPoll);
}

function microtaskPoll(): void {
  microtaskQueued = false;
  microtaskPolls++;
  const before = pendingCount;
  // Spin only for a request someone waits for. A spin for a receive posted ahead of time (irecv, then await isend,
  // then await the receive) held up every other microtask, the continuation of that await isend included, until
  // the reply came: the awaited ping-pong with receives posted first ran at 1.7 us one way instead of 1.3.
  poll(waitedCount > 0 ? SPIN_NS : ONE_PASS_NS);
  // Requests completed and others are still pending, as in a window of messages arriving one after another: poll
  // again in a microtask rather than one poll per turn of the event loop, which cost several microseconds each.
  if (pendingCount > 0 && pendingCount < before) queueMicrotaskPoll();
  next();
}

function eventLoopPoll(): void {
  immediate = undefined;
  timer = undefined;
  microtaskPolls = 0;
  idlePolls++;
  poll(policy === 'busy' ? SPIN_NS : 0);
  next();
}

// Schedules the next poll, or nothing when nothing is pending.
function next(): void {
  if (pendingCount === 0) {
    if (immediate !== undefined) clearImmediate(immediate);
    if (timer !== undefined) clearTimeout(timer);
    immediate = timer = undefined;
    activity = false;
    backoff = FIRST_BACKOFF_MS;
    return;
  }
  const now = performance.now();
  if (activity) {
    activity = false;
    lastActivity = now;
    idlePolls = 0;
    backoff = FIRST_BACKOFF_MS;
  }
  if (immediate !== undefined) return;
  if (policy === 'busy' || (policy === 'adaptive' && (idlePolls < HOT_POLLS || now - lastActivity < HOT_MS))) {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    immediate = setImmediate(eventLoopPoll);
  } else if (timer === undefined) {
    timer = setTimeout(eventLoopPoll, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS[policy]);
  }
}

function poll(spinNanoseconds: number): void {
  // A callback run from here (then()'s, through settle) may call test(): the records of this poll are not read yet.
  if (polling) return;
  polling = true;
  try {
    pollOnce(spinNanoseconds);
  } finally {
    polling = false;
  }
}

function pollOnce(spinNanoseconds: number): void {
  let count: number;
  try {
    const result = native.progress(spinNanoseconds);
    if (typeof result === 'number') {
      count = result;
    } else {
      count = result[0];
      blameUserOps(result[1]);
    }
  } catch (error) {
    failAll(error);
    return;
  }
  if (count > 0) activity = true;
  const records = completions;
  for (let i = 0; i < count; i++) {
    const base = i * FIELDS;
    const id = records[base + ID];
    const request = pending[id] as Request<unknown>;
    pending[id] = undefined;
    pendingCount--;
    complete(request, records, base);
  }
}

// MPI cannot say which reduction ran the user op that threw: every reduction with a user op in flight fails.
function blameUserOps(error: unknown): void {
  for (const request of pending) {
    if (request !== undefined && (kindOf(request) & USER_OP) !== 0) blame(request, error);
  }
}

// The engine itself failed (MPI was finalized, or MPI_Testsome failed as a whole): nothing pending can complete.
function failAll(error: unknown): void {
  const failed = pending.splice(0);
  pendingCount = 0;
  next();
  for (const request of failed) if (request !== undefined) settle(request, true, error);
}

// ---- Completion of several requests -----------------------------------------------------------------------------

function checkRequests(reqs: unknown): asserts reqs is readonly Request<unknown>[] {
  if (!Array.isArray(reqs)) throw new TypeError('reqs must be an array of Requests');
  for (let i = 0; i < reqs.length; i++) {
    if (!(reqs[i] instanceof Request)) throw new TypeError(`reqs[${i}] must be a Request`);
  }
}

/**
 * Waits for every request and gives their values in order (`MPI_Waitall`); rejects as soon as one fails, as
 * `Promise.all` does. All requests are polled together, one MPI_Testsome per poll.
 */
export function waitAll<const R extends readonly Request<unknown>[]>(
  reqs: R): Promise<{ -readonly [K in keyof R]: Awaited<R[K]> }> {
  type Values = { -readonly [K in keyof R]: Awaited<R[K]> };
  checkRequests(reqs);
  // Not Promise.all(reqs): that resolves each request as a thenable, three promises and three microtasks apiece,
  // which made a window of 64 small isends cost twice what it does this way.
  return new Promise((resolve, reject) => {
    const values = new Array<unknown>(reqs.length);
    let left = reqs.length;
    let failed = false;
    // One watcher for all the requests, told each one's index: no closure per request.
    const collect = (request: Request<unknown>, index: number): void => {
      // Every failure is taken over here (failedOf), as Promise.all handles every rejection it sees.
      if (failedOf(request)) {
        if (!failed) reject(outcomeOf(request));
        failed = true;
      } else {
        values[index] = outcomeOf(request);
      }
      if (--left === 0 && !failed) resolve(values as Values);
    };
    if (left === 0) resolve(values as Values);
    for (let i = 0; i < reqs.length; i++) {
      const request = reqs[i] as Request<unknown>;
      if (request.done) collect(request, i);
      else watch(request, collect, i);
    }
  });
}

/**
 * Waits for the first of the requests to complete (`MPI_Waitany`) and gives its index and value; rejects if that
 * one failed. When some are complete already, the lowest index among them wins. The others stay pending, and a
 * failure among them is still reported when they are awaited (or as an unhandled rejection if never). An empty
 * array gives `{ index: UNDEFINED, value: undefined }`, as in MPI.
 */
export function waitAny<T>(reqs: readonly Request<T>[]): Promise<{ index: number; value: T }> {
  checkRequests(reqs);
  return new Promise((resolve, reject) => {
    const finish = (index: number): void => {
      const request = reqs[index] as Request<unknown>;
      if (failedOf(request)) reject(outcomeOf(request));
      else resolve({ index, value: outcomeOf(request) as T });
    };
    if (reqs.length === 0) {
      resolve({ index: native.UNDEFINED, value: undefined as T });
      return;
    }
    const first = reqs.findIndex((request) => request.done);
    if (first >= 0) {
      finish(first);
      return;
    }
    let finished = false; // a request given twice is watched twice
    const watcher: Watcher = (_request, index) => {
      if (finished) return;
      finished = true;
      unwatchAll(reqs as readonly Request<unknown>[], watcher);
      finish(index);
    };
    for (let i = 0; i < reqs.length; i++) watch(reqs[i] as Request<unknown>, watcher, i);
  });
}

// ---- Nonblocking point-to-point ---------------------------------------------------------------------------------

/** @internal `Comm.isend`. */
export function isend(comm: Comm, buf: ArrayBufferView, dest: number, tag: number): Request<Status> {
  const kind = messageKind(buf, 'buf');
  const sendTag = checkSendTag(tag);
  setEnvelope(comm.handle, checkDest(dest, comm.size), sendTag, kind);
  const id = native.isend(buf);
  if (id !== native.COMPLETED_AT_START) pin(buf);
  // MPI leaves the status of a send undefined; this one describes the message sent.
  const status = new Status();
  status.source = comm.rank;
  status.tag = sendTag;
  status.bytes = buf.byteLength;
  return start(id, YIELDS_RESULT, buf, status);
}

/** @internal `Comm.irecv`. */
export function irecv(comm: Comm, buf: ArrayBufferView, source: number, tag: number): Request<Status> {
  const kind = messageKind(buf, 'buf');
  setEnvelope(comm.handle, checkSource(source, comm.size), checkRecvTag(tag), kind);
  const id = native.irecv(buf);
  if (id !== native.COMPLETED_AT_START) pin(buf);
  return start(id, YIELDS_STATUS, buf);
}

/** @internal `Comm.isendObject`. */
export function isendObject(comm: Comm, value: unknown, dest: number, tag: number): Request<void> {
  const to = checkDest(dest, comm.size);
  const sendTag = checkSendTag(tag);
  const payload = pack(value);
  setEnvelope(comm.handle, to, sendTag, viewKind(payload));
  return start(native.isend(payload), YIELDS_NOTHING, payload);
}

/** @internal `Comm.irecvObject`. */
export function irecvObject<T>(comm: Comm, source: number, tag: number): Request<T> {
  return start(native.irecvBytes(comm.handle, checkSource(source, comm.size), checkRecvTag(tag)), YIELDS_VALUE,
    undefined);
}

// ---- Nonblocking collectives ------------------------------------------------------------------------------------

/**
 * @internal The Request of a nonblocking collective, from what its native start returned: the request's id, or
 * [id, error] when a user op threw while MPI started it. `keep` are the buffers MPI uses; `result` is what the
 * request resolves with.
 */
export function collectiveRequest<T>(started: number | [number, unknown], keep: (ArrayBufferView | null)[],
  result: T, userOp = false): Request<T> {
  const id = typeof started === 'number' ? started : started[0];
  const opError = typeof started === 'number' ? null : { error: started[1] };
  if (id !== native.COMPLETED_AT_START) for (const buf of keep) if (buf !== null) pin(buf);
  return start(id, YIELDS_RESULT | COLLECTIVE | (userOp ? USER_OP : 0), keep, result, opError);
}
