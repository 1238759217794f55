// Point-to-point on values: anything the structured-clone serializer of node:v8 takes, of any size, received by
// matched probe so concurrent ANY_SOURCE receives never mix one message's size with another's payload.
import { expect } from 'chai';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import * as v8 from 'node:v8';
import { MPI, needsPeer, next, prev, world } from '../support.mjs';

// The JS writer and reader of node:v8's format for small plain values (internal: src/v8-wire.ts).
const { encodeSmall, decodeSmall, UNHANDLED } = createRequire(import.meta.url)('../../lib/v8-wire.js');

// Values at the edges of what v8-wire.ts writes itself, and just past them (those go to node:v8).
function edgeValues(rank) {
  const shared = { rank };
  const cyclic = { rank };
  cyclic.self = cyclic;
  const withExtra = [rank, 2];
  withExtra.extra = 'named';
  let deep = [rank];
  for (let i = 0; i < 40; i++) deep = [deep];
  return [
    rank, -rank - 1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, -0, NaN, Infinity, 0.1 + rank,
    '', 'a', 'latin1 é ÿ', 'two-byte ✓ €', '😀 pair', '\ud800 lone', 'x'.repeat(40), 'é'.repeat(100) + '€', 'y'.repeat(20000),
    true, false, null, undefined,
    { step: rank, x: 0.5, name: 'ping', ok: true }, {}, [], [[[]]], { 1: 'one', 0: 'zero', b: 'bee' },
    JSON.parse('{"__proto__": {"polluted": true}}'), Object.create(null),
    [1, , 3], withExtra, { a: shared, b: shared }, cyclic, deep,
    { data: new Float64Array([rank, 1.5]), bytes: Buffer.from([rank]) }, new Date(rank), 12n ** 30n, new Map([[1, 2]]),
    Array.from({ length: 40 }, (_, i) => ({ i })),
  ];
}

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

  it('writes small values in node:v8\'s own format, and reads node:v8\'s', () => {
    for (const value of edgeValues(world.rank)) {
      const written = encodeSmall(value);
      if (written !== null) expect(v8.deserialize(Buffer.from(written))).to.deep.equal(structuredClone(value));
      const read = decodeSmall(v8.serialize(value));
      if (read !== UNHANDLED) expect(read).to.deep.equal(structuredClone(value));
    }
    // The fast path does handle the common case (a refactoring that sent everything to node:v8 would pass above).
    expect(encodeSmall({ step: 1, name: 'ping' })).to.not.equal(null);
    expect(decodeSmall(v8.serialize([1, 'two', { three: 3.5 }]))).to.deep.equal([1, 'two', { three: 3.5 }]);
    expect(decodeSmall(v8.serialize(new Map()))).to.equal(UNHANDLED);
  });

  it('agrees with node:v8 on any JSON-like value (property-based)', () => {
    const values = fc.sample(fc.oneof(fc.jsonValue(), fc.anything({ maxDepth: 3, withNullPrototype: true,
      withObjectString: true, withSparseArray: true, withTypedArray: false })), { seed: 42 + world.rank, numRuns: 400 });
    for (const value of values) {
      const written = encodeSmall(value);
      if (written !== null) expect(v8.deserialize(Buffer.from(written))).to.deep.equal(structuredClone(value));
      const read = decodeSmall(v8.serialize(value));
      if (read !== UNHANDLED) expect(read).to.deep.equal(structuredClone(value));
    }
  });

  it('sends every edge value around the ring, as bytes that node:v8 reads and from bytes node:v8 wrote',
    async function () {
      needsPeer(this);
      const mine = edgeValues(world.rank);
      const theirs = edgeValues(prev);
      for (const [i, value] of mine.entries()) {
        const expected = structuredClone(theirs[i]);
        // sendObject -> recvObject (nonblocking sends: a blocking one of a large value would wait for the peer's)
        let sent = world.isendObject(value, next, 70);
        expect(world.recvObject(prev, 70), `value ${i}`).to.deep.equal(expected);
        await sent;
        // sendObject's bytes are node:v8's
        sent = world.isendObject(value, next, 71);
        const bytes = new Uint8Array(world.probe(prev, 71).bytes);
        world.recv(bytes, prev, 71);
        expect(v8.deserialize(bytes), `value ${i} as bytes`).to.deep.equal(expected);
        await sent;
        // and recvObject reads node:v8's
        sent = world.isend(v8.serialize(value), next, 72);
        expect(world.recvObject(prev, 72), `value ${i} from v8.serialize`).to.deep.equal(expected);
        await sent;
      }
    });
});
