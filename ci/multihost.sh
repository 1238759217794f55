#!/usr/bin/env bash
# Runs mpi4js across two simulated hosts, under Open MPI and MPICH, each started by its own launcher.
#
#   ci/multihost.sh [--flavours openmpi,mpich] [--ppn N] [--grep REGEX] [spec files...]
#   ci/multihost.sh [--flavours ...] [--ppn N] --run 'COMMAND'
#
# A host is a network namespace with its own address and hostname, on a bridge with the test hosts' own private
# subnet (10.77.0.0/24, made here, used for nothing else). The launchers reach the hosts through a launch agent that
# stands in for ssh: it drops the caller's environment as ssh does, so what a rank needs must travel through the
# MPI (Open MPI: -x NAME; MPICH's Hydra forwards the whole environment), and gives each host its own /tmp.
# Open MPI runs over its TCP transport (pml ob1, btl tcp,self: no shared memory between hosts). MPICH sends between
# hosts through its network module, UCX, which sees one kernel and so picks shared memory (sysv/cma) between the
# simulated hosts: held to TCP (UCX_TLS=self,tcp), Debian's MPICH 4.0.2 with UCX 1.13 hangs in MPI_Finalize after
# traffic in one direction only (seen with a C program too), so the tests leave UCX its choice; a --run command
# can set UCX_TLS=self,tcp (Hydra forwards the environment) to measure TCP.
#
# Test mode (the default) runs the spec files (default test/spmd/multihost.spec.mjs) with test/harness/run.mjs at
# 2 hosts x N ranks per host (--ppn, default 2); starts examples/hello.mjs with `mpi4js run` and a hostfile in each
# MPI's format; then a fault test: the last rank, on the second host, throws while the others wait for it, and the
# job must end non-zero within 15 s with no rank left on either host.
#
# --run 'COMMAND' runs COMMAND (in bash, on the launching machine) once per flavour instead, with:
#   MPI4JS_MPIRUN, MPI4JS_MPIRUN_ARGS   launcher and JSON array of its flags before -n, placing ranks across the
#                                       hosts (test/harness/mpirun.mjs's convention); MPI4JS_LAUNCH is the same as
#                                       one string to split on spaces: `$MPI4JS_LAUNCH -n 2 node bench/x.mjs`
#   MPI4JS_FLAVOUR, MPI4JS_ADDON        as the test harness sets them
#   MPI4JS_HOSTS, MPI4JS_PPN            number of hosts, ranks per host; `--ppn 1 --run` gives one rank per host
# Under Open MPI a command's own variables reach remote ranks only if it adds `-x NAME` for them.
#
# Addons: build-<flavour>/Release/mpi4js.node (built if missing), or MPI4JS_ADDON_<FLAVOUR>=PATH.
# Needs root (namespaces); installs iproute2 and util-linux with apt-get if `ip` or `unshare` is missing.
# Removes everything it made, also when a test fails or it is interrupted (but the lock file that keeps two runs from
# sharing the names and subnet: ${TMPDIR:-/tmp}/mpi4js-multihost.lock). Last line: "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BRIDGE=m4jbr0
BRIDGE_ADDR=10.77.0.1
SUBNET=10.77.0.0/24
HOSTS=(m4jh1 m4jh2)            # namespace and hostname of each simulated host
ADDRS=(10.77.0.11 10.77.0.12)  # its address on the bridge
FAULT_LIMIT=15                 # seconds within which a throwing rank must have ended the job

FLAVOURS=${MPI4JS_TEST_FLAVOURS:-openmpi,mpich}
PPN=2
GREP=
RUN=
SPECS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --flavours|--flavour) FLAVOURS=$2; shift 2 ;;
    --ppn) PPN=$2; shift 2 ;;
    --grep) GREP=$2; shift 2 ;;
    --run) RUN=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "multihost.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) SPECS+=("$1"); shift ;;
  esac
