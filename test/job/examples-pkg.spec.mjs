// The examples of the packaging issue, run at 4 ranks as a user runs them, with their output checked:
// hello (JavaScript and TypeScript), Mandelbrot with gatherv, the async pipeline, the large reduction.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { mpirun, flavour } from '../harness/mpirun.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = (name) => path.join(root, 'examples', name);
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const TIMEOUT = 50000;

async function run(np, argv) {
  const result = await mpirun(np, argv, { timeout: TIMEOUT, cwd: root });
  const where = `${argv.join(' ')} at ${np} ranks`;
  expect(result.timedOut, `${where} timed out; stderr:\n${result.stderr}`).to.equal(false);
  expect(result.code, `${where} exited with ${result.code}; stderr:\n${result.stderr}`).to.equal(0);
  return result.stdout;
}

/** The lines that match `pattern`, as their match groups. */
function matches(stdout, pattern) {
  return stdout.split('\n').map((line) => pattern.exec(line)).filter((match) => match !== null);
}

describe('examples (packaging)', function () {
  this.timeout(TIMEOUT + 10000);

  it('hello.mjs greets once from each of 4 ranks', async () => {
    const greetings = matches(await run(4, ['node', example('hello.mjs')]), /^Hello from rank (\d+) of (\d+) on \S+ \((\w+)\)$/);
    expect(greetings.map((m) => Number(m[1])).sort()).to.deep.equal([0, 1, 2, 3]);
    for (const m of greetings) {
      expect(m[2]).to.equal('4');
      if (flavour) expect(m[3]).to.equal(flavour);
    }
  });

  it('hello.ts runs through tsx and passes a typed greeting around the ring', async () => {
    const stdout = await run(4, ['node', '--import', tsx, example('hello.ts')]);
    const greetings = matches(stdout, /^Hello from rank (\d+) of 4: rank (\d+) on \S+ greeted me at \d{4}-\d\d-\d\dT/);
    expect(greetings).to.have.length(4);
    for (const m of greetings) expect(Number(m[2])).to.equal((Number(m[1]) + 3) % 4);
  });

  it('mandelbrot.mjs draws the same picture and checksum on 4 ranks as on 1', async () => {
    const args = ['node', example('mandelbrot.mjs'), '120', '50', '300'];
    const [one, four] = [await run(1, args), await run(4, args)];
    const picture = (stdout) => stdout.split('\n').filter((line) => /^[ .:\-=+*#%@]+$/.test(line)).join('\n');
    const checksum = (stdout) => matches(stdout, /^checksum (\d+)$/).map((m) => m[1]);
    expect(checksum(four)).to.have.length(1);
    expect(checksum(four)).to.deep.equal(checksum(one));
    expect(picture(four)).to.include('@').and.equal(picture(one));
    expect(four).to.match(/mandelbrot 120x50, 300 iterations at most, on 4 ranks/);
  });

  it('pipeline.mjs moves every chunk through 4 stages and sums to the serial result', async () => {
    const stdout = await run(4, ['node', example('pipeline.mjs'), '24', '8192']);
    expect(stdout).to.match(/^pipeline of 4 stages, 24 chunks of 8192 doubles: [\d.]+ s$/m);
    expect(stdout).to.match(/^sum \S+, serial \S+: match$/m);
  });

  it('reduce-large.mjs sums 4 Mi doubles across 4 ranks exactly', async () => {
    const stdout = await run(4, ['node', example('reduce-large.mjs'), String(1 << 22)]);
    expect(stdout).to.match(/^allreduce of 4194304 doubles \(32 MiB\) on 4 ranks: [\d.]+ s, \d+ MiB\/s$/m);
    expect(stdout).to.match(/^largest element 1002 \(expected 1002\)$/m);
    expect(stdout).to.match(/^all sums correct$/m);
  });
});
