// MPI's lifetime in a Node process, job-wide failure handling, and facts about the MPI environment.
import { writeSync } from 'node:fs';
import { COMM_WORLD } from './comm';
import { checkInt } from './errors';
import { native } from './native';

const worldRank = COMM_WORLD.rank;
const worldSize = COMM_WORLD.size;

/** Finalizes MPI (`MPI_Finalize`). Optional: the process does it at exit. Any MPI call afterwards throws. */
export function finalize(): void {
  native.finalize();
}

/** Whether MPI is initialized; true from the moment mpi4js is loaded. */
export function isInitialized(): boolean {
  return native.isInitialized();
}

/** Whether MPI has been finalized. */
export function isFinalized(): boolean {
  return native.isFinalized();
}

/**
 * Ends every rank of the job with exit code `code` (`MPI_Abort` on COMM_WORLD). It first waits, at most 1 s, until
 * the launcher has read what this rank wrote to its stdout and stderr pipes, so that its last words are not lost.
 */
export function abort(code = 1): never {
  return native.abort(checkInt(code, 'code', 0, 255));
}

/** Wall-clock time in seconds since an arbitrary moment in the past (`MPI_Wtime`). */
export function wtime(): number {
  return native.wtime();
}

/** A thread level of MPI, from least to most concurrent. */
export type ThreadLevel = 'single' | 'funneled' | 'serialized' | 'multiple';

/**
 * The thread level MPI provides (`MPI_Query_thread`). mpi4js asks for `'single'`: it calls MPI from the main
 * thread only, and Open MPI takes a lock on every call at any higher level. The environment variable
 * `MPI4JS_THREAD_LEVEL` asks for another, for programs whose other native code calls MPI from its own threads.
 */
export function queryThread(): ThreadLevel {
  return native.queryThread();
}

/** The resolution of `wtime` in seconds (`MPI_Wtick`). */
export function wtick(): number {
  return native.wtick();
}

/** The name of the node this rank runs on (`MPI_Get_processor_name`). */
export function processorName(): string {
  return native.processorName();
}

/** The MPI library's own description of itself (`MPI_Get_library_version`). */
export function libraryVersion(): string {
  return native.libraryVersion();
}

/** The version of the MPI standard the library implements (`MPI_Get_version`). */
export function version(): { major: number; minor: number } {
  return native.version();
}

/** Which MPI implementation mpi4js was built against: `'openmpi'` or `'mpich'`. */
export const implementation = native.family;

// ---- Job-wide failure ---------------------------------------------------------------------------------------------

let abortOnError = true;

/**
 * Whether an uncaught exception or unhandled rejection on any rank aborts the whole job (the default, in jobs of
 * more than one rank). Without it the failing rank exits alone and its peers may wait for it forever.
 */
export function setAbortOnError(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new TypeError('enabled must be a boolean');
  abortOnError = enabled;
}

// The monitor sees every uncaught exception (and unhandled rejection, which Node turns into one) before Node's
// default handler ends this rank. The other ranks would then wait for it forever: abort the job instead. When the
// program handles uncaught exceptions itself, the process is not going to die, so it is left alone.
process.on('uncaughtExceptionMonitor', (error: unknown, origin: string) => {
  if (!abortOnError || worldSize < 2 || native.isFinalized() || process.listenerCount('uncaughtException') > 0) return;
  const what = origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception';
  const detail = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  // writeSync: the message must be out before MPI_Abort ends the process.
  writeSync(2, `[mpi4js] rank ${worldRank} of ${worldSize}: ${what}, aborting the job:\n${detail}\n`);
  native.abort(1);
});

// Node runs the addon's cleanup hook (which finalizes MPI) at a natural exit, but not after process.exit(), so
// finalize here. A rank of a larger job exiting in failure skips MPI_Finalize: it would wait for peers that may be
// waiting for this rank; without it the launcher notices the rank's end and ends the job.
process.on('exit', (code: number) => {
  if (code !== 0 && worldSize > 1) native.abandon();
  else native.finalize();
});

// SIGINT, SIGTERM and SIGHUP end a rank by the signal as usual (the launcher then ends the job), but first the rank
// says who it is: MPICH's launcher names only a pid. A program that listens for a signal itself keeps it.
if (worldSize > 1 && ['SIGINT', 'SIGTERM', 'SIGHUP'].every((signal) => process.listenerCount(signal) === 0)) {
  native.reportSignals();
}

// A 1-rank world under a launcher of the other MPI is the classic "every rank says 0 of 1": say so once.
function warnOnForeignLauncher(): void {
  if (worldSize !== 1) return;
  const env = process.env;
  const ompiSize = Number(env.OMPI_COMM_WORLD_SIZE ?? 0);
  const pmiSize = Number(env.PMI_SIZE ?? 0);
  let launcher: string | null = null;
  if (native.family === 'mpich' && ompiSize > 1) launcher = `Open MPI's (OMPI_COMM_WORLD_SIZE=${ompiSize})`;
  if (native.family === 'openmpi' && pmiSize > 1 && ompiSize === 0) launcher = `MPICH's (PMI_SIZE=${pmiSize})`;
  if (launcher === null) return;
  const other = native.family === 'openmpi' ? 'mpich' : 'openmpi';
  writeSync(2, `[mpi4js] warning: this process is a 1-rank world: mpi4js is built against ${native.family} but was ` +
    `started by ${launcher} launcher, so every rank is rank 0 of 1. Use mpirun.${native.family}, or rebuild with ` +
    `MPI4JS_MPICC=mpicc.${other}.\n`);
}
warnOnForeignLauncher();
