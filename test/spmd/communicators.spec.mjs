// Communicator management: dup, split (null for UNDEFINED), splitShared, free, compare and name, on COMM_WORLD
// and on the communicators they make; a freed communicator throws an MpiError. Runs at any world size.
import { expect } from 'chai';
import { MPI, world } from '../support.mjs';

const { rank, size } = world;
const ranks = Array.from({ length: size }, (_, r) => r);

describe('communicators', () => {
  it('COMM_WORLD and COMM_SELF have their rank, size and name', () => {
    expect(world.size).to.be.at.least(1);
    expect(rank).to.be.within(0, size - 1);
    expect(world.name).to.equal('MPI_COMM_WORLD');
    expect(MPI.COMM_SELF.name).to.equal('MPI_COMM_SELF');
    expect(MPI.COMM_SELF.size).to.equal(1);
    expect(MPI.COMM_SELF.rank).to.equal(0);
  });

  it('compare tells ident, congruent, similar and unequal apart', () => {
    const dup = world.dup();
    const reversed = world.split(0, -rank);
    expect(world.compare(world)).to.equal('ident');
    expect(world.compare(dup)).to.equal('congruent');
    expect(dup.compare(world)).to.equal('congruent');
    // Same members in another order: similar (with one rank the order cannot differ).
    expect(world.compare(reversed)).to.equal(size === 1 ? 'congruent' : 'similar');
    expect(world.compare(MPI.COMM_SELF)).to.equal(size === 1 ? 'congruent' : 'unequal');
    expect(() => world.compare('world')).to.throw(TypeError, /other must be a Comm/);
    reversed.free();
    dup.free();
  });

  it('dup has the same ranks and a separate context: its messages never match on the original', function () {
    const dup = world.dup();
    expect([dup.rank, dup.size]).to.deep.equal([rank, size]);
    if (size >= 2) {
      const next = (rank + 1) % size;
      const prev = (rank - 1 + size) % size;
      dup.sendObject({ on: 'dup', from: rank }, next, 5);  // small: sent eagerly
      dup.probe(prev, 5);  // it has arrived...
      expect(world.iprobe(prev, 5)).to.equal(null);  // ...and the original communicator does not see it
      expect(dup.recvObject(prev, 5)).to.deep.equal({ on: 'dup', from: prev });
    }
    dup.free();
  });

  it('split groups ranks by color, ordered by key', () => {
    const color = rank % 3;
    const members = ranks.filter((r) => r % 3 === color).sort((a, b) => b - a);  // key -rank: reverse order
    const part = world.split(color, -rank);
    expect(part.size).to.equal(members.length);
    expect(part.rank).to.equal(members.indexOf(rank));
    expect(part.allgatherObject(rank)).to.deep.equal(members);
    expect(Array.from(part.allreduce(Int32Array.of(1)))).to.deep.equal([members.length]);
    const byDefault = world.split(color);  // key defaults to the rank: world order
    expect(byDefault.rank).to.equal(ranks.filter((r) => r % 3 === color).indexOf(rank));
    byDefault.free();
    part.free();
  });

  it('split with UNDEFINED leaves a rank out: it gets null', () => {
    const evens = world.split(rank % 2 === 0 ? 0 : MPI.UNDEFINED);
    if (rank % 2 === 1) {
      expect(evens).to.equal(null);
      return;
    }
    expect(evens.size).to.equal(Math.ceil(size / 2));
    expect(evens.rank).to.equal(rank / 2);
    expect(evens.allgatherObject(rank)).to.deep.equal(ranks.filter((r) => r % 2 === 0));
    evens.free();
  });

  it('split rejects a negative color other than UNDEFINED, and keys that are not integers', () => {
    expect(() => world.split(-2)).to.throw(RangeError, /color/);
    expect(() => world.split('1')).to.throw(TypeError, /color/);
    expect(() => world.split(0, 0.5)).to.throw(RangeError, /key/);
  });

  it('splitShared groups the ranks of this node, in world order', () => {
    const node = world.splitShared();
    expect(node.size).to.be.within(1, size);
    expect(node.allgatherObject(MPI.processorName()).every((name) => name === MPI.processorName())).to.equal(true);
    const members = node.allgatherObject(rank);
    expect(members).to.deep.equal([...members].sort((a, b) => a - b));
    expect(members[node.rank]).to.equal(rank);
    // Every rank is on exactly one node.
    expect(world.allreduceObject(node.rank === 0 ? node.size : 0)).to.equal(size);
    node.free();
  });

  it('name can be set and read back, in any script; a long one is cut at a character boundary', () => {
    const dup = world.dup();
    dup.name = 'grille de calcul ✓ 計算';
    expect(dup.name).to.equal('grille de calcul ✓ 計算');
    const long = 'é'.repeat(200);
    dup.name = long;
    expect(long.startsWith(dup.name)).to.equal(true);
    expect(dup.name.length).to.be.within(1, 199);
    expect(() => { dup.name = 42; }).to.throw(TypeError, /name must be a string/);
    dup.free();
  });

  it('a freed communicator throws an MpiError on use; COMM_WORLD and COMM_SELF cannot be freed', () => {
    const dup = world.dup();
    dup.free();
    const uses = [() => dup.rank, () => dup.size, () => dup.name, () => dup.send(new Uint8Array(1), 0),
      () => dup.recvObject(0), () => dup.barrier(), () => dup.dup(), () => dup.split(0), () => dup.free(),
      () => world.compare(dup), () => dup.allgatherObject(1)];
    for (const use of uses) expect(use).to.throw(MPI.MpiError).with.property('code', 'MPI_ERR_COMM');
    expect(() => world.free()).to.throw(MPI.MpiError, /cannot be freed/);
    expect(() => MPI.COMM_SELF.free()).to.throw(MPI.MpiError, /cannot be freed/);
    expect(world.allreduceObject(1)).to.equal(size);
  });

  it('point-to-point works on a split communicator, in its own ranks', () => {
    const part = world.split(rank % 2);
    const next = (part.rank + 1) % part.size;
    const prev = (part.rank - 1 + part.size) % part.size;
    const into = new Float64Array(2);
    const status = part.sendrecv(Float64Array.of(part.rank, rank), next, into, prev, 3, 3);
    expect(status.source).to.equal(prev);
    expect(into[0]).to.equal(prev);
    expect(into[1] % 2).to.equal(rank % 2);
    expect(part.sendrecvObject({ world: rank }, next, prev)).to.deep.equal({ world: into[1] });
    part.free();
  });

  it('dup and free again and again reuse handles without running out', () => {
    for (let i = 0; i < 12; i++) {
      const dup = world.dup();
      if (i % 4 === 0) expect(dup.allgatherObject(i)).to.deep.equal(new Array(size).fill(i));
      dup.free();
    }
  });
});
