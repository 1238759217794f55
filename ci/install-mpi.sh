#!/usr/bin/env bash
# Installs what building and testing mpi4js needs on Debian/Ubuntu: both MPI implementations
# (Open MPI and MPICH, with their compiler wrappers) and the native build tools.
#
#   bash ci/install-mpi.sh
#
# Idempotent: installs only the packages that are missing, and runs `apt-get update` only then.
# Must run as root to install anything; as another user it lists what is missing and exits 1.
# Node.js itself is not installed here (CI images provide it).
set -euo pipefail

packages=(openmpi-bin libopenmpi-dev mpich libmpich-dev cmake g++ make python3)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-mpi.sh: this is not a Debian/Ubuntu system (no dpkg-query/apt-get);" >&2
  echo "install-mpi.sh: install Open MPI, MPICH (with their dev files), cmake, g++, make and python3 yourself." >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-mpi.sh: all needed packages are installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-mpi.sh: missing packages: ${missing[*]}" >&2
  echo "install-mpi.sh: run as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "install-mpi.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "install-mpi.sh: apt-get failed" >&2
  exit 1
fi
rm -f "$log"
echo "install-mpi.sh: installed ${missing[*]}"
