'use strict';
// Finds the MPI compiler wrapper chosen by the user and reads its flags, for CMake (cmake-js), node-gyp and the
// install script alike. MPI4JS_MPICC names the wrapper (mpicc.mpich, /opt/ompi/bin/mpicc); otherwise `mpicc` on PATH.
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const NO_MPI_HELP = `mpi4js needs an MPI library with its development files and compiler wrapper (mpicc).
  Debian/Ubuntu: sudo apt-get install libopenmpi-dev openmpi-bin   (or: libmpich-dev mpich)
  Fedora/RHEL:   sudo dnf install openmpi-devel && module load mpi/openmpi-x86_64   (or: mpich-devel)
  macOS:         brew install open-mpi   (or: brew install mpich)
Then reinstall. To pick one MPI among several, set MPI4JS_MPICC to its wrapper, e.g. MPI4JS_MPICC=mpicc.mpich.`;

function which(cmd) {
  if (cmd.includes('/')) return existsSync(cmd) ? path.resolve(cmd) : null;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir || '.', cmd);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function run(wrapper, args) {
  try {
    return execFileSync(wrapper, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * The wrapper (by default MPI4JS_MPICC, else mpicc), its MPI family ('openmpi' | 'mpich') and its compile and link
 * flags; null when no MPI is found.
 */
function findMpi(name = process.env.MPI4JS_MPICC || 'mpicc') {
  const wrapper = which(name);
  if (!wrapper) return null;
  // Open MPI's wrappers answer --showme:*; MPICH's (and Intel MPI's, MVAPICH's) answer -compile_info/-link_info.
  let compile = run(wrapper, ['--showme:compile']);
  let link = run(wrapper, ['--showme:link']);
  let family = 'openmpi';
  if (compile === null || link === null) {
    compile = run(wrapper, ['-compile_info']);
    link = run(wrapper, ['-link_info']);
    family = 'mpich';
  }
  if (compile === null || link === null) return null;
  const words = (s) => s.split(/\s+/).filter(Boolean);
  const cflags = words(compile).filter((w) => w.startsWith('-I') || w.startsWith('-D'));
  const libs = words(link).filter((w) => w.startsWith('-L') || w.startsWith('-l') || w.startsWith('-Wl,-rpath'));
  return { wrapper, family, cflags, libs };
}

module.exports = { findMpi, NO_MPI_HELP };

// node-gyp reads the flags through `node scripts/mpi-config.js cflags|libs` (see binding.gyp).
if (require.main === module) {
  const mpi = findMpi();
  if (!mpi) {
    console.error(NO_MPI_HELP);
    process.exit(1);
  }
  const what = process.argv[2];
  if (what === 'cflags') console.log(mpi.cflags.join(' '));
  else if (what === 'libs') console.log(mpi.libs.join(' '));
  else console.log(JSON.stringify(mpi, null, 2));
}
