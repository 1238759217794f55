// A short soak (ci/soak.mjs at scale 0.05: 50 000 messages, 5 000 values, 500 requests in flight, 500 communicators
// and 50 ops made and freed) on 2 ranks: RSS must end within 20 MiB of where it stood after the warm-up.
// The full soak (scale 1) is `mpirun -n 2 node --expose-gc --max-semi-space-size=1 ci/soak.mjs`.
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { mpirun } from '../harness/mpirun.mjs';

const soak = fileURLToPath(new URL('../../ci/soak.mjs', import.meta.url));

describe('soak', function () {
  this.timeout(240000);

  it('keeps RSS within 20 MiB of its size after the warm-up, on every rank', async () => {
    const job = await mpirun(2, ['node', '--expose-gc', '--max-semi-space-size=1', soak, '--scale', '0.05'],
      { timeout: 200000 });
    expect(job.timedOut, 'the soak hung').to.equal(false);
    expect(job.code, job.stderr).to.equal(0);
    const reports = job.stdout.trim().split('\n').filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(reports).to.have.length(2);
    for (const report of reports) expect(report.growthMiB).to.be.below(20);
  });
});
