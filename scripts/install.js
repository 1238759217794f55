#!/usr/bin/env node
'use strict';
// `npm install` step: use a prebuilt binary when one fits this platform, else build from source against the MPI
// found by scripts/mpi-config.js. With no MPI at all, it stops with a short message naming the packages to install.
const { existsSync, readdirSync } = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const prebuilds = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const hasPrebuild = existsSync(prebuilds) && readdirSync(prebuilds).some((f) => f.endsWith('.node'));

if (hasPrebuild && !process.env.MPI4JS_BUILD_FROM_SOURCE) {
  console.log(`mpi4js: using the prebuilt binaries in ${path.relative(root, prebuilds)}`);
  process.exit(0);
}
const result = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { cwd: root, stdio: 'inherit' });
process.exit(result.status === null ? 1 : result.status);
