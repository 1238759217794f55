// Reduction ops: the ten built-in ops on every class where MPI defines them (MPI-3.1 §5.9.2) and a TypeError where
// it does not; user ops written in JS on every collective that takes an op, with views of the right class that are
// detached after the call, order kept for non-commutative ops, and exceptions rethrown on the rank that ran them.
import { expect } from 'chai';
import { BUFFER_CLASSES, MPI, bufferOf, stored, toNumbers, world } from '../support.mjs';

const { rank, size } = world;
const ranks = Array.from({ length: size }, (_, r) => r);
const FLOATS = [Float32Array, Float64Array];


// Per op: the operands of rank r (element i), and how two of them combine, on plain numbers.
const N = 6;
const BUILTINS = {
  SUM: { value: (r, i) => (r * 31 + i * 7) % 100, combine: (a, b) => a + b },
  PROD: { value: (r, i) => ((r + i) % 3) + 1, combine: (a, b) => a * b },
  MIN: { value: (r, i) => (r * 37 + i * 11) % 100, combine: Math.min },
  MAX: { value: (r, i) => (r * 37 + i * 11) % 100, combine: Math.max },
  LAND: { value: (r, i) => (r + i) % 4, combine: (a, b) => Number(a !== 0 && b !== 0) },
  LOR: { value: (r, i) => ((r + i) % 4 === 0 ? 0 : (r + i) % 3), combine: (a, b) => Number(a !== 0 || b !== 0) },
  LXOR: { value: (r, i) => (r * i) % 3, combine: (a, b) => Number((a !== 0) !== (b !== 0)) },
  BAND: { value: (r, i) => 0x7f - ((r * 5 + i) % 16), combine: (a, b) => a & b },
  BOR: { value: (r, i) => (1 << ((r + i) % 7)) | i, combine: (a, b) => a | b },
  BXOR: { value: (r, i) => (r * 13 + i * 3) % 128, combine: (a, b) => a ^ b },
};

function definedOn(name, ctor) {
  if (ctor === DataView) return ['BAND', 'BOR', 'BXOR'].includes(name);
  if (FLOATS.includes(ctor)) return ['SUM', 'PROD', 'MIN', 'MAX'].includes(name);
  return true;
}

function expectedOf(cls, { value, combine }, from = ranks) {
  return Array.from({ length: N }, (_, i) =>
    stored(cls, from.map((r) => stored(cls, value(r, i))).reduce((a, b) => stored(cls, combine(a, b)))));
}

describe('built-in ops', () => {
  it('are the ten Op instances of the API, commutative, not freeable', () => {
    for (const name of Object.keys(BUILTINS)) {
      expect(MPI[name]).to.be.an.instanceof(MPI.Op);
      expect(MPI[name].name).to.equal(name);
      expect(MPI[name].commute).to.equal(true);
    }
    expect(() => MPI.SUM.free()).to.throw(MPI.MpiError, /built-in ops cannot be freed/);
  });

  for (const cls of BUFFER_CLASSES) {
    const names = Object.keys(BUILTINS).filter((name) => definedOn(name, cls.ctor));
    it(`${names.join(', ')} reduce ${cls.name} with allreduce as MPI defines them`, () => {
      for (const name of names) {
        const rule = BUILTINS[name];
        const mine = bufferOf(cls, Array.from({ length: N }, (_, i) => rule.value(rank, i)));
        const got = world.allreduce(mine, MPI[name]);
        expect(toNumbers(got), name).to.deep.equal(expectedOf(cls, rule));
      }
    });

    const undefinedOps = Object.keys(BUILTINS).filter((name) => !definedOn(name, cls.ctor));
    if (undefinedOps.length > 0) {
      it(`${undefinedOps.join(', ')} throw a TypeError on ${cls.name}, citing the standard`, () => {
        for (const name of undefinedOps) {
          expect(() => world.allreduce(cls.make(2), MPI[name]), name)
            .to.throw(TypeError, new RegExp(`MPI.${name} does not apply to ${cls.ctor.name}: MPI defines`));
        }
        if (FLOATS.includes(cls.ctor)) {
          expect(() => world.reduce(cls.make(1), MPI.LAND)).to.throw(TypeError, /integer .* only.*MPI-3.1 §5.9.2/);
          expect(() => world.scan(cls.make(1), MPI.BXOR)).to.throw(TypeError, /integer and byte types only/);
        }
      });
    }
  }

  it('MIN and MAX order signed, unsigned and 64-bit integers as their class does', () => {
    const v = rank === 0 ? -5 : rank;
    expect(Array.from(world.allreduce(Int16Array.of(v), MPI.MIN))).to.deep.equal([-5]);
    // MPICH 4.0.2 compares unsigned integers as signed (pmodels/mpich#6083); mpi4js corrects it.
    for (const Unsigned of [Uint8Array, Uint8ClampedArray, Uint16Array, Uint32Array]) {
      const top = Unsigned === Uint32Array ? 2 ** 32 - 5 : Unsigned === Uint16Array ? 65531 : 251;
      const mine = Unsigned.of(rank === 0 ? top : rank, rank === 0 ? 0 : top - rank);
      expect(Array.from(world.allreduce(mine, MPI.MAX)), Unsigned.name).to.deep.equal([top, size > 1 ? top - 1 : 0]);
      expect(Array.from(world.allreduce(mine, MPI.MIN)), Unsigned.name).to.deep.equal([size > 1 ? 1 : top, 0]);
    }
    const big = rank === size - 1 ? -(2n ** 62n) : 2n ** 62n + BigInt(rank);
    expect(Array.from(world.allreduce(BigInt64Array.of(big), MPI.MIN))).to.deep.equal([-(2n ** 62n)]);
    expect(Array.from(world.allreduce(BigUint64Array.of(2n ** 63n + BigInt(rank)), MPI.MAX)))
      .to.deep.equal([2n ** 63n + BigInt(size - 1)]);
    expect(Array.from(world.allreduce(BigUint64Array.of(rank === 0 ? 2n ** 64n - 1n : 7n), MPI.MIN)))
      .to.deep.equal([size > 1 ? 7n : 2n ** 64n - 1n]);
  });
});

