// The `mpi4js` command (bin/mpi4js.js) and the choice of the addon (src/addon.ts), for the MPI under test: `run`
// starts the launcher of the addon's MPI with the flags a user needs (root, oversubscription) and runs TypeScript;
// `info` reports the addon; a package with prebuilt binaries loads the one whose MPI launched it, or the one
// MPI4JS_MPI names, and says clearly when none fits.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { mpirun, flavour } from '../harness/mpirun.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'bin', 'mpi4js.js');
const TIMEOUT = 50000;
const FAMILIES = ['openmpi', 'mpich'];
const GREETING = /^Hello from rank (\d+) of (\d+) on \S+ \((\w+)\)$/gm;

/** The addon built for `family` by the harness (or named by MPI4JS_ADDON_<FAMILY>), if there is one. */
function addonOf(family) {
  if (family === flavour && process.env.MPI4JS_ADDON) return process.env.MPI4JS_ADDON;
  const file = process.env[`MPI4JS_ADDON_${family.toUpperCase()}`] ?? path.join(root, `build-${family}`, 'Release', 'mpi4js.node');
  return existsSync(file) ? file : null;
}

/** Runs a command the way a user's shell would: no root permission for Open MPI, no addon path, unless given. */
function sh(argv, { env = {}, cwd = root } = {}) {
  const clean = { ...process.env };
  for (const name of ['OMPI_ALLOW_RUN_AS_ROOT', 'OMPI_ALLOW_RUN_AS_ROOT_CONFIRM', 'MPI4JS_MPI']) delete clean[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function ranksGreeting(stdout) {
  return [...stdout.matchAll(GREETING)].map((m) => ({ rank: Number(m[1]), size: Number(m[2]), family: m[3] }));
}

describe('mpi4js command and addon choice', function () {
  this.timeout(TIMEOUT + 10000);
  const addon = flavour ? addonOf(flavour) : process.env.MPI4JS_ADDON;

  before(function () {
    if (!addon) throw new Error('no addon to test: run under test/harness/run.mjs or set MPI4JS_ADDON and MPI4JS_FLAVOUR');
  });

  it('`mpi4js run -n 4 hello.mjs` starts 4 ranks with the launcher of the addon\'s MPI', async () => {
    const r = await sh([bin, 'run', '-n', '4', 'examples/hello.mjs'], { env: { MPI4JS_ADDON: addon } });
    expect(r.code, r.stderr).to.equal(0);
    const greetings = ranksGreeting(r.stdout);
    expect(greetings.map((g) => g.rank).sort()).to.deep.equal([0, 1, 2, 3]);
    for (const g of greetings) expect(g.size).to.equal(4);
    if (flavour) for (const g of greetings) expect(g.family).to.equal(flavour);
  });

  it('`mpi4js run` runs a .ts file directly and passes launcher options and script arguments through', async () => {
    const ts = await sh([bin, 'run', '-n', '2', 'examples/hello.ts'], { env: { MPI4JS_ADDON: addon } });
    expect(ts.code, ts.stderr).to.equal(0);
    expect(ts.stdout.match(/^Hello from rank \d of 2: rank \d on /gm)).to.have.length(2);
    const launcherOption = flavour === 'mpich' ? ['-launcher', 'fork'] : ['--bind-to', 'none'];
    const args = await sh([bin, 'run', '-n', '2', ...launcherOption, 'examples/mandelbrot.mjs', '48', '16', '40'],
      { env: { MPI4JS_ADDON: addon } });
    expect(args.code, args.stderr).to.equal(0);
    expect(args.stdout).to.match(/^mandelbrot 48x16, 40 iterations at most, on 2 ranks/m);
  });

  it('`mpi4js run` exits with the job\'s failure and explains a missing script', async () => {
    const failing = await sh([bin, 'run', '-n', '2', 'test/fixtures/throw-on-last-rank.mjs'], { env: { MPI4JS_ADDON: addon } });
    const seen = `exit code ${failing.code}; stdout: ${failing.stdout}; stderr: ${failing.stderr}`;
    expect(failing.code, seen).to.not.equal(0);
    expect(failing.stderr, seen).to.include('deliberate failure');
    const missing = await sh([bin, 'run', '-n', '2', 'no-such-app.ts'], { env: { MPI4JS_ADDON: addon } });
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include('mpi4js: no script to run');
  });

  it('`mpi4js info` names the addon, its MPI, the library and the launcher', async () => {
    const r = await sh([bin, 'info'], { env: { MPI4JS_ADDON: addon } });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`addon    ${path.resolve(addon)} (MPI4JS_ADDON)`);
    expect(r.stdout).to.match(/^library  (Open MPI|MPICH|.*MPI)/m);
    if (flavour) {
      expect(r.stdout).to.match(new RegExp(`^MPI      ${flavour}, MPI \\d\\.\\d standard$`, 'm'));
      expect(r.stdout).to.match(flavour === 'openmpi' ? /^launcher .*mpi(run|exec)(\.openmpi)?$/m
        : /^launcher .*(mpi(run|exec)(\.mpich)?|mpiexec\.hydra)$/m);
    }
  });

  describe('an installed package with prebuilt binaries', () => {
    let dir;
    const present = () => FAMILIES.filter((family) => addonOf(family) !== null);

    before(function () {
      if (!flavour) this.skip();
      // A user's project: node_modules/mpi4js holds the compiled package and prebuilds/, and no local build.
      dir = mkdtempSync(path.join(os.tmpdir(), 'mpi4js-prebuilds-'));
      const pkg = path.join(dir, 'node_modules', 'mpi4js');
      for (const item of ['package.json', 'lib', 'bin']) cpSync(path.join(root, item), path.join(pkg, item), { recursive: true });
      for (const family of present()) {
        cpSync(addonOf(family), path.join(pkg, 'prebuilds', `${process.platform}-${process.arch}`, `mpi4js.${family}.node`));
      }
      cpSync(path.join(root, 'examples', 'hello.mjs'), path.join(dir, 'hello.mjs'));
      writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
    });

    after(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('loads the prebuild of the MPI whose launcher started it', async () => {
      const r = await mpirun(3, ['node', 'hello.mjs'], { cwd: dir, timeout: TIMEOUT, env: { MPI4JS_ADDON: '' } });
      expect(r.code, r.stderr).to.equal(0);
      const greetings = ranksGreeting(r.stdout);
      expect(greetings).to.have.length(3);
      for (const g of greetings) expect(g).to.include({ size: 3, family: flavour });
    });

    it('loads the prebuild MPI4JS_MPI names, and `mpi4js info` says so', async () => {
      const single = await sh(['hello.mjs'], { cwd: dir, env: { MPI4JS_MPI: flavour, MPI4JS_ADDON: '' } });
      expect(single.code, single.stderr).to.equal(0);
      expect(ranksGreeting(single.stdout)).to.deep.equal([{ rank: 0, size: 1, family: flavour }]);
      const info = await sh([path.join(dir, 'node_modules', 'mpi4js', 'bin', 'mpi4js.js'), 'info'],
        { cwd: dir, env: { MPI4JS_MPI: flavour, MPI4JS_ADDON: '' } });
      expect(info.code, info.stderr).to.equal(0);
      expect(info.stdout).to.match(new RegExp(`^addon .*mpi4js\\.${flavour}\\.node \\(prebuilt, MPI4JS_MPI\\)$`, 'm'));
    });

    it('rejects an MPI4JS_MPI it does not know, naming the choices', async () => {
      const r = await sh(['hello.mjs'], { cwd: dir, env: { MPI4JS_MPI: 'lam', MPI4JS_ADDON: '' } });
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.include('MPI4JS_MPI must be one of openmpi, mpich, not "lam"');
    });

    it('says what to install or build when no prebuild\'s MPI library is present', async () => {
      // A prebuild that needs an MPI library no machine has.
      const other = path.join(dir, 'elsewhere');
      cpSync(path.join(dir, 'node_modules', 'mpi4js'), path.join(other, 'node_modules', 'mpi4js'), { recursive: true });
      const prebuilds = path.join(other, 'node_modules', 'mpi4js', 'prebuilds');
      rmSync(prebuilds, { recursive: true, force: true });
      cpSync(path.join(dir, 'hello.mjs'), path.join(other, 'hello.mjs'));
      cpSync(path.join(dir, 'package.json'), path.join(other, 'package.json'));
      mkdirSync(path.join(prebuilds, `${process.platform}-${process.arch}`), { recursive: true });
      writeFileSync(path.join(prebuilds, `${process.platform}-${process.arch}`, 'mpi4js.openmpi.node'), 'libmpi.so.99\0');
      const r = await sh(['hello.mjs'], { cwd: other, env: { MPI4JS_ADDON: '' } });
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.include('mpi4js: no compiled addon fits this machine');
      expect(r.stderr).to.include('openmpi (needs libmpi.so.99, which is not installed)');
      expect(r.stderr).to.include('npx mpi4js build');
    });
  });
});
