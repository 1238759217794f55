// mpi4js: MPI for Node.js. Loading this module initializes MPI; the process finalizes it at exit.
import { native } from './native';

export { MpiError } from './errors';
export { Status } from './status';
export type { ElementClass } from './status';
export { Comm, COMM_WORLD, COMM_SELF } from './comm';
export { CartComm, computeDims } from './topology';
export { Op, SUM, PROD, MIN, MAX, LAND, LOR, LXOR, BAND, BOR, BXOR } from './op';
export type { ValueOp, Widen } from './object-collectives';
export { Request, waitAll, waitAny, setProgressPolicy } from './request';
export type { ProgressPolicy } from './request';
export {
  finalize, isInitialized, isFinalized, abort, setAbortOnError, wtime, wtick, processorName, libraryVersion, version,
  implementation, queryThread,
} from './environment';
export type { ThreadLevel } from './environment';

/** Receive from any rank. */
export const ANY_SOURCE: number = native.ANY_SOURCE;
/** Receive with any tag. */
export const ANY_TAG: number = native.ANY_TAG;
/** The null rank: a send to it or a receive from it completes at once and moves nothing. */
export const PROC_NULL: number = native.PROC_NULL;
/** MPI_UNDEFINED: the color that leaves a rank out of `split`, and `Status.count` of a partial element. */
export const UNDEFINED: number = native.UNDEFINED;
/** The largest tag this MPI allows (the `MPI_TAG_UB` attribute); at least 32767. */
export const TAG_UB: number = native.TAG_UB;
