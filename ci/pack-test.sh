#!/usr/bin/env bash
# Installs mpi4js from its packed tarball into empty projects, as a user would, and runs examples under mpirun:
#   1. a tarball without prebuilt binaries: `npm install` builds the addon from source, against Open MPI's mpicc;
#      require() and import give the same objects; `npx mpi4js run` runs JavaScript on 4 ranks
#   2. a tarball with both prebuilt binaries (npm run build:prebuilds): nothing is compiled at install; each MPI's
#      launcher gets its own binary, MPI4JS_MPI forces one; a TypeScript program type-checks against the shipped
#      declarations and runs through tsx
#   3. no MPI: the install stops with a message naming the packages to install
# Needs Open MPI and MPICH with their development packages, cmake, g++, and the npm registry (for the dependencies).
# Everything happens in a temporary directory, removed at the end.
#   bash ci/pack-test.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mpi4js-pack-XXXXXX")
trap 'rm -rf "$work"' EXIT
started=$SECONDS
checks=0
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# Open MPI's launcher refuses root unless told; `mpi4js run` tells it itself, plain mpirun runs below need these.
ompi_root=(env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1)

step() { printf '\n== pack-test: %s (%ds)\n' "$1" $((SECONDS - started)); }
fail() { printf 'pack-test: FAILED: %s\n' "$1" >&2; exit 1; }
# expect DESCRIPTION PATTERN TEXT: the extended regular expression PATTERN matches a line of TEXT.
expect() {
  if grep -Eq -- "$2" <<<"$3"; then checks=$((checks + 1)); else printf '%s\n' "$3" >&2; fail "$1: no line matches /$2/"; fi
}
# greetings N FAMILY TEXT: hello.mjs said hello from each of N ranks on FAMILY.
greetings() {
  local count
  count=$(grep -Ec "^Hello from rank [0-9]+ of $1 on .* \($2\)$" <<<"$3" || true)
  [ "$count" = "$1" ] || { printf '%s\n' "$3" >&2; fail "expected $1 greetings from $2, got $count"; }
  checks=$((checks + 1))
}
new_project() {
  mkdir -p "$work/$1"
  printf '{ "name": "%s", "private": true }\n' "$1" >"$work/$1/package.json"
  cp "$root/examples/hello.mjs" "$work/$1/"
}

step "packing a clean copy of the working tree"
# Tracked and new files, not ignored ones: no lib/, build*/ or prebuilds/ come along.
mkdir "$work/src"
(cd "$root" && git ls-files -co --exclude-standard | while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done) |
  tar -C "$root" -cf - -T - | tar -C "$work/src" -xf -
ln -s "$root/node_modules" "$work/src/node_modules"
mkdir "$work/source-only" "$work/prebuilt"
(cd "$work/src" && npm pack --silent --pack-destination "$work/source-only" >/dev/null)
tarball=$(echo "$work"/source-only/mpi4js-*.tgz)
contents=$(tar -tzf "$tarball")
for f in lib/index.js lib/index.mjs lib/index.d.ts lib/addon.js bin/mpi4js.js native/addon.cc CMakeLists.txt \
  binding.gyp scripts/install.js scripts/build.js scripts/mpi-config.js README.md; do
  expect "the tarball holds $f" "^package/$f$" "$contents"
done
if grep -Eq '^package/(test|bench|examples|build[^/]*|prebuilds|docs)/' <<<"$contents"; then
  fail "the tarball holds files a user does not need: $(grep -E '^package/(test|bench|examples|build|prebuilds|docs)' <<<"$contents" | head -3)"
fi

step "1. install without prebuilt binaries: build from source against Open MPI"
new_project app-source
(cd "$work/app-source" && MPI4JS_MPICC=mpicc.openmpi npm install --loglevel=error "$tarball")
[ -f "$work/app-source/node_modules/mpi4js/build/Release/mpi4js.node" ] || fail "npm install built no addon"
cd "$work/app-source"
expect "mpi4js info names the local build" '^addon .*/node_modules/mpi4js/build/Release/mpi4js.node \(built from source\)$' \
  "$(npx --no mpi4js info)"