describe('user ops (Op.create)', () => {
  const created = [];
  const create = (fn, commute) => {
    const op = MPI.Op.create(fn, commute);
    created.push(op);
    return op;
  };
  afterEach(() => {
    for (const op of created.splice(0)) if (op.handle >= 0) op.free();
  });

  // Elementwise sum through the view's own arithmetic: clamped for a Uint8ClampedArray, wrapping for other integers.
  const add = (seen) => function add(invec, inoutvec) {
    seen?.push(invec.constructor.name, inoutvec.constructor.name, invec.byteLength === inoutvec.byteLength);
    if (invec instanceof DataView) {
      for (let i = 0; i < invec.byteLength; i++) inoutvec.setUint8(i, invec.getUint8(i) + inoutvec.getUint8(i));
    } else {
      for (let i = 0; i < invec.length; i++) inoutvec[i] += invec[i];
    }
  };

  it('checks its arguments', () => {
    expect(() => MPI.Op.create('sum')).to.throw(TypeError, /fn must be a function/);
    expect(() => MPI.Op.create(() => {}, 1)).to.throw(TypeError, /commute must be a boolean/);
    const op = create(add());
    expect(op).to.be.an.instanceof(MPI.Op);
    expect(op.commute).to.equal(true);
    expect(op.name).to.equal('add');
  });

  for (const cls of BUFFER_CLASSES) {
    it(`runs a JS function on views of ${cls.name} in allreduce`, () => {
      const seen = [];
      const op = create(add(seen));
      const values = (r) => Array.from({ length: 5 }, (_, i) => (r * 29 + i * 13) % 100);
      const got = world.allreduce(bufferOf(cls, values(rank)), op);
      const viewClass = cls.ctor === Buffer ? 'Uint8Array' : cls.ctor.name;
      for (let i = 0; i < seen.length; i += 3) expect(seen.slice(i, i + 3)).to.deep.equal([viewClass, viewClass, true]);
      const total = (i) => ranks.reduce((s, r) => s + values(r)[i], 0);
      const expected = Array.from({ length: 5 }, (_, i) =>
        cls.ctor === Uint8ClampedArray ? Math.min(255, total(i)) : stored(cls, total(i)));
      expect(toNumbers(got)).to.deep.equal(expected);
    });
  }

  it('works on every collective that takes an op: reduce, allreduce, scan, exscan, reduceScatterBlock', () => {
    const op = create(add());
    const sum = (from) => from.reduce((s, r) => s + r, 0);
    const root = size - 1;
    const reduced = world.reduce(Int32Array.of(rank, 1), op, root);
    if (rank === root) expect(Array.from(reduced)).to.deep.equal([sum(ranks), size]);
    else expect(reduced).to.equal(null);
    const inPlace = Float64Array.of(rank);
    world.allreduce(inPlace, op, inPlace);
    expect(inPlace[0]).to.equal(sum(ranks));
    expect(Array.from(world.scan(Int32Array.of(rank), op))).to.deep.equal([sum(ranks.slice(0, rank + 1))]);
    const ex = world.exscan(Int32Array.of(rank), op);
    if (rank > 0) expect(Array.from(ex)).to.deep.equal([sum(ranks.slice(0, rank))]);
    const block = world.reduceScatterBlock(Float64Array.from(ranks, (r) => r * 10 + rank), op);
    expect(Array.from(block)).to.deep.equal([rank * 10 * size + sum(ranks)]);
  });

  it('works on the value collectives: numbers, BigInts and typed arrays', () => {
    const op = create(add());
    const sum = (size * (size - 1)) / 2;
    expect(world.allreduceObject(rank, op)).to.equal(sum);
    expect(world.allreduceObject(BigInt(rank) * 2n ** 40n, op)).to.equal(BigInt(sum) * 2n ** 40n);
    expect(Array.from(world.allreduceObject(Float32Array.of(rank, 1), op))).to.deep.equal([sum, size]);
    const root = size - 1;
    const got = world.reduceObject(Int16Array.of(rank), op, root);
    if (rank === root) expect(Array.from(got)).to.deep.equal([sum]);
    else expect(got).to.equal(null);
    expect(() => world.allreduceObject('text', op)).to.throw(TypeError, /a user op combines typed arrays/);
  });

  it('keeps the operands in rank order when not commutative', () => {
    // "Keep the left operand" is associative but not commutative: in rank order the result is rank 0's value.
    const left = create((invec, inoutvec) => inoutvec.set(invec), false);
    const right = create(() => {}, false);
    expect(left.commute).to.equal(false);
    const mine = Float64Array.of(rank, rank + 0.5, -rank);
    expect(Array.from(world.allreduce(mine, left))).to.deep.equal([0, 0.5, -0]);
    expect(Array.from(world.allreduce(mine, right))).to.deep.equal([size - 1, size - 0.5, -(size - 1)]);
    expect(Array.from(world.scan(mine, left))).to.deep.equal([0, 0.5, -0]);
    expect(Array.from(world.scan(mine, right))).to.deep.equal(Array.from(mine));
    const reduced = world.reduce(Int8Array.of(rank), left, size - 1);
    if (rank === size - 1) expect(Array.from(reduced)).to.deep.equal([0]);
    expect(world.allreduceObject(Int8Array.of(rank), left)[0]).to.equal(0);
  });

  it('detaches the views after the call: a kept one can never reach MPI\'s memory', () => {
    const kept = [];
    const op = create((invec, inoutvec) => {
      kept.push(invec, inoutvec);
      for (let i = 0; i < invec.length; i++) inoutvec[i] += invec[i];
    });
    expect(Array.from(world.allreduce(Float64Array.of(1, 2), op))).to.deep.equal([size, 2 * size]);
    // MPI runs a user op only on the ranks where it combines operands.
    if (size > 1) expect(world.allreduce(Int32Array.of(kept.length))[0]).to.be.at.least(2);
    for (const view of kept) {
      expect(view.length).to.equal(0);
      expect(view.byteLength).to.equal(0);
      expect(view.buffer.byteLength).to.equal(0);
      view[0] = 1;  // a no-op on a detached view
      expect(view[0]).to.equal(undefined);
    }
  });

  it('rethrows what the function throws on the rank that ran it, after the collective; the rank stays usable', () => {
    class Boom extends Error {}
    const boom = create(() => { throw new Boom('boom'); });
    const text = create(() => { throw 'just a string'; });  // eslint-disable-line no-throw-literal
    let threw = 0;
    try {
      world.allreduce(Float64Array.of(rank, 1), boom);
    } catch (error) {
      expect(error).to.be.an.instanceof(Boom);
      expect(error.message).to.equal('boom');
      threw++;
    }
    try {
      world.reduce(Int32Array.of(rank), text, 0);
    } catch (error) {
      expect(error).to.equal('just a string');
      threw++;
    }
    // MPI runs a user op only where it combines operands: on some ranks, and on none in a 1-rank world.
    const counts = world.allgather(Int32Array.of(threw));
    if (size > 1) expect(counts.some((c) => c > 0)).to.equal(true);
    expect(Array.from(world.allreduce(Int32Array.of(1), MPI.SUM))).to.deep.equal([size]);
  });

  it('calls the function many times over MPI\'s segments of a large array, every view fresh', () => {
    let calls = 0;
    const op = create((invec, inoutvec) => {
      calls++;
      for (let i = 0; i < invec.length; i++) inoutvec[i] += invec[i];
    });
    const n = 1 << 19;
    const mine = new Float64Array(n);
    for (let i = 0; i < n; i++) mine[i] = (i % 13) + rank;
    for (let round = 0; round < 2; round++) {
      const sum = world.allreduce(mine, op);
      let wrong = 0;
      for (let i = 0; i < n; i++) if (sum[i] !== size * (i % 13) + (size * (size - 1)) / 2) wrong++;
      expect(wrong).to.equal(0);
    }
    if (size > 1) expect(world.allreduce(Int32Array.of(calls))[0]).to.be.at.least(2);
  });

  it('free() releases it: using or freeing it again throws', () => {
    const op = MPI.Op.create(add());
    op.free();
    expect(() => world.allreduce(new Int32Array(1), op)).to.throw(TypeError, /op has been freed/);
    expect(() => world.allreduceObject(1, op)).to.throw(TypeError, /op has been freed/);
    expect(() => op.free()).to.throw(TypeError, /already been freed/);
  });

  it('exist at most 32 at once, and free slots are reused', () => {
    const ops = [];
    let error;
    try {
      for (let i = 0; i < 40; i++) ops.push(MPI.Op.create(add()));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.an.instanceof(RangeError);
    expect(error.message).to.match(/at most 32 user ops/);
    expect(ops.length).to.be.at.most(32);
    ops.pop().free();
    const again = MPI.Op.create(add());
    expect(Array.from(world.allreduce(Int32Array.of(1), again))).to.deep.equal([size]);
    again.free();
    for (const op of ops) op.free();
  });
});
