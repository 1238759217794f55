// Collectives on buffers: every collective on every buffer class, several roots, uneven counts (given and
// exchanged), `out` and in place, on COMM_WORLD and on split communicators, and every argument check. Each expected
// value is computed here from the rank-dependent pattern, never read back from the library. Runs at any world size.
import { expect } from 'chai';
import {
  BUFFER_CLASSES, MPI, bufferOf, elementCount, fill, pattern, stored, toNumbers, world,
} from '../support.mjs';

const { rank, size } = world;
const roots = [...new Set([0, size - 1, 1 % size])];
const ranks = Array.from({ length: size }, (_, r) => r);


/** The elementwise sum of pattern(r, n, seed) over the ranks `from`, as `cls` stores it. */
function sumOf(cls, from, n, seed = 0) {
  return Array.from({ length: n }, (_, i) => stored(cls, from.reduce((s, r) => s + pattern(r, n, seed)[i], 0)));
}

function orOf(from, n, seed = 0) {
  return Array.from({ length: n }, (_, i) => from.reduce((s, r) => s | pattern(r, n, seed)[i], 0));
}

// Uneven block lengths, one of them zero: rank r's block of the v-collectives.
const countOf = (r) => (r * 2) % 5;
// The block rank `from` sends rank `to` in alltoallv, and its element k.
const pairCount = (from, to) => (from + 2 * to) % 3;
const pairValue = (from, to, k) => (from * 17 + to * 5 + k) % 100;

function alltoallvSend(cls, from) {
  const values = [];
  for (const to of ranks) for (let k = 0; k < pairCount(from, to); k++) values.push(pairValue(from, to, k));
  return { buf: bufferOf(cls, values), counts: ranks.map((to) => pairCount(from, to)) };
}

function alltoallvExpected(to) {
  const values = [];
  for (const from of ranks) for (let k = 0; k < pairCount(from, to); k++) values.push(pairValue(from, to, k));
  return values;
}

