#!/usr/bin/env bash
# Runs a subset of the SPMD specs under valgrind's memcheck and fails if any error is the addon's own: an invalid
# read/write, a use of uninitialised memory, a bad free, or a definitely lost block, whose innermost frame outside
# the C/C++ runtime is in mpi4js.node. Node, V8 and the MPI libraries report plenty of their own; those are counted
# and listed by library but not held against the addon.
#
#   ci/valgrind.sh [openmpi|mpich] [spec...]     (env: MPI4JS_ADDON, NP=1|2, RUNS for the hostile spec)
#
# The addon is used as built (-O3, symbols kept): line numbers in reports may be approximate.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-openmpi}
shift || true
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(test/spmd/point-to-point.spec.mjs test/spmd/values.spec.mjs test/spmd/errors.spec.mjs
  test/spmd/hostile.spec.mjs)
addon=${MPI4JS_ADDON:-$PWD/build-$flavour/Release/mpi4js.node}
np=${NP:-1}
logs=$(mktemp -d)
export MPI4JS_ADDON=$addon MPI4JS_HOSTILE_RUNS=${RUNS:-150} OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# --jitless: V8 generates no machine code, so memcheck need not track self-modifying code, and runs much faster.
vg=(valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite
  --num-callers=40 --log-file="$logs/rank-%p.log" node --jitless node_modules/.bin/mocha --timeout 0 "${specs[@]}")
if [ "$np" -gt 1 ]; then
  launcher=(mpirun."$flavour" -n "$np")
  [ "$flavour" = openmpi ] && launcher+=(--oversubscribe)
  status=0; timeout 3000 "${launcher[@]}" "${vg[@]}" || status=$?
else
  status=0; timeout 3000 "${vg[@]}" || status=$?
fi

node - "$logs" "$status" <<'JS'
const fs = require('node:fs');
const [dir, status] = process.argv.slice(2);
// Frames of the C/C++ runtime and of valgrind's allocator wrappers: an error there belongs to whoever called them.
const runtime = new RegExp(String.raw`/(libc|libstdc\+\+|libgcc_s|ld-linux[^/]*|vgpreload[^/]*)\.so|` +
  String.raw`\(in /usr/libexec/valgrind|: (malloc|calloc|realloc|free|strdup|strndup|v?asprintf|__vasprintf\w*|` +
  String.raw`mem(cpy|move|set|cmp)|str(len|cpy|cmp|ncmp|chr)|operator (new|delete)(\[\])?)[ (]`);
const ours = [];
const others = new Map();
let files = 0;
for (const file of fs.readdirSync(dir)) {
  const text = fs.readFileSync(`${dir}/${file}`, 'utf8');
  if (!text.includes('mocha')) continue;  // valgrind's logs of helper processes (sh, the launcher's tools)
  files++;
  // One error per block: a "==pid== " line with a description, then its "at"/"by" frames, up to a blank line.
  for (const block of text.split(/\n==\d+== \n/)) {
    const lines = block.split('\n').map((l) => l.replace(/^==\d+== /, ''));
    const frames = lines.filter((l) => /^\s+(at|by) 0x/.test(l));
    if (frames.length === 0 || /^(HEAP|LEAK|ERROR) SUMMARY/m.test(lines.join('\n'))) continue;
    const description = lines.find((l) => l.trim() !== '' && !/^\s+(at|by|Address)/.test(l)) ?? '?';
    if (/possibly lost|indirectly lost|still reachable/.test(description)) continue;
    const innermost = frames.find((f) => !runtime.test(f)) ?? frames[0];
    if (innermost.includes('mpi4js.node')) ours.push(lines.join('\n'));
    else {
      const library = (/\(in ([^)]+)\)/.exec(innermost)?.[1] ?? /\(([^:)]+):\d+\)/.exec(innermost)?.[1] ?? '?')
        .split('/').pop();
      others.set(library, (others.get(library) ?? 0) + 1);
    }
  }
}
console.log(`valgrind: ${files} rank log(s), mocha exit status ${status}`);
console.log(`errors elsewhere (not counted), by innermost library: ${JSON.stringify(Object.fromEntries(others))}`);
console.log(`errors in mpi4js.node: ${ours.length}`);
for (const report of ours) console.log(`\n${report}`);
process.exit(ours.length > 0 || files === 0 || status !== '0' ? 1 : 0);
JS
