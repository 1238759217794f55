#!/usr/bin/env node
'use strict';
// Builds the native addon with cmake-js against the MPI chosen by MPI4JS_MPICC (else `mpicc` on PATH).
// usage: node scripts/build.js [--out DIR] [--debug]     (the addon lands in DIR/Release/mpi4js.node; DIR=build)
const { spawnSync } = require('node:child_process');
const { readFileSync, rmSync } = require('node:fs');
const path = require('node:path');
const { findMpi, NO_MPI_HELP } = require('./mpi-config');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = path.resolve(root, outIndex >= 0 ? args[outIndex + 1] : 'build');
const debug = args.includes('--debug');

const mpi = findMpi();
if (!mpi) {
  console.error(NO_MPI_HELP);
  process.exit(1);
}

// A build directory configured for another MPI must be configured afresh: CMake caches what FindMPI found.
try {
  const cache = readFileSync(path.join(out, 'CMakeCache.txt'), 'utf8');
  const cached = /^MPI_C_COMPILER:[A-Z]*=(.*)$/m.exec(cache);
  if (!cached || path.resolve(cached[1]) !== mpi.wrapper) rmSync(out, { recursive: true, force: true });
} catch {
  // no earlier build
}

const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const cmakeArgs = [cmakeJs, 'compile', '--out', out, `--CDMPI_C_COMPILER=${mpi.wrapper}`];
if (debug) cmakeArgs.push('--debug');
console.log(`mpi4js: building against ${mpi.family} (${mpi.wrapper}) into ${path.relative(root, out) || '.'}`);
const result = spawnSync(process.execPath, cmakeArgs, { cwd: root, stdio: 'inherit' });
process.exit(result.status === null ? 1 : result.status);