describe('collectives on buffers', () => {
  it('barrier returns on every rank, also on a duplicate', () => {
    world.barrier();
    const dup = world.dup();
    dup.barrier();
    dup.free();
  });

  for (const cls of BUFFER_CLASSES) {
    describe(`on ${cls.name}`, () => {
      it('bcast copies the root\'s buffer into every rank\'s, in place, from several roots', () => {
        for (const root of roots) {
          const buf = rank === root ? fill(cls.make(9), root, 1) : cls.make(9);
          expect(world.bcast(buf, root)).to.equal(buf);
          expect(toNumbers(buf)).to.deep.equal(pattern(root, 9, 1));
        }
      });

      it('gather collects the blocks in rank order at several roots; allgather everywhere', () => {
        for (const root of roots) {
          const got = world.gather(fill(cls.make(3), rank, root), root);
          if (rank !== root) {
            expect(got).to.equal(null);
            continue;
          }
          expect(got).to.be.an.instanceof(cls.ctor);
          expect(toNumbers(got)).to.deep.equal(ranks.flatMap((r) => pattern(r, 3, root)));
        }
        const all = world.allgather(fill(cls.make(2), rank));
        expect(all).to.be.an.instanceof(cls.ctor);
        expect(toNumbers(all)).to.deep.equal(ranks.flatMap((r) => pattern(r, 2)));
      });

      it('scatter hands block r of the root\'s buffer to rank r, from several roots', () => {
        for (const root of roots) {
          const send = rank === root ? bufferOf(cls, ranks.flatMap((r) => pattern(r, 4, root))) : null;
          const into = cls.make(4);
          expect(world.scatter(send, into, root)).to.equal(into);
          expect(toNumbers(into)).to.deep.equal(pattern(rank, 4, root));
        }
      });

      it('alltoall sends block r to rank r', () => {
        const send = bufferOf(cls, ranks.flatMap((to) => pattern(rank * size + to, 2)));
        const got = world.alltoall(send);
        expect(got).to.be.an.instanceof(cls.ctor);
        expect(toNumbers(got)).to.deep.equal(ranks.flatMap((from) => pattern(from * size + rank, 2)));
      });

      it('gatherv and allgatherv take uneven blocks, with counts given or exchanged', () => {
        const mine = fill(cls.make(countOf(rank)), rank);
        const counts = ranks.map(countOf);
        const whole = ranks.flatMap((r) => pattern(r, countOf(r)));
        const root = size - 1;
        const given = world.gatherv(mine, root, counts);
        const exchanged = world.gatherv(mine, 0);
        if (rank === root) expect(toNumbers(given)).to.deep.equal(whole);
        else expect(given).to.equal(null);
        if (rank === 0) expect(toNumbers(exchanged)).to.deep.equal(whole);
        else expect(exchanged).to.equal(null);
        expect(toNumbers(world.allgatherv(mine, counts))).to.deep.equal(whole);
        expect(toNumbers(world.allgatherv(mine))).to.deep.equal(whole);
      });

      it('scatterv hands uneven blocks out; alltoallv exchanges them, with recvcounts given or exchanged', () => {
        const root = roots[roots.length - 1];
        const counts = ranks.map(countOf);
        const send = rank === root ? bufferOf(cls, ranks.flatMap((r) => pattern(r, countOf(r), 2))) : null;
        const into = cls.make(countOf(rank));
        expect(world.scatterv(send, rank === root ? counts : null, into, root)).to.equal(into);
        expect(toNumbers(into)).to.deep.equal(pattern(rank, countOf(rank), 2));

        const { buf, counts: sendcounts } = alltoallvSend(cls, rank);
        const recvcounts = ranks.map((from) => pairCount(from, rank));
        expect(toNumbers(world.alltoallv(buf, sendcounts, recvcounts))).to.deep.equal(alltoallvExpected(rank));
        const exchanged = world.alltoallv(buf, sendcounts);
        expect(exchanged).to.be.an.instanceof(cls.ctor);
        expect(toNumbers(exchanged)).to.deep.equal(alltoallvExpected(rank));
      });

      // A DataView is untyped bytes: MPI reduces those with the bitwise ops only.
      const op = cls.ctor === DataView ? MPI.BOR : MPI.SUM;
      const combined = cls.ctor === DataView ? (from, n, seed) => orOf(from, n, seed) : (from, n, seed) => sumOf(cls, from, n, seed);

      it(`reduce at several roots, allreduce, scan, exscan and reduceScatterBlock with ${op.name}`, () => {
        for (const root of roots) {
          const got = world.reduce(fill(cls.make(5), rank, root), op, root);
          if (rank === root) expect(toNumbers(got)).to.deep.equal(combined(ranks, 5, root));
          else expect(got).to.equal(null);
        }
        const all = world.allreduce(fill(cls.make(6), rank), op);
        expect(all).to.be.an.instanceof(cls.ctor);
        expect(toNumbers(all)).to.deep.equal(combined(ranks, 6));
        expect(toNumbers(world.scan(fill(cls.make(3), rank), op))).to.deep.equal(combined(ranks.slice(0, rank + 1), 3));
        const ex = world.exscan(fill(cls.make(3), rank), op);
        // MPI gives rank 0 no exclusive prefix: a new array stays zero there.
        expect(toNumbers(ex)).to.deep.equal(rank === 0 ? [0, 0, 0] : combined(ranks.slice(0, rank), 3));
        const block = world.reduceScatterBlock(fill(cls.make(2 * size), rank, 4), op);
        expect(toNumbers(block)).to.deep.equal(combined(ranks, 2 * size, 4).slice(2 * rank, 2 * rank + 2));
      });

      it('reduces in place when the input is also out (MPI_IN_PLACE)', () => {
        const all = fill(cls.make(4), rank);
        expect(world.allreduce(all, op, all)).to.equal(all);
        expect(toNumbers(all)).to.deep.equal(combined(ranks, 4));

        const root = size - 1;
        const atRoot = fill(cls.make(4), rank, 1);
        const result = world.reduce(atRoot, op, root, atRoot);
        if (rank === root) {
          expect(result).to.equal(atRoot);
          expect(toNumbers(atRoot)).to.deep.equal(combined(ranks, 4, 1));
        } else {
          expect(result).to.equal(null);
          expect(toNumbers(atRoot)).to.deep.equal(pattern(rank, 4, 1));
        }

        const prefix = fill(cls.make(3), rank, 2);
        world.scan(prefix, op, prefix);
        expect(toNumbers(prefix)).to.deep.equal(combined(ranks.slice(0, rank + 1), 3, 2));

        const exclusive = fill(cls.make(3), rank, 3);
        world.exscan(exclusive, op, exclusive);
        // Rank 0 keeps its input: MPI writes nothing there.
        expect(toNumbers(exclusive)).to.deep.equal(rank === 0 ? pattern(0, 3, 3) : combined(ranks.slice(0, rank), 3, 3));

        const blocks = fill(cls.make(3 * size), rank, 5);
        expect(world.reduceScatterBlock(blocks, op, blocks)).to.equal(blocks);
        expect(toNumbers(blocks).slice(0, 3)).to.deep.equal(combined(ranks, 3 * size, 5).slice(3 * rank, 3 * rank + 3));
      });
    });
  }

  describe('out', () => {
    it('is filled and returned; a longer one keeps its tail', () => {
      const out = new Float64Array(5).fill(-1);
      expect(world.allreduce(Float64Array.of(rank, 1), MPI.SUM, out)).to.equal(out);
      expect(Array.from(out)).to.deep.equal([(size * (size - 1)) / 2, size, -1, -1, -1]);

      const gathered = new Int16Array(size + 2).fill(-7);
      expect(world.allgather(Int16Array.of(rank), gathered)).to.equal(gathered);
      expect(Array.from(gathered)).to.deep.equal([...ranks, -7, -7]);

      const root = size - 1;
      const atRoot = new Uint32Array(size);
      const got = world.gather(Uint32Array.of(rank + 1), root, atRoot);
      if (rank === root) {
        expect(got).to.equal(atRoot);
        expect(Array.from(atRoot)).to.deep.equal(ranks.map((r) => r + 1));
      } else {
        expect(got).to.equal(null);
      }

      const all = new BigInt64Array(size * 2 + 1);
      expect(world.alltoall(new BigInt64Array(size).fill(BigInt(rank)), all)).to.equal(all);
      expect(Array.from(all).slice(0, size)).to.deep.equal(ranks.map(BigInt));
    });

    it('of a v-collective is filled and returned, with the counts given or exchanged', () => {
      const mine = new Float32Array(countOf(rank)).fill(rank);
      const whole = ranks.flatMap((r) => new Array(countOf(r)).fill(r));
      const out = new Float32Array(whole.length + 1).fill(-1);
      expect(world.allgatherv(mine, null, out)).to.equal(out);
      expect(Array.from(out)).to.deep.equal([...whole, -1]);
      const again = new Float32Array(whole.length);
      expect(world.allgatherv(mine, ranks.map(countOf), again)).to.equal(again);
      expect(Array.from(again)).to.deep.equal(whole);
    });

    it('scatterv fills the start of a longer recvbuf on the ranks that know their count', () => {
      const root = size - 1;
      const counts = ranks.map(countOf);
      const send = rank === root ? Uint16Array.from(ranks.flatMap((r) => new Array(countOf(r)).fill(r + 1))) : null;
      // Off the root, a rank given no counts offers all of recvbuf: it must be exactly its count there.
      const knows = rank === root || rank % 2 === 0;
      const into = new Uint16Array(countOf(rank) + (knows ? 2 : 0)).fill(9);
      world.scatterv(send, knows ? counts : null, into, root);
      expect(Array.from(into)).to.deep.equal([...new Array(countOf(rank)).fill(rank + 1), ...(knows ? [9, 9] : [])]);
    });

    it('too short for counts exchanged: the collective completes, then that rank throws', () => {
      const root = 0;
      const total = ranks.reduce((s, r) => s + countOf(r), 0);
      const mine = new Int32Array(countOf(rank)).fill(rank);
      if (rank === root && total > 0) {
        expect(() => world.gatherv(mine, root, undefined, new Int32Array(total - 1)))
          .to.throw(RangeError, /out must hold at least .* the collective completed and its result was dropped/);
      } else {
        world.gatherv(mine, root);
      }
      expect(Array.from(world.allreduce(Int32Array.of(1)))).to.deep.equal([size]);  // everybody still in step
    });
  });

  describe('on split communicators', () => {
    // Ranks of one parity, in reverse order of their world rank.
    const members = ranks.filter((r) => r % 2 === rank % 2).sort((a, b) => b - a);
    let part;
    before(() => { part = world.split(rank % 2, -rank); });
    after(() => part.free());

    it('has the members and order split asked for', () => {
      expect(part.size).to.equal(members.length);
      expect(part.rank).to.equal(members.indexOf(rank));
    });

    it('runs bcast, reduce, allreduce, scan, gatherv and alltoall among the members only', () => {
      const root = part.size - 1;
      const buf = part.rank === root ? Float64Array.of(members[root], 0.5) : new Float64Array(2);
      part.bcast(buf, root);
      expect(Array.from(buf)).to.deep.equal([members[root], 0.5]);

      const reduced = part.reduce(Int32Array.of(rank, 1), MPI.MAX, 0);
      if (part.rank === 0) expect(Array.from(reduced)).to.deep.equal([Math.max(...members), 1]);
      expect(Array.from(part.allreduce(BigInt64Array.of(BigInt(rank))))).to.deep.equal([BigInt(members.reduce((s, r) => s + r, 0))]);
      expect(Array.from(part.scan(Uint16Array.of(rank)))).to.deep.equal([members.slice(0, part.rank + 1).reduce((s, r) => s + r, 0)]);

      const gathered = part.gatherv(new Uint8Array(countOf(rank)).fill(rank), 0);
      if (part.rank === 0) expect(Array.from(gathered)).to.deep.equal(members.flatMap((r) => new Array(countOf(r)).fill(r)));

      const swapped = part.alltoall(Float32Array.from(members, (to) => rank * 100 + to));
      expect(Array.from(swapped)).to.deep.equal(members.map((from) => from * 100 + rank));
    });
  });

  describe('argument checks, on the calling rank before MPI is called', () => {
    const self = MPI.COMM_SELF;  // size 1: checks that only a root makes throw on every rank here

    it('rejects roots out of range or not integers', () => {
      expect(() => world.bcast(new Uint8Array(1), size)).to.throw(RangeError, /root must be a rank from 0 to/);
      expect(() => world.reduce(new Uint8Array(1), MPI.SUM, -1)).to.throw(RangeError, /root/);
      expect(() => world.gather(new Uint8Array(1), 0.5)).to.throw(RangeError, /root/);
      expect(() => world.scatter(null, new Uint8Array(1), '0')).to.throw(TypeError, /root/);
      expect(() => world.gatherv(new Uint8Array(1), size + 3)).to.throw(RangeError, /root/);
      expect(() => world.scatterv(null, null, new Uint8Array(1), -2)).to.throw(RangeError, /root/);
    });

    it('rejects what is not a buffer, naming it', () => {
      expect(() => world.bcast([1, 2])).to.throw(TypeError, /buf must be a typed array/);
      expect(() => world.allreduce('abc')).to.throw(TypeError, /sendbuf must be a typed array/);
      expect(() => world.gather(null)).to.throw(TypeError, /sendbuf/);
      expect(() => world.scatter(null, {}, 0)).to.throw(TypeError, /recvbuf/);
      expect(() => self.scatter(undefined, new Uint8Array(1))).to.throw(TypeError, /sendbuf/);
      expect(() => world.alltoallv(42, [])).to.throw(TypeError, /sendbuf/);
    });

    it('rejects an out of another class or too short', () => {
      expect(() => self.allreduce(new Float64Array(2), MPI.SUM, new Float32Array(2))).to.throw(TypeError, /out must be of the input's class Float64Array, not Float32Array/);
      expect(() => self.allreduce(new Float64Array(3), MPI.SUM, new Float64Array(2))).to.throw(RangeError, /out must hold at least 3 elements/);
      expect(() => self.reduce(new Int8Array(2), MPI.SUM, 0, new Uint8Array(2))).to.throw(TypeError, /out must be of the input's class Int8Array/);
      expect(() => self.scan(Buffer.alloc(2), MPI.SUM, new Uint8Array(2))).to.throw(TypeError, /out must be of the input's class Buffer/);
      expect(() => self.gather(new Int32Array(2), 0, new Int32Array(1))).to.throw(RangeError, /out must hold at least 2/);
      expect(() => self.allgather(new Int32Array(2), [0, 0])).to.throw(TypeError, /out must be a typed array/);
      expect(() => self.alltoall(new Int32Array(2), new Uint32Array(2))).to.throw(TypeError, /out/);
      expect(() => self.gatherv(new Int32Array(2), 0, [2], new Int32Array(1))).to.throw(RangeError, /out must hold at least 2/);
      expect(() => self.alltoallv(new Int32Array(2), [2], [2], new Int32Array(1))).to.throw(RangeError, /out/);
      expect(() => self.reduceScatterBlock(new Int32Array(2), MPI.SUM, new Int32Array(1))).to.throw(RangeError, /out/);
    });

    it('rejects an out that shares memory with the input (in place takes the input itself)', () => {
      const memory = new Float64Array(8);
      expect(() => self.allreduce(memory.subarray(0, 4), MPI.SUM, memory.subarray(2, 6))).to.throw(TypeError, /out must not share memory with the input/);
      expect(() => self.allreduce(memory.subarray(0, 4), MPI.SUM, memory.subarray(0, 4))).to.throw(TypeError, /share memory/);
      expect(() => self.gather(memory, 0, memory)).to.throw(TypeError, /share memory/);
      expect(() => self.allgatherv(memory.subarray(0, 2), null, memory)).to.throw(TypeError, /share memory/);
      expect(() => self.scatter(memory.subarray(0, 4), memory.subarray(3, 7))).to.throw(TypeError, /sendbuf must not share memory with recvbuf/);
      expect(Array.from(self.allreduce(memory.subarray(0, 4), MPI.SUM, memory.subarray(4)))).to.deep.equal([0, 0, 0, 0]);
    });

    it('rejects lengths not divisible by the size', function () {
      if (size === 1) this.skip();
      expect(() => world.alltoall(new Float64Array(size + 1))).to.throw(RangeError, /divisible by the communicator's size/);
      expect(() => world.reduceScatterBlock(new Float64Array(size + 1))).to.throw(RangeError, /divisible/);
    });

    it('rejects a root\'s sendbuf of the wrong class or length in scatter', () => {
      expect(() => self.scatter(new Float64Array(3), new Float64Array(2))).to.throw(RangeError, /sendbuf must hold .* 2 elements at the root, not 3/);
      expect(() => self.scatter(new Float32Array(2), new Float64Array(2))).to.throw(TypeError, /sendbuf must be of recvbuf's class Float64Array, not Float32Array/);
    });

    it('rejects counts of the wrong length, sum, sign or type', () => {
      const b = new Int16Array(2);
      expect(() => self.gatherv(b, 0, [1, 1])).to.throw(RangeError, /counts must have one count per rank \(1\), not 2/);
      expect(() => self.gatherv(b, 0, [3])).to.throw(RangeError, /counts\[0\] must be this rank's sendbuf.length 2, not 3/);
      expect(() => self.gatherv(b, 0, 2)).to.throw(TypeError, /counts must be an array/);
      expect(() => self.allgatherv(b, [-2])).to.throw(RangeError, /counts\[0\] must be a non-negative integer/);
      expect(() => self.allgatherv(b, ['2'])).to.throw(TypeError, /counts\[0\] must be a number/);
      expect(() => self.allgatherv(b, [1.5])).to.throw(RangeError, /non-negative integer/);
      expect(() => self.scatterv(b, [3], new Int16Array(3))).to.throw(RangeError, /sendbuf.length must be the sum of the counts, 3, not 2/);
      expect(() => self.scatterv(b, [2], new Int16Array(1))).to.throw(RangeError, /recvbuf must hold counts\[0\] = 2 elements, not 1/);
      expect(() => self.scatterv(b, null, new Int16Array(2))).to.throw(TypeError, /counts must be an array/);
      expect(() => self.alltoallv(b, [1])).to.throw(RangeError, /sum of sendcounts, 1, not 2/);
      expect(() => self.alltoallv(b, [2], [1])).to.throw(RangeError, /recvcounts\[0\] must equal sendcounts\[0\]/);
      expect(() => self.alltoallv(b, [2], [2, 0])).to.throw(RangeError, /recvcounts must have one count per rank/);
      expect(() => world.allgatherv(b, new Array(size + 1).fill(0))).to.throw(RangeError, /one count per rank/);
    });

    it('rejects counts beyond the int counts and displacements of MPI-3', () => {
      expect(() => self.allgatherv(new Uint8Array(1), [2 ** 31])).to.throw(RangeError, /2\^31-1/);
      if (size >= 3) {
        expect(() => world.allgatherv(new Uint8Array(0), ranks.map((r) => (r === rank ? 0 : 2 ** 31 - 1))))
          .to.throw(RangeError, /more than 2\^31-1 elements/);
      }
    });

    it('rejects ops that MPI does not define on the class, and what is not an op', () => {
      expect(() => world.allreduce(new Float64Array(1), MPI.BAND)).to.throw(TypeError, /BAND does not apply to Float64Array/);
      expect(() => world.reduce(new Float32Array(1), MPI.LXOR)).to.throw(TypeError, /LXOR does not apply to Float32Array: .*integer/);
      expect(() => world.scan(new DataView(new ArrayBuffer(1)), MPI.SUM)).to.throw(TypeError, /SUM does not apply to DataView/);
      // The elements MPI sees decide, not what a view's `constructor` property claims.
      const posing = Object.defineProperty(new Float64Array(1), 'constructor', { value: Int32Array });
      expect(() => world.allreduce(posing, MPI.BAND)).to.throw(TypeError, /BAND does not apply/);
      expect(() => world.allreduce(new Int32Array(1), 'sum')).to.throw(TypeError, /op must be an Op/);
      expect(() => world.allreduce(new Int32Array(1), (a, b) => a + b)).to.throw(TypeError, /op must be an Op/);
    });

    it('rejects a freed communicator with an MpiError, and the communicator used stays usable', () => {
      const dup = world.dup();
      dup.free();
      for (const call of [() => dup.barrier(), () => dup.allreduce(new Int8Array(1)), () => dup.bcast(new Int8Array(1))]) {
        expect(call).to.throw(MPI.MpiError).with.property('code', 'MPI_ERR_COMM');
      }
      expect(Array.from(world.allreduce(Int32Array.of(1)))).to.deep.equal([size]);
    });
  });
});

describe('collectives on buffers, sizes', () => {
  it('move empty buffers', () => {
    expect(world.allreduce(new Float64Array(0)).length).to.equal(0);
    expect(world.allgather(new Int8Array(0)).length).to.equal(0);
    expect(world.bcast(new Uint8Array(0))).to.have.length(0);
    expect(world.allgatherv(new Uint16Array(0)).length).to.equal(0);
  });

  it('move subarrays at offsets without touching the memory around them', () => {
    const memory = new Float64Array(10).fill(-1);
    const view = memory.subarray(3, 6);
    view.set([rank, rank, rank]);
    world.allreduce(view, MPI.SUM, view);
    expect(Array.from(memory)).to.deep.equal([-1, -1, -1, ...new Array(3).fill((size * (size - 1)) / 2), -1, -1, -1, -1]);
  });

  it('reduce a large array (new result arrays are not zero-filled first, and are fully written)', () => {
    const n = 100003;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = (i % 97) + rank;
    const sum = world.allreduce(values);
    let wrong = 0;
    for (let i = 0; i < n; i++) if (sum[i] !== size * (i % 97) + (size * (size - 1)) / 2) wrong++;
    expect(wrong).to.equal(0);
    expect(elementCount(world.allgather(values.subarray(0, 1000)))).to.equal(1000 * size);
  });
});

// Buffers used again and again are registered with the addon (see point-to-point.spec.mjs); bcast and the reductions
// then read them from their slots. Each test uses its buffers more often than the 16 uses that takes.
describe('collectives on buffers used again and again', () => {
  const total = (f) => ranks.reduce((sum, r) => sum + f(r), 0);

  it('bcast, allreduce (with out and in place), reduce, scan and exscan give each call\'s result', async () => {
    const buf = new Float64Array(2);
    const input = new Float64Array(3);
    const out = new Float64Array(3);
    const inPlace = new Int32Array(2);
    const atRoot = new Float64Array(3);
    for (let i = 0; i < 24; i++) {
      buf.set(rank === 0 ? [i, -i] : [0, 0]);
      expect([...world.bcast(buf, 0)]).to.deep.equal([i, -i]);
      input.set([rank + i, 2 * rank, i]);
      expect([...world.allreduce(input, MPI.SUM, out)]).to.deep.equal(
        [total((r) => r + i), total((r) => 2 * r), size * i]);
      inPlace.set([rank, i]);
      world.allreduce(inPlace, MPI.MAX, inPlace);
      expect([...inPlace]).to.deep.equal([size - 1, i]);
      const reduced = world.reduce(input, MPI.SUM, size - 1, rank === size - 1 ? atRoot : null);
      if (rank === size - 1) expect([...reduced]).to.deep.equal([total((r) => r + i), total((r) => 2 * r), size * i]);
      expect(world.scan(input, MPI.SUM, out)[0]).to.equal(total((r) => (r <= rank ? r + i : 0)));
      if (rank > 0) expect(world.exscan(input, MPI.SUM, out)[0]).to.equal(total((r) => (r < rank ? r + i : 0)));
      else world.exscan(input, MPI.SUM, out);
      const request = world.iallreduce(input, MPI.SUM, out);
      expect((await request)[2]).to.equal(size * i);
      expect([...(await world.ibcast(buf, 0))]).to.deep.equal([i, -i]);
    }
  });

  it('gather, allgather, scatter and alltoall (and their nonblocking forms) give each call\'s result', async () => {
    const mine = new Int32Array(2);
    const all = new Int32Array(2 * size);
    const blocks = new Int32Array(2 * size);
    const part = new Int32Array(2);
    for (let i = 0; i < 24; i++) {
      mine.set([rank, i]);
      const expected = ranks.flatMap((r) => [r, i]);
      const root = i % size;
      const gathered = world.gather(mine, root, rank === root ? all : null);
      if (rank === root) expect([...gathered]).to.deep.equal(expected);
      expect([...world.allgather(mine, all)]).to.deep.equal(expected);
      expect([...(await world.iallgather(mine, all))]).to.deep.equal(expected);
      blocks.set(ranks.flatMap((r) => [root * 100 + r, i]));
      expect([...world.scatter(rank === root ? blocks : null, part, root)]).to.deep.equal([root * 100 + rank, i]);
      expect([...(await world.iscatter(rank === root ? blocks : null, part, root))])
        .to.deep.equal([root * 100 + rank, i]);
      blocks.set(ranks.flatMap((r) => [rank * 10 + r, i]));
      expect([...world.alltoall(blocks, all)]).to.deep.equal(ranks.flatMap((r) => [r * 10 + rank, i]));
      expect([...(await world.ialltoall(blocks, all))]).to.deep.equal(ranks.flatMap((r) => [r * 10 + rank, i]));
      const igathered = await world.igather(mine, root, rank === root ? all : null);
      if (rank === root) expect([...igathered]).to.deep.equal(expected);
    }
  });

  it('refuse a buffer detached since, even if its byteLength property is shadowed', () => {
    const input = new Float64Array(2).fill(rank);
    const out = new Float64Array(2);
    for (let i = 0; i < 20; i++) world.allreduce(input, MPI.SUM, out);
    expect(out[0]).to.equal(total((r) => r));
    for (const view of [input, out]) Object.defineProperty(view, 'byteLength', { value: 16 });
    structuredClone(out.buffer, { transfer: [out.buffer] });
    expect(() => world.allreduce(input, MPI.SUM, out)).to.throw(TypeError, /^out is detached/);
    expect(() => world.bcast(out, 0)).to.throw(TypeError, /^buf is detached/);
    structuredClone(input.buffer, { transfer: [input.buffer] });
    expect(() => world.allreduce(input, MPI.SUM)).to.throw(TypeError, /^sendbuf is detached/);
    expect(world.allreduce(new Float64Array([rank]), MPI.SUM)[0]).to.equal(total((r) => r)); // still working
  });
});
