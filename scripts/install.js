#!/usr/bin/env node
'use strict';
// `npm install` step: nothing to do when a prebuilt binary fits this machine (its MPI library is installed; see
// src/addon.ts), else build from source against the MPI found by scripts/mpi-config.js. With no MPI at all, the build
// stops with a short message naming the packages to install. MPI4JS_BUILD_FROM_SOURCE=1 builds even when one fits.
// npm 11 runs a dependency's install script only when the project allows it, so the loader never relies on this
// step: without it, a fitting prebuild still loads, and otherwise the loader says how to build (`npx mpi4js build`).
const { existsSync } = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
// A git checkout has neither the compiled lib/ nor prebuilds before its first build: it builds from source.
const addon = path.join(root, 'lib', 'addon.js');
const prebuild = !process.env.MPI4JS_BUILD_FROM_SOURCE && existsSync(addon) ? require(addon).fittingPrebuild() : null;

if (prebuild) {
  console.log(`mpi4js: using the prebuilt binary ${path.relative(root, prebuild)}`);
  process.exit(0);
}
const result = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { cwd: root, stdio: 'inherit' });
process.exit(result.status === null ? 1 : result.status);
