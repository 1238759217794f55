// How a job with nonblocking requests ends: awaiting last, exiting or finalizing with requests pending, and a failed
// request that nobody awaits. (Buffer lifetime under GC: gc.spec.mjs.)
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { mpirun } from '../harness/mpirun.mjs';

const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const run = (args) => mpirun(2, ['node', ...args], { timeout: 40000 });

describe('requests in a job', function () {
  this.timeout(60000);

  it('completes a request awaited as the last act of the script before the process exits', async () => {
    const job = await run([fixture('request-exit.mjs'), 'await-last']);
    expect(job.timedOut, 'the job hung').to.equal(false);
    expect(job.code, job.stderr).to.equal(0);
    expect(job.stdout).to.include('rank 0 got bye from 1').and.include('rank 1 got bye from 0');
  });

  it('exits cleanly with process.exit() while requests are pending: they are cancelled before MPI_Finalize',
    async () => {
      const job = await run([fixture('request-exit.mjs'), 'exit-pending']);
      expect(job.timedOut, 'the job hung').to.equal(false);
      expect(job.code, job.stderr).to.equal(0);
      expect(job.stderr.trim()).to.equal('');
    });

  it('rejects pending requests with MpiError when finalize() is called, and ends cleanly', async () => {
    const job = await run([fixture('request-exit.mjs'), 'finalize-pending']);
    expect(job.timedOut, 'the job hung').to.equal(false);
    expect(job.code, job.stderr).to.equal(0);
    expect(job.stdout.match(/rank \d rejected: MpiError .*finaliz/g)).to.have.length(2);
  });

  it('aborts the job on a failed request that nobody awaits (an unhandled rejection)', async () => {
    const job = await run([fixture('request-exit.mjs'), 'unawaited-reject']);
    expect(job.timedOut, 'the job hung').to.equal(false);
    expect(job.code).to.not.equal(0);
    expect(job.stderr).to.match(/\[mpi4js\] rank \d of 2: unhandled rejection, aborting the job/);
    expect(job.stderr).to.match(/MpiError|truncat/i);
  });

  it('does not abort when the failed request is awaited and the error caught', async () => {
    const job = await run([fixture('request-exit.mjs'), 'awaited-reject']);
    expect(job.timedOut, 'the job hung').to.equal(false);
    expect(job.code, job.stderr).to.equal(0);
    expect(job.stdout.match(/rank \d caught MPI_ERR_TRUNCATE/g)).to.have.length(2);
    expect(job.stderr).not.to.include('[mpi4js]');
  });
});
