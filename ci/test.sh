#!/usr/bin/env bash
# `npm test`: sets up everything on a fresh Debian/Ubuntu machine, then runs the test suite on
# both MPI implementations.
#
#   bash ci/test.sh [options for test/harness/run.mjs...]
#   e.g. bash ci/test.sh --flavours mpich --sizes 2 test/spmd/p2p.spec.mjs
#
# Steps (each logged to a file, shown only if it fails):
#   1. ci/install-mpi.sh                     Open MPI, MPICH, cmake, g++, make, python3 (apt-get)
#   2. npm ci                                if node_modules is missing or older than package-lock.json
#   3. npm run build:ts                      the TypeScript layer (tsc) into lib/
#   4. node scripts/build.js --out build-<flavour>   the addon for each MPI (MPI4JS_MPICC=mpicc.<flavour>)
#   5. node test/harness/run.mjs "$@"        the tests; its exit code is this script's
#
# The last line of output is always "N passed, N failed" (", N skipped"): run.mjs prints it, and a
# failed setup step prints "0 passed, 1 failed" after its log.
#
# Environment: MPI4JS_TEST_FLAVOURS (default "openmpi,mpich") chooses both the addon builds made
# here and the MPIs tested; the other test options (MPI4JS_TEST_*) are described at the top of
# test/harness/run.mjs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "$(id -u)" -eq 0 ]; then
  # Open MPI refuses to run as root without these (CI runs as root).
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

logdir=$(mktemp -d "${TMPDIR:-/tmp}/mpi4js-ci-XXXXXX")
flavours=${MPI4JS_TEST_FLAVOURS:-openmpi,mpich}
flavours=${flavours//,/ }

# step NAME COMMAND...: runs COMMAND with its output in a log file; on failure shows the log's
# end and stops with the summary line.
step() {
  local name=$1
  shift
  local log
  log="$logdir/$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_').log"
  local t0=$SECONDS
  if "$@" >"$log" 2>&1 </dev/null; then
    echo "ci/test.sh: $name ($((SECONDS - t0)) s)"
  else
    local rc=$?
    echo "ci/test.sh: $name FAILED with exit code $rc after $((SECONDS - t0)) s; last lines of $log:"
    tail -n 200 "$log" | sed 's/^/    /'
    echo "0 passed, 1 failed"
    exit 1
  fi
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "ci/test.sh: node and npm (Node.js >= 20.17) are needed"
  echo "0 passed, 1 failed"
  exit 1
fi

step "install MPI and build tools" bash ci/install-mpi.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci" npm ci --no-audit --no-fund
fi
step "npm run build:ts" npm run build:ts
for flavour in $flavours; do
  step "build the addon for $flavour" env MPI4JS_MPICC="mpicc.$flavour" node scripts/build.js --out "build-$flavour"
done
rm -rf "$logdir"

exec node test/harness/run.mjs "$@"
