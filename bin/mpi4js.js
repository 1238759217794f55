#!/usr/bin/env node
'use strict';
// The `mpi4js` command (`npx mpi4js ...`): launches a program on the MPI the addon was built against, says which
// addon and MPI a program gets, and builds the addon from source. See `mpi4js help`.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const root = path.resolve(__dirname, '..');
const addon = require('../lib/addon.js');

const HELP = `usage:
  mpi4js run [-n N] [launcher options] SCRIPT [script arguments]
      Runs SCRIPT (.js, .mjs, .cjs, or .ts, .mts, .cts through tsx) on N ranks with the mpirun of the MPI the addon
      was built against. As root it allows Open MPI to run as root, and it lets Open MPI place more ranks than cores
      (--oversubscribe). Launcher options before SCRIPT go to mpirun as they are.
  mpi4js info
      Prints the addon this machine loads, its MPI and the launcher \`mpi4js run\` uses.
  mpi4js build
      Builds the addon from source against the MPI of \`mpicc\` (or of MPI4JS_MPICC=path/to/wrapper), into the
      package's build/ directory, which then takes precedence over the prebuilt binaries.
environment:
  MPI4JS_MPI=openmpi|mpich   use the prebuilt binary of that MPI when both are installed
  MPI4JS_ADDON=PATH          load exactly this addon file`;

// Each family's launchers, most specific first. A generic name (mpirun, mpiexec) counts only when its --version
// names the family, since Debian points it at whichever MPI was installed last.
const LAUNCHERS = {
  openmpi: { names: ['mpirun.openmpi', 'mpiexec.openmpi', 'mpirun', 'mpiexec'], version: /Open ?MPI|OpenRTE|Open RTE/ },
  mpich: { names: ['mpirun.mpich', 'mpiexec.mpich', 'mpiexec.hydra', 'mpirun', 'mpiexec'], version: /HYDRA|Intel\(R\) MPI/ },
};
const SCRIPT = /\.(?:[cm]?js|[cm]?ts)$/;
const TYPESCRIPT = /\.[cm]?ts$/;

function fail(message) {
  console.error(`mpi4js: ${message}`);
  process.exit(1);
}

function onPath(command) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir || '.', command);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** The addon a program started now would load, and its MPI family (null when the binary does not tell). */
function chosenAddon() {
  let file;
  try {
    file = addon.findAddon();
  } catch (error) {
    fail(error.message.replace(/^mpi4js: /, ''));
  }
  return { file, family: existsSync(file) ? addon.familyOf(file) : null };
}

/** The launcher of `family`, or the plain `mpirun` when the family is unknown; null when none is installed. */
function findLauncher(family) {
  if (family === null) return onPath('mpirun');
  const { names, version } = LAUNCHERS[family];
  for (const name of names) {
    const file = onPath(name);
    if (file === null) continue;
    if (name.includes('.')) return file;
    const output = spawnSync(file, ['--version'], { encoding: 'utf8' });
    if (version.test(`${output.stdout}${output.stderr}`)) return file;
  }
  return null;
}

/** The node arguments that run `script`: TypeScript goes through tsx's loader, found from the script or the cwd. */
function nodeArgs(script) {
  if (!TYPESCRIPT.test(script)) return [script];
  let tsx = null;
  try {
    tsx = require.resolve('tsx', { paths: [path.dirname(path.resolve(script)), process.cwd(), root] });
  } catch {
    // not installed: Node's own type stripping may do
  }
  if (tsx !== null) return ['--import', pathToFileURL(tsx).href, script];
  if (process.features.typescript) return [script];
  fail(`running ${script} needs a TypeScript runner on Node ${process.versions.node}: ` +
    'npm install --save-dev tsx (or compile it with tsc and run the .js file)');
}

function run(args) {
  const scriptIndex = args.findIndex((arg) => SCRIPT.test(arg) && existsSync(arg));
  if (scriptIndex < 0) {
    fail(`no script to run among "${args.join(' ')}" (a .js, .mjs, .cjs, .ts, .mts or .cts file that exists)\n${HELP}`);
  }
  const launcherArgs = args.slice(0, scriptIndex);
  const [script, ...scriptArgs] = args.slice(scriptIndex);
  const { file, family } = chosenAddon();
  const launcher = findLauncher(family);
  if (launcher === null) {
    fail(`the addon ${file} is built against ${family ?? 'an unknown MPI'}, but no launcher of it is installed ` +
      `(looked for ${family ? LAUNCHERS[family].names.join(', ') : 'mpirun'} on PATH)`);
  }
  // Every rank loads the very addon whose launcher this is, whatever its own environment would pick.
  const env = { ...process.env, MPI4JS_ADDON: file };
  const flags = [];
  if (family === 'openmpi') {
    if (process.getuid?.() === 0) {
      env.OMPI_ALLOW_RUN_AS_ROOT = '1';
      env.OMPI_ALLOW_RUN_AS_ROOT_CONFIRM = '1';
    }
    // Open MPI refuses more ranks than cores unless told, and then yields the CPU while waiting instead of spinning.
    if (!launcherArgs.includes('--oversubscribe')) flags.push('--oversubscribe');
    // Ranks on other hosts get only the variables named with -x.
    flags.push('-x', 'MPI4JS_ADDON');
  }
  const command = [...flags, ...launcherArgs, process.execPath, ...nodeArgs(script), ...scriptArgs];
  const result = spawnSync(launcher, command, { env, stdio: 'inherit' });
  if (result.error) fail(`could not start ${launcher}: ${result.error.message}`);
  process.exit(result.status ?? 1);
}

function info() {
  const { file, family } = chosenAddon();
  const how = process.env.MPI4JS_ADDON ? 'MPI4JS_ADDON'
    : file.startsWith(addon.prebuildDir) ? `prebuilt${process.env.MPI4JS_MPI ? ', MPI4JS_MPI' : ''}` : 'built from source';
  const MPI = require('../lib/index.js');
  const { major, minor } = MPI.version();
  const lines = [
    ['mpi4js', require('../package.json').version],
    ['node', process.version],
    ['addon', `${file} (${how})`],
    ['MPI', `${MPI.implementation}, MPI ${major}.${minor} standard`],
    ['library', MPI.libraryVersion().split('\n')[0].trim()],
    ['launcher', findLauncher(family) ?? 'none found'],
  ];
  for (const [key, value] of lines) console.log(`${key.padEnd(9)}${value}`);
}

function build() {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'run') run(rest);
else if (command === 'info') info();
else if (command === 'build') build();
else if (command === 'help' || command === '--help' || command === '-h' || command === undefined) console.log(HELP);
else fail(`unknown command "${command}"\n${HELP}`);
