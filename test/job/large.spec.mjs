// Messages of more than 2^31 - 1 elements, on a 2-rank job: send/recv, bcast and allreduce of 2^31 + 16 bytes, and
// a value whose serialized form is larger than 2 GiB (test/fixtures/large.mjs).
//
// Opt-in (MPI4JS_TEST_LARGE=1): the job needs about 9 GiB at its peak and, on a loaded 2-core machine, minutes
// rather than seconds per MPI (measured on 2 shared cores under load: ~30-60 s per 2 GiB transfer, ~4 min in all).
import { expect } from 'chai';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { mpirun } from '../harness/mpirun.mjs';

const fixture = fileURLToPath(new URL('../fixtures/large.mjs', import.meta.url));
const NEEDED_GIB = 10;

describe('messages larger than 2^31 - 1 elements', function () {
  this.timeout(900000);

  it('send/recv, bcast, allreduce of 2^31 + 16 bytes and a > 2 GiB value, on 2 ranks', async function () {
    if (process.env.MPI4JS_TEST_LARGE !== '1') {
      console.log('      (skipped: set MPI4JS_TEST_LARGE=1; it needs ~9 GiB of memory and minutes on a small machine)');
      this.skip();
    }
    const freeGiB = os.freemem() / 2 ** 30;
    if (freeGiB < NEEDED_GIB) {
      console.log(`      (skipped: ${freeGiB.toFixed(1)} GiB free, ${NEEDED_GIB} GiB needed)`);
      this.skip();
    }
    const job = await mpirun(2, ['node', '--expose-gc', fixture], { timeout: 840000 });
    expect(job.timedOut, 'the job hung').to.equal(false);
    expect(job.code, job.stderr).to.equal(0);
    for (const step of ['send/recv', 'bcast', 'allreduce', 'sendObject/recvObject']) {
      expect(job.stdout).to.match(new RegExp(`^${step} ok in`, 'm'));
    }
    console.log(job.stdout.trim().replace(/^/gm, '      '));
  });
});
