// The collective examples, run at 4 ranks as a user runs them, their output checked: pi by bcast + reduce, and the
// 2-D heat equation on a Cartesian grid with halo exchange, checked by rank 0 against a serial run.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { mpirun } from '../harness/mpirun.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIMEOUT = 60000;

async function run(np, args) {
  const argv = ['node', path.join(root, 'examples', args[0]), ...args.slice(1)];
  const result = await mpirun(np, argv, { timeout: TIMEOUT, cwd: root });
  const where = `${args.join(' ')} at ${np} ranks`;
  expect(result.timedOut, `${where} timed out; stderr:\n${result.stderr}`).to.equal(false);
  expect(result.code, `${where} exited with ${result.code}; stderr:\n${result.stderr}`).to.equal(0);
  return result.stdout;
}

describe('examples (collectives)', function () {
  this.timeout(TIMEOUT + 10000);

  it('pi.mjs computes pi to 1e-10 from a broadcast count and a reduction', async () => {
    const stdout = await run(4, ['pi.mjs', '2000000']);
    const [, value, error] = /^pi is approximately (\d\.\d{15}), error (\S+)$/m.exec(stdout) ?? [];
    expect(Math.abs(Number(value) - Math.PI)).to.be.below(1e-10);
    expect(Number(error)).to.be.below(1e-10);
    expect(stdout).to.match(/^2000000 intervals on 4 ranks in [\d.]+ s$/m);
  });

  it('heat.mjs on a 2x2 grid of ranks matches its serial run exactly', async () => {
    const stdout = await run(4, ['heat.mjs', '40', '30', '60']);
    expect(stdout).to.match(/^heat equation on 40x30 cells, 60 steps, 4 ranks as a 2x2 grid: [\d.]+ s$/m);
    const [, parallel, serial] = /^total heat (\S+), serial (\S+)$/m.exec(stdout) ?? [];
    expect(Number(parallel)).to.be.above(0).and.closeTo(Number(serial), 1e-6);
    expect(stdout).to.match(/^max difference from the serial run: 0$/m);
    expect(stdout).to.match(/^OK$/m);
  });
});