done
[[ $PPN =~ ^[1-9][0-9]*$ ]] || { echo "multihost.sh: --ppn must be a positive integer" >&2; exit 2; }
[ ${#SPECS[@]} -gt 0 ] || SPECS=(test/spmd/multihost.spec.mjs)
IFS=', ' read -r -a FLAVOURS <<< "$FLAVOURS"
NP=$(( ${#HOSTS[@]} * PPN ))

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
finish() { echo "$PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; exit $?; }

cd "$ROOT" || exit 2

# ---- What the simulation needs ----------------------------------------------------------------------------------

if [ "$(id -u)" -ne 0 ]; then
  echo "multihost.sh: simulating hosts needs root (network namespaces)"
  fail "setup: not root"; finish
fi
missing=()
command -v ip >/dev/null || missing+=(iproute2)
{ command -v unshare >/dev/null && command -v flock >/dev/null; } || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } ||
    { fail "setup: cannot install ${missing[*]}"; finish; }
fi

addon_of() { # flavour -> path of the addon to use
  local var="MPI4JS_ADDON_${1^^}"
  echo "${!var:-$ROOT/build-$1/Release/mpi4js.node}"
}
for f in "${FLAVOURS[@]}"; do
  var="MPI4JS_ADDON_${f^^}"
  addon=$(addon_of "$f")
  [ -f "$addon" ] && continue
  if [ -n "${!var:-}" ]; then fail "setup: $var=$addon does not exist"; finish; fi
  echo "building the addon for $f into build-$f"
  MPI4JS_MPICC=mpicc.$f node scripts/build.js --out "build-$f" >/dev/null || { fail "setup: building the addon for $f"; finish; }
done
if [ ! -f lib/index.js ]; then
  npx tsc -p tsconfig.json >/dev/null; node scripts/esm-wrapper.js >/dev/null || { fail "setup: building lib/"; finish; }
fi

# ---- The hosts, and removing them ------------------------------------------------------------------------------

# One simulation at a time on this machine: the names and the subnet are fixed.
exec 9>"${TMPDIR:-/tmp}/mpi4js-multihost.lock"
flock -w 900 9 || { fail "setup: another multihost.sh run held the lock for 15 minutes"; finish; }

WORK=
CHILD=
teardown() {
  # Whatever still runs on a simulated host is ours: ranks, orted, hydra_pmi_proxy.
  local i
  for i in "${!HOSTS[@]}"; do
    local ns=${HOSTS[$i]} veth=m4jv$((i + 1))
    # Deleting one end of a veth pair deletes both at once; the namespace's own deletion would too, but the kernel
    # destroys a namespace asynchronously, and its veth was seen still present right after `ip netns del`.
    ip link show "$veth" >/dev/null 2>&1 && ip link del "$veth"
    [ -e "/run/netns/$ns" ] || continue
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE"
  [ -n "$WORK" ] && rm -rf "$WORK"
  WORK=
}
on_exit() {
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill -TERM "$CHILD" 2>/dev/null; sleep 2; kill -KILL "$CHILD" 2>/dev/null
  fi
  teardown
}
trap on_exit EXIT
trap 'echo "multihost.sh: interrupted"; exit 130' INT TERM HUP

# run_child LOG COMMAND...: runs COMMAND (a function too) in the background, its output to LOG (- for this script's),
# and waits for it: a signal to this script is then handled at once (the trap stops the command), not when it ends.
run_child() {
  local log=$1; shift
  if [ "$log" = - ]; then "$@" & else "$@" > "$log" 2>&1 & fi
  CHILD=$!
  wait "$CHILD"
  local rc=$?
  CHILD=
  return $rc
}

teardown # leftovers of a run that was killed before its trap could run (we hold the lock: none is running)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mpi4js-multihost.XXXXXX")
case "$WORK" in *[[:space:]]*) fail "setup: the temporary directory $WORK has a space in its path"; finish ;; esac

setup_hosts() {
  ip link add "$BRIDGE" type bridge &&
  ip addr add "$BRIDGE_ADDR/24" dev "$BRIDGE" &&
  ip link set "$BRIDGE" up || return 1
  local i
  for i in "${!HOSTS[@]}"; do
    local ns=${HOSTS[$i]} veth=m4jv$((i + 1))
    ip netns add "$ns" &&
    ip link add "$veth" type veth peer name eth0 netns "$ns" &&
    ip link set "$veth" master "$BRIDGE" up &&
    ip -n "$ns" addr add "${ADDRS[$i]}/24" dev eth0 &&
    ip -n "$ns" link set eth0 up &&
    ip -n "$ns" link set lo up || return 1
    mkdir -p "$WORK/tmp-$ns"
  done
}
setup_hosts || { fail "setup: creating the simulated hosts"; finish; }

# The launch agent, called as AGENT [ssh options] HOST COMMAND... by both launchers (Hydra passes -x).
AGENT=$WORK/agent
{
  echo '#!/bin/sh'
  echo 'while [ $# -gt 0 ]; do case "$1" in -*) shift ;; *) break ;; esac; done'
  echo 'host=$1; shift'
  echo 'case "$host" in'
  for i in "${!HOSTS[@]}"; do echo "  ${HOSTS[$i]}|${ADDRS[$i]}) ns=${HOSTS[$i]} ;;"; done
  echo '  *) echo "launch agent: unknown host $host" >&2; exit 255 ;;'
  echo 'esac'
  echo '# As ssh does: a fresh environment in the home directory, and the command run by a shell (Open MPI sends'
  echo '# "PATH=... ; export PATH ; orted ..." when started by absolute path); and a /tmp of its own for the host.'
  echo 'cd "$HOME" || exit 255'
  echo "exec env -i PATH=\"\$PATH\" HOME=\"\$HOME\" TMPDIR=\"$WORK/tmp-\$ns\" \\"
  echo '  ip netns exec "$ns" unshare --uts sh -c "hostname $ns && $*"'
} > "$AGENT"
chmod +x "$AGENT"

host_list=
for a in "${ADDRS[@]}"; do host_list+="${host_list:+,}$a:$PPN"; done

# How each launcher reaches the hosts, and what its ranks use between them. Open MPI: the agent, TCP on the bridge's
# subnet only, and yielding while idle (busy-polling ranks on few cores starve the kernel's network processing, and a
# message then takes ~4 ms). MPICH: the agent, and the bridge address for the hosts to call the launcher back on.
openmpi_flags=(--mca plm_rsh_agent "$AGENT" --mca pml ob1 --mca btl tcp,self --mca btl_tcp_if_include "$SUBNET"
  --mca oob_tcp_if_include "$SUBNET" --mca mpi_yield_when_idle 1)
mpich_flags=(-launcher ssh -launcher-exec "$AGENT" -localhost "$BRIDGE_ADDR")

# launch_words FLAVOUR [NAME...]: the launcher and its flags before -n, one word a line; NAMEs are the environment
# variables the ranks need besides MPI4JS_ADDON and MPI4JS_FLAVOUR (Open MPI forwards only those named).
launch_words() {
  local flavour=$1; shift
  case "$flavour" in
    openmpi)
      printf '%s\n' mpirun.openmpi --host "$host_list" "${openmpi_flags[@]}"
      local name
      for name in MPI4JS_ADDON MPI4JS_FLAVOUR "$@"; do printf '%s\n' -x "$name"; done ;;
    mpich) printf '%s\n' mpirun.mpich -hosts "$host_list" "${mpich_flags[@]}" ;;
    *) return 1 ;;
  esac
}
json_array() { node -e 'console.log(JSON.stringify(require("fs").readFileSync(0, "utf8").split("\n").slice(0, -1)))'; }

flavour_env() { # FLAVOUR: the environment a job of that flavour is launched with
  export MPI4JS_FLAVOUR=$1 MPI4JS_ADDON
  MPI4JS_ADDON=$(addon_of "$1")
  if [ "$1" = openmpi ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
}
with_flavour() { # FLAVOUR COMMAND...: (in a subshell, as run_child runs it) COMMAND in that environment
  flavour_env "$1"; shift
  exec "$@"
}

for f in "${FLAVOURS[@]}"; do
  launch_words "$f" >/dev/null || { fail "setup: unknown flavour $f (openmpi or mpich)"; finish; }
done
echo "simulated hosts: ${HOSTS[*]} (${ADDRS[*]}) on $BRIDGE; $PPN ranks per host; flavours: ${FLAVOURS[*]}"

# ---- --run: a command across the hosts --------------------------------------------------------------------------

run_command() { # FLAVOUR: (in a subshell) the --run command, with the launch across the hosts in its environment
  local words
  mapfile -t words < <(launch_words "$1")
  export MPI4JS_MPIRUN=${words[0]} MPI4JS_HOSTS=${#HOSTS[@]} MPI4JS_PPN=$PPN MPI4JS_MPIRUN_ARGS MPI4JS_LAUNCH
  MPI4JS_MPIRUN_ARGS=$(printf '%s\n' "${words[@]:1}" | json_array)
  MPI4JS_LAUNCH="${words[*]}"
  echo "== $1: $RUN"
  with_flavour "$1" bash -c "$RUN"
}
if [ -n "$RUN" ]; then
  for f in "${FLAVOURS[@]}"; do
    if run_child - run_command "$f"; then pass "$f --run"; else fail "$f --run: exit code $?"; fi
  done
  teardown
  finish
fi

# ---- The specs, through the test harness --------------------------------------------------------------------------

harness_vars=(MPI4JS_HARNESS_TAG MPI4JS_TEST_START MPI4JS_TEST_EXIT_ZERO MPI4JS_TEST_GREP MPI4JS_TEST_TIMEOUT
  MPI4JS_TEST_HOSTS MPI4JS_TEST_HOSTNAMES)
launch_env=()
for f in "${FLAVOURS[@]}"; do
  launch_env+=("MPI4JS_TEST_LAUNCH_${f^^}=$(launch_words "$f" "${harness_vars[@]}" | json_array)")
  launch_env+=("MPI4JS_ADDON_${f^^}=$(addon_of "$f")")
done
hostnames=$(IFS=,; echo "${HOSTS[*]}")
run_log=$WORK/run.log
flavour_list=$(IFS=,; echo "${FLAVOURS[*]}")
# (run.mjs keeps its per-rank results in a temporary directory it names when something failed, else removes them.)
run_child "$run_log" env "${launch_env[@]}" MPI4JS_TEST_HOSTS=${#HOSTS[@]} MPI4JS_TEST_HOSTNAMES="$hostnames" \
  MPI4JS_TEST_TIMEOUT=60000 MPI4JS_TEST_GREP="$GREP" \
  node test/harness/run.mjs --flavours "$flavour_list" --sizes "$NP" --no-np8 --hang 60 --job-timeout 150 \
  "${SPECS[@]}"
sed '$d' "$run_log" # all but its own total, which is folded into this script's
summary=$(tail -n 1 "$run_log")
if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
  PASSED=$((PASSED + BASH_REMATCH[1])); FAILED=$((FAILED + BASH_REMATCH[2]))
else
  fail "the test harness did not end with a summary line (last line: $summary)"
fi

# ---- A hostfile, and `mpi4js run` (README, "Running on a cluster") ---------------------------------------------

for f in "${FLAVOURS[@]}"; do
  hostfile=$WORK/hosts.$f
  for a in "${ADDRS[@]}"; do
    if [ "$f" = openmpi ]; then echo "$a slots=$PPN"; else echo "$a:$PPN"; fi
  done > "$hostfile"
  if [ "$f" = openmpi ]; then flags=(--hostfile "$hostfile" "${openmpi_flags[@]}"); else flags=(-f "$hostfile" "${mpich_flags[@]}"); fi
  log=$WORK/hostfile-$f.log
  run_child "$log" with_flavour "$f" timeout -k 5 60 node bin/mpi4js.js run -n "$NP" "${flags[@]}" examples/hello.mjs
  rc=$?
  placed=$(for h in "${HOSTS[@]}"; do grep -c " of $NP on $h " "$log"; done | tr '\n' ' ')
  expected=$(for h in "${HOSTS[@]}"; do echo "$PPN"; done | tr '\n' ' ')
  what="$f: npx mpi4js run with a hostfile"
  if [ $rc -eq 0 ] && [ "$placed" = "$expected" ]; then
    pass "$what: $PPN ranks on each host"
  else
    fail "$what: exit code $rc, ranks per host: $placed(expected $expected); output: $(tail -c 600 "$log" | tr '\n' ' ')"
  fi
done

# ---- A fault on the second host ends the whole job -----------------------------------------------------------------

for f in "${FLAVOURS[@]}"; do
  mapfile -t words < <(launch_words "$f")
  log=$WORK/fault-$f.log
  started=$(date +%s%N)
  run_child "$log" with_flavour "$f" timeout -k 5 $((FAULT_LIMIT * 2)) "${words[@]}" -n "$NP" \
    node test/fixtures/throw-on-last-rank.mjs
  rc=$?
  ms=$(( ($(date +%s%N) - started) / 1000000 ))
  last=$((NP - 1))
  leftover=
  for i in 1 2 3 4 5 6 7 8 9 10; do # the launcher may return a moment before the last rank is gone
    leftover=$(for ns in "${HOSTS[@]}"; do ip netns pids "$ns"; done)
    [ -z "$leftover" ] && break
    sleep 0.3
  done
  what="$f: rank $last on ${HOSTS[-1]} throws"
  if [ $rc -eq 0 ]; then
    fail "$what: the job ended with exit code 0"
  elif [ $rc -eq 124 ] || [ $rc -eq 137 ] || [ "$ms" -gt $((FAULT_LIMIT * 1000)) ]; then
    fail "$what: the job took $ms ms to end (limit ${FAULT_LIMIT} s; exit code $rc)"
  elif ! grep -q "rank $last of $NP: uncaught exception" "$log" || ! grep -q "deliberate failure on ${HOSTS[-1]}" "$log"; then
    fail "$what: the job ended (code $rc) without the failing rank's report; output: $(tail -c 600 "$log" | tr '\n' ' ')"
  elif [ -n "$leftover" ]; then
    fail "$what: processes left running on the hosts after the job ended: $(echo $leftover)"
  else
    pass "$what: job ended with exit code $rc in $ms ms"
  fi
done

# ---- Nothing left behind ------------------------------------------------------------------------------------------

teardown
left=$( { ip netns list; ip -o link show; } | grep -E "\b(${HOSTS[0]}|${HOSTS[1]}|$BRIDGE|m4jv[0-9])\b")
if [ -n "$left" ]; then fail "teardown: still present: $(echo $left)"; else pass "teardown: no namespace, bridge or veth left"; fi
finish