expect "the source build is on Open MPI" '^MPI +openmpi, MPI [0-9.]+ standard$' "$(npx --no mpi4js info)"
same=$(node -e "const cjs = require('mpi4js'); import('mpi4js').then((esm) => console.log(
  esm.COMM_WORLD === cjs.COMM_WORLD && esm.default === cjs && esm.Comm === cjs.Comm ? 'same objects' : 'DIFFERENT'))")
expect "require() and import give the same objects" '^same objects$' "$same"
greetings 4 openmpi "$(timeout 120 npx --no mpi4js run -n 4 hello.mjs)"
greetings 2 openmpi "$(timeout 120 "${ompi_root[@]}" mpirun.openmpi --oversubscribe -n 2 node hello.mjs)"

step "2. install with prebuilt binaries for both MPIs"
(cd "$work/src" && node scripts/prebuild.js >"$work/prebuild.log" 2>&1) || { tail -30 "$work/prebuild.log"; fail "npm run build:prebuilds"; }
(cd "$work/src" && npm pack --silent --pack-destination "$work/prebuilt" >/dev/null)
tarball=$(echo "$work"/prebuilt/mpi4js-*.tgz)
contents=$(tar -tzf "$tarball")
expect "the tarball holds the Open MPI prebuild" '^package/prebuilds/linux-x64/mpi4js.openmpi.node$' "$contents"
expect "the tarball holds the MPICH prebuild" '^package/prebuilds/linux-x64/mpi4js.mpich.node$' "$contents"
new_project app-prebuilt
cp "$root/examples/hello.ts" "$work/app-prebuilt/"
cd "$work/app-prebuilt"
# No MPI4JS_MPICC, no compiler needed: a build would show as node_modules/mpi4js/build.
npm install --loglevel=error "$tarball" tsx typescript@5 @types/node@20
[ ! -e node_modules/mpi4js/build ] || fail "npm install compiled the addon although a prebuilt binary fits"
checks=$((checks + 1))
greetings 3 openmpi "$(timeout 120 "${ompi_root[@]}" mpirun.openmpi --oversubscribe -n 3 node hello.mjs)"
greetings 3 mpich "$(timeout 120 mpirun.mpich -n 3 node hello.mjs)"
greetings 1 mpich "$(MPI4JS_MPI=mpich node hello.mjs)"
greetings 1 openmpi "$(MPI4JS_MPI=openmpi node hello.mjs)"
expect "mpi4js info with MPI4JS_MPI=mpich" '^addon .*/prebuilds/linux-x64/mpi4js.mpich.node \(prebuilt, MPI4JS_MPI\)$' \
  "$(MPI4JS_MPI=mpich npx --no mpi4js info)"
greetings 4 mpich "$(MPI4JS_MPI=mpich timeout 120 npx --no mpi4js run -n 4 hello.mjs)"
greetings 4 openmpi "$(MPI4JS_MPI=openmpi timeout 120 npx --no mpi4js run -n 4 hello.mjs)"
./node_modules/.bin/tsc --noEmit --strict --target es2022 --module nodenext --moduleResolution nodenext --types node hello.ts ||
  fail "hello.ts does not type-check against the installed declarations"
checks=$((checks + 1))
expect "hello.ts runs through tsx" '^Hello from rank 3 of 4: rank 2 on ' "$(timeout 120 npx --no mpi4js run -n 4 hello.ts)"

step "3. no MPI"
new_project app-no-mpi
cd "$work/app-no-mpi"
if output=$(MPI4JS_MPICC=/nonexistent/mpicc npm install --loglevel=error "$work"/source-only/mpi4js-*.tgz 2>&1); then
  fail "npm install succeeded without an MPI"
fi
expect "the install names the packages to install" 'apt-get install libopenmpi-dev openmpi-bin' "$output"

printf '\npack-test: %d checks passed in %d s\n' "$checks" $((SECONDS - started))
