#!/usr/bin/env node
'use strict';
// `npm run prebuild`: makes the prebuilt binaries shipped in the npm package, one per MPI ABI, with prebuildify
// (Node-API, so one binary serves every Node version) driving node-gyp on binding.gyp:
//   prebuilds/<platform>-<arch>/mpi4js.openmpi.node   linked against Open MPI's libmpi.so.40
//   prebuilds/<platform>-<arch>/mpi4js.mpich.node     linked against MPICH's libmpich.so.12
// src/addon.ts picks the one whose library is installed. Each family is built with its own compiler wrapper:
//   node scripts/prebuild.js [openmpi=WRAPPER] [mpich=WRAPPER]     (default: mpicc.openmpi and mpicc.mpich)
// Only the families named are built when any is named. The build runs in build-prebuild/<family>, away from build/.
const { spawnSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { findMpi } = require('./mpi-config');

const root = path.resolve(__dirname, '..');
const wrappers = { openmpi: 'mpicc.openmpi', mpich: 'mpicc.mpich' };
const named = process.argv.slice(2).map((arg) => {
  const [family, wrapper] = arg.split('=');
  if (!(family in wrappers) || !wrapper) {
    console.error(`usage: node scripts/prebuild.js [openmpi=WRAPPER] [mpich=WRAPPER]   (not "${arg}")`);
    process.exit(2);
  }
  return [family, wrapper];
});
const builds = named.length > 0 ? named : Object.entries(wrappers);

// node-gyp must compile against the headers of the Node it runs on, never download them: this machine (and CI) may
// have no way out. npm's nodedir setting says where they are; else the running Node's own prefix has them.
const env = { ...process.env, JOBS: process.env.JOBS || String(os.availableParallelism()) };
if (!env.npm_config_nodedir) {
  const prefix = path.resolve(process.execPath, '..', '..');
  if (existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
}

const prebuildify = require.resolve('prebuildify/bin.js');
const outDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
mkdirSync(outDir, { recursive: true });

for (const [family, wrapper] of builds) {
  const mpi = findMpi(wrapper);
  if (!mpi || mpi.family !== family) {
    console.error(`mpi4js prebuild: ${wrapper} is not the compiler wrapper of ${family}` +
      `${mpi ? ` (it belongs to ${mpi.family})` : ' (not found)'}`);
    process.exit(1);
  }
  // A copy of what binding.gyp reads, inside the repository so that node-addon-api resolves from node_modules.
  const stage = path.join(root, 'build-prebuild', family);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(path.join(stage, 'scripts'), { recursive: true });
  for (const item of ['native', 'binding.gyp', 'package.json', 'scripts/mpi-config.js']) {
    cpSync(path.join(root, item), path.join(stage, item), { recursive: true });
  }
  console.log(`mpi4js prebuild: ${family} with ${mpi.wrapper}`);
  const result = spawnSync(process.execPath,
    [prebuildify, '--napi', `--target=${process.versions.node}`, '--strip', '--cwd', stage],
    { cwd: stage, env: { ...env, MPI4JS_MPICC: mpi.wrapper }, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  const made = path.join(stage, 'prebuilds', `${process.platform}-${process.arch}`);
  const [binary] = readdirSync(made).filter((file) => file.endsWith('.node'));
  renameSync(path.join(made, binary), path.join(outDir, `mpi4js.${family}.node`));
  console.log(`mpi4js prebuild: ${path.relative(root, path.join(outDir, `mpi4js.${family}.node`))}`);
}
rmSync(path.join(root, 'build-prebuild'), { recursive: true, force: true });
