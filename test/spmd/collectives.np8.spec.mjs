// Every collective once, on a world of any size and also in the harness's extra 8-rank (oversubscribed) job, where
// the algorithms MPI picks differ from those of 1 to 4 ranks: trees several levels deep, non-power-of-two halves.
// Few calls per test, since an oversubscribed MPICH collective costs about 25 ms at 8 ranks.
import { expect } from 'chai';
import { MPI, world } from '../support.mjs';

const { rank, size } = world;
const ranks = Array.from({ length: size }, (_, r) => r);
const total = (from) => from.reduce((s, r) => s + r, 0);
const countOf = (r) => (r * 3) % 4;  // uneven, some zero

describe(`collectives on ${size} ranks`, () => {
  it('bcast, reduce, allreduce, scan, exscan and reduceScatterBlock', () => {
    const root = size - 1;
    const buf = rank === root ? Float64Array.of(1.5, root) : new Float64Array(2);
    expect(Array.from(world.bcast(buf, root))).to.deep.equal([1.5, root]);
    const reduced = world.reduce(Int32Array.of(rank, 1), MPI.SUM, root);
    if (rank === root) expect(Array.from(reduced)).to.deep.equal([total(ranks), size]);
    expect(Array.from(world.allreduce(BigInt64Array.of(BigInt(rank)), MPI.MAX))).to.deep.equal([BigInt(size - 1)]);
    expect(Array.from(world.scan(Uint16Array.of(rank)))).to.deep.equal([total(ranks.slice(0, rank + 1))]);
    const ex = world.exscan(Int32Array.of(rank));
    if (rank > 0) expect(Array.from(ex)).to.deep.equal([total(ranks.slice(0, rank))]);
    expect(Array.from(world.reduceScatterBlock(Float32Array.from(ranks, (r) => r + rank)))).to.deep.equal([
      size * rank + total(ranks)]);
  });

  it('gather, allgather, scatter and alltoall', () => {
    const root = Math.floor(size / 2);
    const gathered = world.gather(Int8Array.of(rank, -rank), root);
    if (rank === root) expect(Array.from(gathered)).to.deep.equal(ranks.flatMap((r) => [r, -r || 0]));
    expect(Array.from(world.allgather(Uint32Array.of(rank * 1000)))).to.deep.equal(ranks.map((r) => r * 1000));
    const into = new Float64Array(2);
    world.scatter(rank === root ? Float64Array.from(ranks.flatMap((r) => [r, r / 2])) : null, into, root);
    expect(Array.from(into)).to.deep.equal([rank, rank / 2]);
    const swapped = world.alltoall(Int16Array.from(ranks, (to) => rank * 100 + to));
    expect(Array.from(swapped)).to.deep.equal(ranks.map((from) => from * 100 + rank));
  });

  it('gatherv, allgatherv, scatterv and alltoallv with uneven counts', () => {
    const whole = ranks.flatMap((r) => new Array(countOf(r)).fill(r));
    const mine = new Float64Array(countOf(rank)).fill(rank);
    const gathered = world.gatherv(mine, 0);
    if (rank === 0) expect(Array.from(gathered)).to.deep.equal(whole);
    expect(Array.from(world.allgatherv(mine, ranks.map(countOf)))).to.deep.equal(whole);
    const into = new Float64Array(countOf(rank));
    world.scatterv(rank === 0 ? Float64Array.from(whole) : null, rank === 0 ? ranks.map(countOf) : null, into, 0);
    expect(Array.from(into)).to.deep.equal(new Array(countOf(rank)).fill(rank));
    // Rank r sends (r + to) % 3 copies of r * 10 + to to each rank.
    const sendcounts = ranks.map((to) => (rank + to) % 3);
    const send = Int32Array.from(ranks.flatMap((to) => new Array(sendcounts[to]).fill(rank * 10 + to)));
    const got = world.alltoallv(send, sendcounts);
    expect(Array.from(got)).to.deep.equal(ranks.flatMap((from) => new Array((from + rank) % 3).fill(from * 10 + rank)));
  });

  it('a user op, in rank order when not commutative', () => {
    // "The first non-zero operand" is associative but not commutative. Element i is non-zero on ranks i and above,
    // so in rank order it comes from rank i.
    const firstNonZero = MPI.Op.create((invec, inoutvec) => {
      for (let i = 0; i < invec.length; i++) if (invec[i] !== 0) inoutvec[i] = invec[i];
    }, false);
    try {
      const mine = Float64Array.from(ranks, (i) => (rank >= i ? rank + 1 : 0));
      expect(Array.from(world.allreduce(mine, firstNonZero))).to.deep.equal(ranks.map((i) => i + 1));
    } finally {
      firstNonZero.free();
    }
  });

  it('value collectives and a split communicator', () => {
    expect(world.allgatherObject({ r: rank })).to.deep.equal(ranks.map((r) => ({ r })));
    expect(world.allreduceObject(String(rank), (a, b) => a + b)).to.equal(ranks.join(''));
    const half = world.split(rank < size / 2 ? 0 : 1, -rank);
    const members = ranks.filter((r) => (r < size / 2) === (rank < size / 2)).reverse();
    expect(half.allgatherObject(rank)).to.deep.equal(members);
    expect(Array.from(half.allreduce(Int32Array.of(rank)))).to.deep.equal([total(members)]);
    half.free();
  });

  it('a halo exchange on a 2-D periodic grid', () => {
    const cart = world.createCart(MPI.computeDims(size, 2), [true, true]);
    const sum = Float64Array.of(0);
    for (const direction of [0, 1]) {
      for (const disp of [1, -1]) {
        const { source, dest } = cart.shift(direction, disp);
        const into = new Float64Array(1);
        cart.sendrecv(Float64Array.of(rank), dest, into, source);
        sum[0] += into[0];
      }
    }
    // Every rank is the neighbour of four ranks (counted with repetition): the grand total counts each rank 4 times.
    expect(cart.allreduce(sum)[0]).to.equal(4 * total(ranks));
    cart.free();
  });
});
