// Collectives on values: structured-cloneable values of any size through the node:v8 serializer, several roots,
// reductions with the built-in ops on numbers, BigInts and booleans and with any function in rank order, on
// COMM_WORLD and on split communicators, on a hidden duplicate that user messages never meet. Any world size.
import { expect } from 'chai';
import { MPI, world } from '../support.mjs';

const { rank, size } = world;
const roots = [...new Set([0, size - 1, 1 % size])];
const ranks = Array.from({ length: size }, (_, r) => r);

// A value whose content and size depend on the rank (the string grows with it), of many kinds.
function valueOf(r, seed = 0) {
  return {
    r,
    seed,
    text: 'x'.repeat(r * 100 + seed),
    big: 2n ** 65n + BigInt(r),
    map: new Map([[r, [seed, { deep: new Set([r]) }]]]),
    floats: new Float64Array([r, seed, 0.5]),
    when: new Date(1700000000000 + r),
  };
}

describe('collectives on values', () => {
  it('bcastObject gives every rank the root\'s value, from several roots', () => {
    for (const root of roots) {
      const got = world.bcastObject(rank === root ? valueOf(root, 1) : undefined, root);
      expect(got).to.deep.equal(valueOf(root, 1));
    }
    expect(world.bcastObject(rank === 0 ? null : 'ignored')).to.equal(null);
  });

  it('bcastObject moves a value of several megabytes', () => {
    const big = rank === 0 ? { blob: new Uint8Array(3 << 20).fill(7), list: ranks } : null;
    const got = world.bcastObject(big, 0);
    expect(got.blob.length).to.equal(3 << 20);
    expect(got.blob[12345]).to.equal(7);
    expect(got.list).to.deep.equal(ranks);
  });

  it('gatherObject collects the values in rank order at several roots; allgatherObject everywhere', () => {
    for (const root of roots) {
      const got = world.gatherObject(valueOf(rank, root), root);
      if (rank === root) expect(got).to.deep.equal(ranks.map((r) => valueOf(r, root)));
      else expect(got).to.equal(null);
    }
    expect(world.allgatherObject(valueOf(rank))).to.deep.equal(ranks.map((r) => valueOf(r)));
    expect(world.allgatherObject(rank % 2 === 0 ? undefined : [rank])).to.deep.equal(
      ranks.map((r) => (r % 2 === 0 ? undefined : [r])));
  });

  it('scatterObject hands values[r] of the root to rank r, from several roots', () => {
    for (const root of roots) {
      const got = world.scatterObject(rank === root ? ranks.map((r) => valueOf(r, root + 2)) : null, root);
      expect(got).to.deep.equal(valueOf(rank, root + 2));
    }
  });

  it('alltoallObject sends values[r] to rank r', () => {
    const got = world.alltoallObject(ranks.map((to) => ({ from: rank, to, pad: 'y'.repeat((rank + to) * 50) })));
    expect(got).to.deep.equal(ranks.map((from) => ({ from, to: rank, pad: 'y'.repeat((from + rank) * 50) })));
  });

  it('reduceObject and allreduceObject with the built-in ops on numbers, BigInts and booleans', () => {
    const fold = (values, f) => values.reduce(f);
    const nums = ranks.map((r) => r * 3 + 1);
    const cases = [
      [MPI.SUM, rank * 3 + 1, fold(nums, (a, b) => a + b)],
      [MPI.PROD, BigInt(rank + 2) ** 20n, fold(ranks.map((r) => BigInt(r + 2) ** 20n), (a, b) => a * b)],
      [MPI.MIN, rank === size - 1 ? -0.5 : rank, -0.5],
      [MPI.MAX, BigInt(rank) - 10n, BigInt(size - 1) - 10n],
      [MPI.LAND, rank !== 1, size < 2],
      [MPI.LOR, rank === size - 1, true],
      [MPI.LXOR, true, size % 2 === 1],
      [MPI.BAND, 0xff ^ (1 << rank), fold(ranks.map((r) => 0xff ^ (1 << r)), (a, b) => a & b)],
      [MPI.BOR, 1n << BigInt(rank * 20), fold(ranks.map((r) => 1n << BigInt(r * 20)), (a, b) => a | b)],
      [MPI.BXOR, rank * 5, fold(ranks.map((r) => r * 5), (a, b) => a ^ b)],
    ];
    for (const [op, mine, expected] of cases) {
      expect(world.allreduceObject(mine, op), op.name).to.deep.equal(expected);
    }
    expect(world.allreduceObject(rank + 1)).to.equal(fold(ranks.map((r) => r + 1), (a, b) => a + b));
    for (const root of roots) {
      const got = world.reduceObject(rank + 0.25, MPI.MAX, root);
      expect(got).to.equal(rank === root ? size - 0.75 : null);
    }
  });

  it('reduceObject and allreduceObject apply any function in rank order', () => {
    // Concatenation is not commutative: the order of the result is the order of the ranks.
    const concat = (a, b) => `${a},${b}`;
    expect(world.allreduceObject(String(rank), concat)).to.equal(ranks.join(','));
    const root = size - 1;
    const merged = world.reduceObject({ [`k${rank}`]: [rank] }, (a, b) => ({ ...a, ...b }), root);
    if (rank === root) expect(merged).to.deep.equal(Object.fromEntries(ranks.map((r) => [`k${r}`, [r]])));
    else expect(merged).to.equal(null);
    const calls = [];
    world.allreduceObject(rank, (a, b) => { calls.push([a, b]); return b; });
    expect(calls).to.deep.equal(ranks.slice(1).map((r) => [r - 1, r]));
  });

  it('rejects bad arguments on the calling rank before any message', () => {
    expect(() => world.bcastObject(1, size)).to.throw(RangeError, /root must be a rank from 0 to/);
    expect(() => world.gatherObject(1, -1)).to.throw(RangeError, /root/);
    expect(() => world.reduceObject(1, MPI.SUM, 1.5)).to.throw(RangeError, /root/);
    expect(() => world.allgatherObject(() => 1)).to.throw(TypeError, /value cannot be sent as a value/);
    expect(() => world.gatherObject(Symbol('s'))).to.throw(TypeError, /cannot be sent/);
    expect(() => world.alltoallObject(ranks.map(() => () => 1))).to.throw(TypeError, /values\[0\] cannot be sent/);
    expect(() => world.alltoallObject('abc')).to.throw(TypeError, /values must be an array of one value per rank/);
    expect(() => world.alltoallObject(new Array(size + 1).fill(0))).to.throw(RangeError, /one value per rank/);
    expect(() => MPI.COMM_SELF.scatterObject([1, 2])).to.throw(RangeError, /values must hold one value per rank \(1\), not 2/);
    expect(() => MPI.COMM_SELF.scatterObject(null)).to.throw(TypeError, /values must be an array/);
    expect(() => world.allreduceObject('text', MPI.SUM)).to.throw(TypeError, /MPI.SUM combines numbers and BigInts as values, not a string/);
    expect(() => world.allreduceObject({}, MPI.MAX)).to.throw(TypeError, /pass a function/);
    expect(() => world.reduceObject(true, MPI.BAND)).to.throw(TypeError, /MPI.BAND combines numbers and BigInts/);
    expect(() => world.allreduceObject(1, 'SUM')).to.throw(TypeError, /op must be an Op such as MPI.SUM or a function/);
    expect(world.allreduceObject(1)).to.equal(size);  // still in step
  });

  it('never meets the user\'s own messages, whatever their tag', function () {
    if (size === 1) this.skip();
    // A small (eager) message to the next rank waits unreceived while collectives run; then it is received, intact.
    const next = (rank + 1) % size;
    const prev = (rank - 1 + size) % size;
    world.sendObject({ mine: rank }, next, 0);
    const sums = world.allgatherObject(rank);
    world.bcastObject('between', 0);
    expect(world.recvObject(prev, MPI.ANY_TAG)).to.deep.equal({ mine: prev });
    expect(sums).to.deep.equal(ranks);
  });

  describe('on split communicators', () => {
    // Ranks of one parity, in reverse order of their world rank.
    const members = ranks.filter((r) => r % 2 === rank % 2).sort((a, b) => b - a);
    let part;
    before(() => { part = world.split(rank % 2, -rank); });
    after(() => part.free());

    it('exchange values among the members only, in the split\'s rank order', () => {
      expect(part.allgatherObject({ world: rank })).to.deep.equal(members.map((r) => ({ world: r })));
      expect(part.bcastObject(part.rank === 0 ? `from ${rank}` : null)).to.equal(`from ${members[0]}`);
      expect(part.allreduceObject(String(rank), (a, b) => `${a}${b}`)).to.equal(members.join(''));
      expect(part.scatterObject(part.rank === 0 ? members.map((r) => r * 2) : null)).to.equal(rank * 2);
      expect(part.alltoallObject(members.map((to) => [rank, to]))).to.deep.equal(members.map((from) => [from, rank]));
    });

    it('a freed communicator throws, the world goes on', () => {
      const dup = part.dup();
      expect(dup.allreduceObject(1)).to.equal(part.size);
      dup.free();
      expect(() => dup.allgatherObject(1)).to.throw(MPI.MpiError).with.property('code', 'MPI_ERR_COMM');
      expect(world.allreduceObject(1)).to.equal(size);
    });
  });
});
