// Point-to-point on values: anything the structured-clone serializer of node:v8 takes, of any size, received by
// matched probe so concurrent ANY_SOURCE receives never mix one message's size with another's payload.
import { expect } from 'chai';
import { MPI, needsPeer, next, prev, world } from '../support.mjs';

function sampleValue(rank) {
  return {
    rank,
    text: `from ${rank} ✓`,
    list: [1, 'two', null, undefined, true, 4.5, -0],
    big: 2n ** 70n + BigInt(rank),
    map: new Map([[rank, { nested: [rank] }]]),
    set: new Set(['a', rank]),
    date: new Date(1700000000000 + rank),
    floats: new Float64Array([rank, 0.25]),
    bytes: Buffer.from([rank, 255]),
    regexp: /mpi+/gi,
  };
}

describe('point-to-point on values', () => {
  it('sends structured values around the ring with sendObject/recvObject', function () {
    needsPeer(this);
    let got;
    if (world.rank % 2 === 0) {
      world.sendObject(sampleValue(world.rank), next, 3);
      got = world.recvObject(prev, 3);
    } else {
      got = world.recvObject(prev, 3);
      world.sendObject(sampleValue(world.rank), next, 3);
    }
    expect(got).to.deep.equal(sampleValue(prev));
    expect(got.map).to.be.an.instanceOf(Map);
    expect(got.floats).to.be.an.instanceOf(Float64Array);
    expect(Object.is(got.list[6], -0)).to.equal(true);
  });

  it('fills a Status given to recvObject', function () {
    needsPeer(this);
    world.sendObject('hello', next, 12);
    const status = new MPI.Status();
    const got = world.recvObject(MPI.ANY_SOURCE, MPI.ANY_TAG, status);
    expect(got).to.equal('hello');
    expect(status.source).to.equal(prev);
    expect(status.tag).to.equal(12);
    expect(status.bytes).to.be.greaterThan(0);
  });

  it('exchanges values with sendrecvObject, even large ones in both directions at once', () => {
    const big = 'x'.repeat(4 * 1024 * 1024) + world.rank;
    const got = world.sendrecvObject({ big, from: world.rank }, next, prev, 5, 5);
    expect(got.from).to.equal(prev);
    expect(got.big.length).to.equal(big.length);
    expect(got.big.endsWith(String(prev))).to.equal(true);
  });

  it('receives values of very different sizes from ANY_SOURCE without mixing them up', () => {
    const rounds = 6;
    if (world.rank !== 0) {
      for (let i = 0; i < rounds; i++) {
        const size = ((world.rank * 7 + i * 13) % 5) * 100000 + i;
        world.sendObject({ from: world.rank, i, payload: new Uint8Array(size).fill(world.rank) }, 0, 50);
      }
      return;
    }
    const counts = new Map();
    for (let k = 0; k < rounds * (world.size - 1); k++) {
      const status = new MPI.Status();
      const got = world.recvObject(MPI.ANY_SOURCE, 50, status);
      expect(got.from).to.equal(status.source);
      const expectedSize = ((got.from * 7 + got.i * 13) % 5) * 100000 + got.i;
      expect(got.payload.length).to.equal(expectedSize);
      expect(got.payload.every((b) => b === got.from)).to.equal(true);
      // Messages from one source arrive in the order they were sent.
      expect(got.i).to.equal(counts.get(got.from) ?? 0);
      counts.set(got.from, got.i + 1);
    }
  });

  it('refuses a value the serializer cannot take, before anything is sent', function () {
    needsPeer(this);
    expect(() => world.sendObject({ f() {} }, next, 60)).to.throw(TypeError, /value cannot be sent/);
    expect(() => world.sendObject(Symbol('s'), next, 60)).to.throw(TypeError, /value cannot be sent/);
    // Nothing went out: the next message with that tag is the one sent now.
    world.sendObject('after', next, 60);
    expect(world.recvObject(prev, 60)).to.equal('after');
  });

  it('reports a message that is not a serialized value as a TypeError, and goes on working', function () {
    needsPeer(this);
    world.send(new Uint8Array([0xff, 0x0f, 0xff, 0xff, 0xff]), next, 61);
    expect(() => world.recvObject(prev, 61)).to.throw(TypeError, /not a serialized value/);
    world.sendObject([1, 2], next, 62);
    expect(world.recvObject(prev, 62)).to.deep.equal([1, 2]);
  });

  it('sends undefined and null as values, and PROC_NULL receives give undefined', function () {
    needsPeer(this);
    world.sendObject(undefined, next, 63);
    expect(world.recvObject(prev, 63)).to.equal(undefined);
    world.sendObject(null, MPI.PROC_NULL);
    const status = new MPI.Status();
    expect(world.recvObject(MPI.PROC_NULL, 0, status)).to.equal(undefined);
    expect(status.source).to.equal(MPI.PROC_NULL);
  });
});
