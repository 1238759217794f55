// Which compiled addon this process loads: an explicit path, a local build, or the prebuilt binary whose MPI library
// is installed. This module never loads the addon (loading it starts MPI), so the install script and the `mpi4js`
// command ask it the same question the loader in native.ts asks, at no cost.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

/** The two MPI ABIs mpi4js ships prebuilt binaries for: Open MPI's, and MPICH's (also Intel MPI's, MVAPICH's). */
export type MpiFamily = 'openmpi' | 'mpich';
export const MPI_FAMILIES: readonly MpiFamily[] = ['openmpi', 'mpich'];

const root = path.join(__dirname, '..');
const LOCAL_BUILDS = ['build/Release', 'build/Debug'].map((dir) => path.join(root, dir, 'mpi4js.node'));

/** The directory `npm run prebuild` fills for this platform, one binary per family. */
export const prebuildDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);

/** The prebuilt binary for `family`: `prebuilds/<platform>-<arch>/mpi4js.<family>.node`. */
export function prebuildPath(family: MpiFamily): string {
  return path.join(prebuildDir, `mpi4js.${family}.node`);
}

/**
 * The MPI shared library an addon binary was linked against, as the dynamic loader will look for it
 * (`libmpi.so.40`, `libmpich.so.12`); read from the binary's own list of needed libraries.
 */
export function neededLibrary(file: string): string | null {
  const match = /lib(?:mpi|mpich)\.so\.\d+|lib(?:mpi|mpich)\.\d+\.dylib/.exec(readFileSync(file).toString('latin1'));
  return match === null ? null : match[0];
}

/** The ABI family of an addon binary, from the MPI library it needs: libmpi.so.40 is Open MPI's, .12 MPICH's. */
export function familyOf(file: string): MpiFamily | null {
  const library = neededLibrary(file);
  if (library === null) return null;
  if (/\.40\b/.test(library)) return 'openmpi';
  if (/\.12\b/.test(library)) return 'mpich';
  return null;
}

// Where the dynamic loader finds a library by its soname on Linux: LD_LIBRARY_PATH, then its cache of the configured
// directories (what `ldconfig -p` prints: /etc/ld.so.cache holds the sonames as plain strings), then the defaults.
const DEFAULT_LIBRARY_DIRS = ['/lib64', '/usr/lib64', '/lib', '/usr/lib'];

/** Whether the dynamic loader can find the shared library `soname` on this machine. */
export function libraryFound(soname: string): boolean {
  const dirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  if (dirs.some((dir) => existsSync(path.join(dir, soname)))) return true;
  let cache: Buffer | null = null;
  try {
    cache = readFileSync('/etc/ld.so.cache');
  } catch {
    // no loader cache (not glibc Linux): only the directories can tell
  }
  if (cache !== null && cache.includes(`${soname}\0`)) return true;
  return DEFAULT_LIBRARY_DIRS.some((dir) => existsSync(path.join(dir, soname)));
}

function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir || '.', command);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * The family to prefer when both MPIs are installed: the one whose launcher started this process (Open MPI sets
 * OMPI_COMM_WORLD_SIZE, MPICH's Hydra sets PMI_SIZE), else the one `mpirun` on PATH belongs to (Debian names the real
 * file mpirun.openmpi or mpiexec.hydra behind its alternatives), else none.
 */
export function preferredFamily(env: NodeJS.ProcessEnv = process.env): MpiFamily | null {
  if (env.OMPI_COMM_WORLD_SIZE !== undefined) return 'openmpi';
  if (env.PMI_SIZE !== undefined) return 'mpich';
  const mpirun = onPath('mpirun');
  if (mpirun === null) return null;
  const name = path.basename(realpathSync(mpirun));
  if (/openmpi|orterun|prterun/.test(name)) return 'openmpi';
  if (/mpich|hydra/.test(name)) return 'mpich';
  return null;
}

/** The value of MPI4JS_MPI, which forces a family; a clear error for anything else than the two names. */
export function forcedFamily(env: NodeJS.ProcessEnv = process.env): MpiFamily | null {
  const forced = env.MPI4JS_MPI;
  if (forced === undefined || forced === '') return null;
  if ((MPI_FAMILIES as readonly string[]).includes(forced)) return forced as MpiFamily;
  throw new Error(`mpi4js: MPI4JS_MPI must be one of ${MPI_FAMILIES.join(', ')}, not "${forced}"`);
}

/** The prebuilt binary to use on this machine, in the order of preference, or null when none fits. */
export function fittingPrebuild(env: NodeJS.ProcessEnv = process.env): string | null {
  const forced = forcedFamily(env);
  const preferred = forced ?? preferredFamily(env);
  const order = forced !== null ? [forced]
    : preferred !== null ? [preferred, ...MPI_FAMILIES.filter((family) => family !== preferred)] : MPI_FAMILIES;
  for (const family of order) {
    const file = prebuildPath(family);
    if (!existsSync(file)) continue;
    const library = neededLibrary(file);
    if (library !== null && libraryFound(library)) return file;
  }
  return null;
}

/**
 * The addon to load, in the order of node-gyp-build: MPI4JS_ADDON (a path), then a local build (made by the install
 * script or `npm run build:addon`), then the prebuilt binary whose MPI library is installed. MPI4JS_MPI=openmpi|mpich
 * forces the family: a local build of the other family is then passed over.
 */
export function findAddon(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MPI4JS_ADDON) return path.resolve(env.MPI4JS_ADDON);
  const forced = forcedFamily(env);
  const local = LOCAL_BUILDS.find((file) => existsSync(file) && (forced === null || familyOf(file) === forced));
  if (local !== undefined) return local;
  const prebuild = fittingPrebuild(env);
  if (prebuild !== null) return prebuild;
  throw new Error(noAddonMessage(forced));
}

function noAddonMessage(forced: MpiFamily | null): string {
  const families = forced !== null ? [forced] : MPI_FAMILIES;
  const prebuilds = families.filter((family) => existsSync(prebuildPath(family))).map((family) => {
    const library = neededLibrary(prebuildPath(family)) ?? 'an MPI library';
    return `${family} (needs ${library}, which is not installed)`;
  });
  return [
    `mpi4js: no compiled addon fits this machine (${process.platform}-${process.arch}` +
      `${forced !== null ? `, MPI4JS_MPI=${forced}` : ''}).`,
    `  prebuilt binaries: ${prebuilds.length > 0 ? prebuilds.join('; ') : 'none for this platform'}`,
    '  Install an MPI library, e.g. on Debian/Ubuntu `apt-get install libopenmpi-dev openmpi-bin` (or libmpich-dev',
    '  mpich), or build the addon from source against yours: `npx mpi4js build` (needs mpicc, cmake and a C++',
    '  compiler; MPI4JS_MPICC=path/to/mpicc picks the MPI).',
  ].join('\n');
}
