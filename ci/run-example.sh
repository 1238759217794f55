#!/usr/bin/env bash
# The README's first command: sets up a fresh Debian/Ubuntu machine and runs an example under mpirun.
#
#   bash ci/run-example.sh [example] [ranks]        (default: examples/pi.mjs on 4 ranks)
#   MPI4JS_MPICC=mpicc.mpich bash ci/run-example.sh   (the same on MPICH)
#
# Installs both MPIs and the build tools when missing (ci/install-mpi.sh), the npm dependencies, builds the addon
# against the chosen MPI and the TypeScript layer, then launches the example with that MPI's own mpirun.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

example=${1:-examples/pi.mjs}
ranks=${2:-4}

bash ci/install-mpi.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --ignore-scripts
fi
npm run --silent build >/tmp/mpi4js-build.log 2>&1 || { cat /tmp/mpi4js-build.log; exit 1; }

family=$(node -p "require('./scripts/mpi-config').findMpi().family")
launcher=mpirun.$family
command -v "$launcher" >/dev/null || launcher=mpirun
flags=()
if [ "$family" = openmpi ]; then
  flags+=(--oversubscribe)
  [ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
echo "+ $launcher ${flags[*]} -n $ranks node $example"
exec "$launcher" "${flags[@]}" -n "$ranks" node "$example"
