// Lifetime of nonblocking requests across garbage collection, finalize() and process.exit() (fixtures/lifetime.mjs).
// The worker_thread case is in lifecycle.spec.mjs.
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { mpirun } from '../harness/mpirun.mjs';

const fixture = fileURLToPath(new URL('../fixtures/lifetime.mjs', import.meta.url));
const reports = (job) => job.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

describe('lifetime of requests', function () {
  this.timeout(60000);

  it('keeps the buffers of pending requests alive through forced GCs, with their bytes intact', async () => {
    const job = await mpirun(2, ['node', '--expose-gc', fixture, 'gc'], { timeout: 40000 });
    expect(job.code, job.stderr).to.equal(0);
    for (const report of reports(job)) {
      expect(report.aliveWhilePending).to.equal(report.count);
      expect(report.wrong).to.equal(0);
    }
  });

  it('rejects requests still pending at finalize() with MpiError, without a crash', async () => {
    const job = await mpirun(2, ['node', '--expose-gc', fixture, 'finalize'], { timeout: 40000 });
    expect(job.code, job.stderr).to.equal(0);
    const all = reports(job);
    expect(all).to.have.length(2);
    for (const report of all) {
      expect(report.isFinalized).to.equal(true);
      expect(report.outcome).to.have.length(3);
      for (const outcome of report.outcome) expect(outcome).to.match(/^MpiError: MPI has been finalized/);
    }
  });

  it('ends with code 0 and no noise when process.exit(0) leaves receives pending', async () => {
    const job = await mpirun(2, ['node', '--expose-gc', fixture, 'exit'], { timeout: 40000 });
    expect(job.code, job.stderr).to.equal(0);
    expect(job.stderr.trim()).to.equal('');
  });
});
