// Garbage collection and nonblocking requests, in a job of `node --expose-gc` ranks: the buffer of a pending request
// survives GC though nothing else references it, and is released once the request completes.
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { mpirun } from '../harness/mpirun.mjs';

const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

describe('GC and pending requests', function () {
  this.timeout(60000);

  it('keeps the buffers of pending requests alive through GC, and releases them once complete', async () => {
    const job = await mpirun(2, ['node', '--expose-gc', fixture('request-gc.mjs')], { timeout: 40000 });
    expect(job.timedOut, 'the job hung').to.equal(false);
    expect(job.code, job.stderr).to.equal(0);
    const reports = job.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(reports).to.have.length(2);
    for (const report of reports) {
      expect(report, JSON.stringify(report)).to.include({
        pendingWhileChecked: true, receivePending: true, sendPending: true, receiveReleased: true,
        sendReleased: true, received: true,
      });
    }
  });
});
