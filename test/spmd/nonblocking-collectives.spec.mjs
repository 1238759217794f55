// Nonblocking collectives: each resolves to what its blocking form returns, several can be in flight at once, the
// event loop runs while they wait, user ops run (and fail) during progress, and arguments are checked at the call.
import { expect } from 'chai';
import { MPI, world } from '../support.mjs';

const { rank, size } = world;
const ranks = Array.from({ length: size }, (_, r) => r);
const sum = (values) => values.reduce((a, b) => a + b, 0);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('nonblocking collectives', () => {
  it('ibarrier resolves with undefined once every rank has entered it', async () => {
    // The last rank enters 200 ms late; nobody may leave before it has entered.
    const t0 = Date.now();
    if (rank === size - 1) await sleep(200);
    const entered = Date.now();
    expect(await world.ibarrier()).to.equal(undefined);
    const times = world.allgatherObject({ t0, entered, left: Date.now() });
    const lastEntered = Math.max(...times.map((t) => t.entered));
    for (const t of times) expect(t.left).to.be.at.least(lastEntered);
  });

  it('ibcast resolves with the buffer, holding the root\'s data, for each root', async () => {
    for (const root of ranks) {
      const buf = rank === root ? Int16Array.from({ length: 7 }, (_, i) => root * 10 + i) : new Int16Array(7);
      const result = await world.ibcast(buf, root);
      expect(result).to.equal(buf);
      expect(Array.from(buf)).to.deep.equal(Array.from({ length: 7 }, (_, i) => root * 10 + i));
    }
  });

  it('ireduce and iallreduce give the blocking forms\' results, into new buffers, out and in place', async () => {
    const root = size - 1;
    const mine = () => Float64Array.of(rank, 2 * rank + 1, -rank);
    const expected = [sum(ranks), sum(ranks.map((r) => 2 * r + 1)), -sum(ranks)];
    const reduced = await world.ireduce(mine(), MPI.SUM, root);
    const blockingReduced = world.reduce(mine(), MPI.SUM, root);
    if (rank === root) {
      expect(Array.from(reduced)).to.deep.equal(expected);
      expect(Array.from(reduced)).to.deep.equal(Array.from(blockingReduced));
    } else {
      expect(reduced).to.equal(null);
    }
    const out = new Float64Array(3);
    expect(await world.iallreduce(mine(), MPI.SUM, out)).to.equal(out);
    expect(Array.from(out)).to.deep.equal(expected);
    const inPlace = mine();
    expect(await world.iallreduce(inPlace, MPI.SUM, inPlace)).to.equal(inPlace);
    expect(Array.from(inPlace)).to.deep.equal(expected);
    const max = await world.iallreduce(Int32Array.of(rank, -rank), MPI.MAX);
    expect(Array.from(max)).to.deep.equal([size - 1, 0]);
  });

  it('igather and iallgather collect every rank\'s block in rank order', async () => {
    for (const root of [0, size - 1]) {
      const gathered = await world.igather(Uint32Array.of(rank, rank * rank), root);
      if (rank === root) expect(Array.from(gathered)).to.deep.equal(ranks.flatMap((r) => [r, r * r]));
      else expect(gathered).to.equal(null);
    }
    const all = await world.iallgather(BigInt64Array.of(BigInt(rank) - 5n));
    expect(Array.from(all)).to.deep.equal(ranks.map((r) => BigInt(r) - 5n));
  });

  it('iscatter hands each rank its block of the root\'s buffer and resolves with recvbuf', async () => {
    const root = size > 1 ? 1 : 0;
    const sendbuf = rank === root ? Float32Array.from({ length: 2 * size }, (_, i) => i / 2) : null;
    const recvbuf = new Float32Array(2);
    expect(await world.iscatter(sendbuf, recvbuf, root)).to.equal(recvbuf);
    expect(Array.from(recvbuf)).to.deep.equal([rank, rank + 0.5]);
  });

  it('ialltoall sends block r to rank r', async () => {
    const sendbuf = Int32Array.from({ length: 3 * size }, (_, k) => rank * 1000 + k);
    const received = await world.ialltoall(sendbuf);
    expect(Array.from(received)).to.deep.equal(ranks.flatMap((s) => [0, 1, 2].map((j) => s * 1000 + 3 * rank + j)));
    expect(Array.from(received)).to.deep.equal(Array.from(world.alltoall(sendbuf)));
  });

  it('completes many collectives in flight at once, of several kinds, with point-to-point among them', async () => {
    const rounds = 20;
    const requests = [];
    for (let i = 0; i < rounds; i++) {
      requests.push(world.iallreduce(Int32Array.of(i, rank)));
      requests.push(world.ibcast(rank === 0 ? Int32Array.of(i) : new Int32Array(1), 0));
    }
    const ring = world.irecvObject((rank - 1 + size) % size, 5);
    const sent = world.isendObject(rank, (rank + 1) % size, 5);
    const results = await MPI.waitAll(requests);
    for (let i = 0; i < rounds; i++) {
      expect(Array.from(results[2 * i])).to.deep.equal([i * size, sum(ranks)]);
      expect(results[2 * i + 1][0]).to.equal(i);
    }
    expect(await ring).to.equal((rank - 1 + size) % size);
    await sent;
  });

  it('keeps timers running while a collective waits for a late rank', async () => {
    let ticks = 0;
    const ticker = setInterval(() => { ticks++; }, 10);
    try {
      if (rank === 0) await sleep(300);
      await world.iallreduce(Int32Array.of(1));
      if (rank !== 0) expect(ticks).to.be.at.least(10);
    } finally {
      clearInterval(ticker);
    }
  });

  it('runs user ops during progress, and fails the reduction on a rank where the op threw', async () => {
    const absMax = MPI.Op.create((invec, inoutvec) => {
      for (let i = 0; i < invec.length; i++) inoutvec[i] = Math.max(Math.abs(invec[i]), Math.abs(inoutvec[i]));
    });
    const boom = MPI.Op.create(() => { throw new Error('boom from a user op'); });
    try {
      const result = await world.iallreduce(Float64Array.of(-rank, rank / 2));
      expect(Array.from(result, (x) => x + 0)).to.deep.equal([0 - sum(ranks), sum(ranks) / 2]);
      const abs = await world.iallreduce(Float64Array.of(-rank, rank / 2), absMax);
      // (+ 0 turns -0 into 0: in a 1-rank world the op never runs and the result is the input itself)
      expect(Array.from(abs, (x) => x + 0)).to.deep.equal([size - 1, (size - 1) / 2]);
      const reduced = await world.ireduce(Float64Array.of(-rank), absMax, 0);
      if (rank === 0) expect(reduced[0]).to.equal(size - 1);
      let failed = false;
      try {
        await world.iallreduce(Float64Array.of(rank), boom);
      } catch (error) {
        expect(error.message).to.equal('boom from a user op');
        failed = true;
      }
      // MPI runs the op on some ranks only (none in a 1-rank world), and each of those must have failed.
      const failures = world.allreduceObject(failed ? 1 : 0);
      if (size > 1) expect(failures).to.be.at.least(1);
    } finally {
      absMax.free();
      boom.free();
    }
  });

  it('checks arguments at the call, naming them, before anything is started', () => {
    expect(() => world.ibcast([1, 2], 0)).to.throw(TypeError, /buf/);
    expect(() => world.ibcast(new Uint8Array(1), size)).to.throw(RangeError, /root/);
    expect(() => world.ireduce(new Float64Array(1), MPI.SUM, -1)).to.throw(RangeError, /root/);
    expect(() => world.iallreduce(new DataView(new ArrayBuffer(4)), MPI.SUM)).to.throw(TypeError, /SUM/);
    expect(() => world.iallreduce(new Float64Array(1), 'sum')).to.throw(TypeError, /op/);
    expect(() => world.iallgather(new Int32Array(2), new Int32Array(1))).to.throw(RangeError, /out/);
    if (size > 1) expect(() => world.ialltoall(new Int32Array(size + 1))).to.throw(RangeError, /sendbuf/);
    if (rank === 0) {
      expect(() => world.iscatter(new Int32Array(size + 1), new Int32Array(1), 0)).to.throw(RangeError, /sendbuf/);
    }
  });

  it('cannot be cancelled: MPI forbids it', async () => {
    if (rank === 0) await sleep(50);
    const barrier = world.ibarrier();
    if (!barrier.done) expect(() => barrier.cancel()).to.throw(MPI.MpiError, /cannot be cancelled/);
    await barrier;
  });
});
