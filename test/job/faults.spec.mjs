// Faults that end a rank from outside the program's logic: signals, and a rank leaving early with exit code 0.
// Uncaught exceptions, unhandled rejections and abort() are in lifecycle.spec.mjs. Each test starts a 2-rank job in
// which rank 0 waits in a blocking receive that only the job's end can free.
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { flavour, mpirun } from '../harness/mpirun.mjs';

const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

describe('faults', function () {
  this.timeout(60000);

  // Each rank dies by the signal (Node's default, kept by mpi4js); the launcher sees it and ends the job. mpi4js only
  // adds which rank it was, since MPICH's launcher names a pid.
  for (const [signal, where] of [['SIGTERM', 'idle'], ['SIGINT', 'idle'], ['SIGTERM', 'blocked'],
    ['SIGHUP', 'blocked']]) {
    it(`ends the whole job, non-zero within 15 s, when rank 1 gets ${signal} while ${where === 'blocked' ?
      'blocked inside MPI' : 'running JS'}`, async () => {
      const job = await mpirun(2, ['node', fixture('signal-rank.mjs'), signal, where], { timeout: 30000 });
      expect(job.timedOut, 'the job hung').to.equal(false);
      expect(job.code).to.not.equal(0);
      expect(job.ms).to.be.below(15000);
      expect(job.stderr).to.include(`[mpi4js] rank 1 of 2: ended by ${signal}`);
    });
  }

  // A rank that ends early with code 0 enters MPI_Finalize, which waits for the other ranks on both MPIs: the job
  // cannot tell this from a rank that simply finished first. What mpi4js promises is that the waiting rank says so.
  it('says on the rank that called process.exit(0) early that MPI_Finalize waits for the others', async () => {
    const job = await mpirun(2, ['node', fixture('early-exit.mjs')], { timeout: 22000 });
    expect(job.stderr).to.include('[mpi4js] rank 1 of 2: this rank has ended and MPI_Finalize is waiting for the ' +
      'other ranks to end too');
    // Neither launcher ends such a job by itself (checked on Open MPI 4.1 and MPICH 4.0): it is killed at the timeout.
    expect(job.timedOut, `${flavour}: the job ended by itself with code ${job.code}`).to.equal(true);
  });
});
