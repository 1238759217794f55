// Blocking point-to-point on buffers: every buffer class, views with offsets, empty views, Status, PROC_NULL,
// ANY_SOURCE/ANY_TAG, probe/iprobe, synchronous sends, truncation. Runs on every rank at any world size.
import { expect } from 'chai';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import {
  BUFFER_CLASSES, MPI, elementCount, fill, needsPeer, next, partnerOf, pattern, prev, toNumbers, world,
} from '../support.mjs';

describe('point-to-point on buffers', () => {
  for (const cls of BUFFER_CLASSES) {
    it(`moves a ${cls.name} around the ring with send/recv, the datatype following the class`, function () {
      needsPeer(this);
      const n = 11;
      const out = fill(cls.make(n), world.rank);
      const into = cls.make(n + 3);
      // Even ranks send first: with eager small messages any order works, but this also holds for rendezvous.
      let status;
      if (world.rank % 2 === 0) {
        world.send(out, next, 4);
        status = world.recv(into, prev, 4);
      } else {
        status = world.recv(into, prev, 4);
        world.send(out, next, 4);
      }
      expect(toNumbers(into).slice(0, n)).to.deep.equal(pattern(prev, n));
      expect(toNumbers(into).slice(n)).to.deep.equal([0, 0, 0]);
      expect(status.source).to.equal(prev);
      expect(status.tag).to.equal(4);
      expect(status.bytes).to.equal(n * cls.bytesPerElement);
      expect(status.count(cls.ctor === DataView ? Uint8Array : cls.ctor)).to.equal(n);
      expect(status.cancelled).to.equal(false);
    });

    it(`exchanges a ${cls.name} with sendrecv`, () => {
      const out = fill(cls.make(5), world.rank, 3);
      const into = cls.make(5);
      const status = world.sendrecv(out, next, into, prev, 9, 9);
      expect(toNumbers(into)).to.deep.equal(pattern(prev, 5, 3));
      expect(status.source).to.equal(prev);
    });
  }

  it('sends and receives subarrays at byte offsets without touching the bytes around them', () => {
    const whole = new Float64Array(16).fill(-1);
    whole.set([1, 2, 3, 4].map((v) => v + world.rank * 10), 5);
    const target = new Float64Array(16).fill(-2);
    const window = target.subarray(9, 13);
    world.sendrecv(whole.subarray(5, 9), next, window, prev);
    expect(Array.from(target.subarray(9, 13))).to.deep.equal([1, 2, 3, 4].map((v) => v + prev * 10));
    expect(Array.from(target.subarray(0, 9))).to.deep.equal(new Array(9).fill(-2));
    expect(Array.from(target.subarray(13))).to.deep.equal([-2, -2, -2]);
  });

  it('sends a DataView over the middle of an ArrayBuffer as bytes', () => {
    const memory = new ArrayBuffer(32);
    new Uint8Array(memory).fill(world.rank + 1);
    const incoming = new Uint8Array(40).fill(0xee);
    const status = world.sendrecv(new DataView(memory, 8, 12), next, new DataView(incoming.buffer, 4, 20), prev);
    expect(status.bytes).to.equal(12);
    expect(Array.from(incoming.subarray(4, 16))).to.deep.equal(new Array(12).fill(prev + 1));
    expect(incoming[3]).to.equal(0xee);
    expect(incoming[16]).to.equal(0xee);
  });

  // send/recv/isend/irecv tell the addon each view's class (native/datatype.h); it must still apply the view's own
  // offset and length, and the class must be the one V8 made the view with, not what its `constructor` says.
  it('takes offset, length and class from each view itself on the send/recv paths, whatever `constructor` says',
    async () => {
      const liar = (view, ctor) => Object.defineProperty(view, 'constructor', { value: ctor });
      const memory = new ArrayBuffer(64);
      new Uint8Array(memory).fill(0xee);
      const outgoing = [
        new Float64Array([world.rank + 0.5, -world.rank - 0.25]),
        new Int16Array(new ArrayBuffer(16), 6, 3).fill(world.rank - 300),
        new DataView(Uint8Array.from({ length: 12 }, (_, i) => i + world.rank).buffer, 2, 7),
        liar(new Float64Array([world.rank * 1e300, 3.75]), Uint8Array),
        liar(Uint8Array.from([world.rank, 9, 8]), Float64Array),
        Buffer.from(`rank ${world.rank}`).subarray(1),
      ];
      const incoming = [
        new Float64Array(memory, 8, 2), new Int16Array(3), new DataView(memory, 40, 7),
        liar(new Float64Array(2), Uint8Array), liar(new Uint8Array(3), Float64Array), Buffer.alloc(5),
      ];
      const requests = incoming.map((view, i) => world.irecv(view, prev, 30 + i));
      for (const [i, view] of outgoing.entries()) requests.push(world.isend(view, next, 30 + i));
      const statuses = await MPI.waitAll(requests);
      expect(Array.from(incoming[0])).to.deep.equal([prev + 0.5, -prev - 0.25]);
      expect(new Uint8Array(memory, 0, 8).every((b) => b === 0xee)).to.equal(true);
      expect(Array.from(incoming[1])).to.deep.equal([prev - 300, prev - 300, prev - 300]);
      expect(Array.from(new Uint8Array(memory, 40, 7))).to.deep.equal([2, 3, 4, 5, 6, 7, 8].map((b) => b + prev));
      expect(new Uint8Array(memory)[47]).to.equal(0xee);
      expect(Array.from(incoming[3])).to.deep.equal([prev * 1e300, 3.75]);
      expect(statuses[3].bytes).to.equal(16);
      expect(Array.from(incoming[4])).to.deep.equal([prev, 9, 8]);
      expect(incoming[5].toString()).to.equal(`ank ${prev}`);
      // Blocking send and recv, through the same envelope: a Float32Array received at an offset.
      if (world.size > 1 || MPI.implementation === 'openmpi') { // MPICH: a send to oneself may wait for the recv
        const target = new Float32Array(8).fill(-1);
        if (world.rank % 2 === 0) {
          world.send(new Float32Array([world.rank, 0.5]), next, 40);
          world.recv(target.subarray(3, 5), prev, 40);
        } else {
          world.recv(target.subarray(3, 5), prev, 40);
          world.send(new Float32Array([world.rank, 0.5]), next, 40);
        }
        expect(Array.from(target)).to.deep.equal([-1, -1, -1, prev, 0.5, -1, -1, -1]);
      }
    });

  it('moves zero-length views as empty messages', () => {
    const status = world.sendrecv(new Float64Array(0), next, new Float64Array(0), prev, 2, 2);
    expect(status.bytes).to.equal(0);
    expect(status.count(Float64Array)).to.equal(0);
    expect(status.source).to.equal(prev);
  });

  it('reports Status.count as UNDEFINED when the size is not a whole number of elements', () => {
    const status = world.sendrecv(new Uint8Array(6), next, new Uint8Array(6), prev);
    expect(status.count(Float32Array)).to.equal(MPI.UNDEFINED);
    expect(status.count(Uint16Array)).to.equal(3);
    expect(status.count()).to.equal(6);
    expect(() => status.count({})).to.throw(TypeError, /ctor/);
  });

  it('treats PROC_NULL as a partner that moves nothing', () => {
    world.send(new Int32Array([1, 2]), MPI.PROC_NULL, 3);
    const into = new Int32Array([7, 7]);
    const status = world.recv(into, MPI.PROC_NULL, 3);
    expect(status.source).to.equal(MPI.PROC_NULL);
    expect(status.bytes).to.equal(0);
    expect(Array.from(into)).to.deep.equal([7, 7]);
  });

  it('receives from ANY_SOURCE and reports who sent', () => {
    if (world.rank !== 0) {
      world.send(new Int32Array([world.rank * 100]), 0, 21);
      return;
    }
    const seen = [];
    for (let i = 1; i < world.size; i++) {
      const into = new Int32Array(1);
      const status = world.recv(into, MPI.ANY_SOURCE, 21);
      expect(into[0]).to.equal(status.source * 100);
      seen.push(status.source);
    }
    expect(seen.sort()).to.deep.equal(Array.from({ length: world.size - 1 }, (_, i) => i + 1));
  });

  it('matches by tag, out of sending order, and reports the tag of ANY_TAG receives', () => {
    const partner = partnerOf();
    if (partner === null) return;
    if (world.rank < partner) {
      world.send(new Uint8Array([5]), partner, 5);
      world.send(new Uint8Array([3]), partner, 3);
    } else {
      const into = new Uint8Array(1);
      world.recv(into, partner, 3);
      expect(into[0]).to.equal(3);
      const status = world.recv(into, partner, MPI.ANY_TAG);
      expect(into[0]).to.equal(5);
      expect(status.tag).to.equal(5);
    }
  });

  it('completes a synchronous send (ssend) once the peer receives', () => {
    const partner = partnerOf();
    if (partner === null) {
      // A rank alone sends to itself: ssend would wait for its own recv forever, so use sendrecv semantics instead.
      expect(() => world.ssend(new Float32Array(0), MPI.PROC_NULL)).not.to.throw();
      return;
    }
    const value = new Float32Array([world.rank + 0.5]);
    const into = new Float32Array(1);
    if (world.rank < partner) {
      world.ssend(value, partner, 8);
      world.recv(into, partner, 8);
    } else {
      world.recv(into, partner, 8);
      world.ssend(value, partner, 8);
    }
    expect(into[0]).to.equal(partner + 0.5);
  });

  it('probes a message for its size before receiving it', function () {
    needsPeer(this);
    const n = 3 + world.rank;
    world.send(new Float64Array(n).fill(world.rank), next, 30);
    const status = world.probe(prev, 30);
    expect(status.source).to.equal(prev);
    expect(status.count(Float64Array)).to.equal(3 + prev);
    const into = new Float64Array(status.count(Float64Array));
    world.recv(into, status.source, status.tag);
    expect(Array.from(into)).to.deep.equal(new Array(3 + prev).fill(prev));
  });

  it('iprobe returns null when nothing matches and a Status once the message is there', function () {
    needsPeer(this);
    expect(world.iprobe(MPI.ANY_SOURCE, 32)).to.equal(null); // no rank ever sends tag 32
    world.send(new Int16Array([world.rank]), next, 31);
    let status = null;
    const deadline = Date.now() + 10000;
    while (status === null && Date.now() < deadline) status = world.iprobe(prev, 31);
    expect(status).to.be.an.instanceOf(MPI.Status);
    expect(status.source).to.equal(prev);
    expect(status.bytes).to.equal(2);
    world.recv(new Int16Array(1), prev, 31);
  });

  it('moves a 64 MiB Float64Array (rendezvous protocol) intact', () => {
    const n = 8 * 1024 * 1024;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i += 4099) out[i] = i + world.rank;
    const into = new Float64Array(n);
    world.sendrecv(out, next, into, prev);
    for (let i = 0; i < n; i += 4099) expect(into[i]).to.equal(i + prev);
    expect(into[1]).to.equal(0);
  });

  it('throws MpiError MPI_ERR_TRUNCATE for a message longer than the buffer, and goes on working', function () {
    needsPeer(this);
    world.send(new Int32Array([1, 2, 3, 4]), next, 40);
    let error = null;
    try {
      world.recv(new Int32Array(2), prev, 40);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.an.instanceOf(MPI.MpiError);
    expect(error).to.be.an.instanceOf(Error);
    expect(error.code).to.equal('MPI_ERR_TRUNCATE');
    expect(error.errorClass).to.be.a('number');
    expect(error.message).to.match(/trunc/i);
    // The same rank still exchanges messages afterwards.
    const into = new Int32Array(1);
    world.sendrecv(new Int32Array([world.rank]), next, into, prev, 41, 41);
    expect(into[0]).to.equal(prev);
  });

  // A message a rank sends itself into a shorter posted receive: the send completes and the receive fails with
  // MPI_ERR_TRUNCATE, as MPI says and MPICH does. Open MPI 4.1's self transport instead truncates such a message
  // silently, or from ~1 KiB writes past the receive's buffer (a heap overflow that crashed the process), so there
  // mpi4js cuts the message to what the receive holds and fails that receive itself; it refuses the send outright
  // only where it cannot be sure which receive the message would go into (ANY_SOURCE, more than one rank).
  describe('a message to oneself longer than the receive posted for it', () => {
    const me = world.rank;
    const refusesAnySource = MPI.implementation === 'openmpi' && world.size > 1;

    // The error that `action` throws or its promise rejects with, else null.
    async function failure(action) {
      try {
        await action();
      } catch (error) {
        return error;
      }
      return null;
    }

    // Runs `send`, whose message the pending `receive` would take, and checks the outcome.
    async function expectTruncation(send, receive, bytes, capacity, refused = false) {
      const sendError = await failure(send);
      if (refused) {
        expect(sendError).to.be.an.instanceOf(MPI.MpiError);
        expect(sendError.code).to.equal('MPI_ERR_TRUNCATE');
        expect(sendError.message).to.include(`message of ${bytes} bytes to itself would go into a receive of ` +
          `${capacity} bytes from ANY_SOURCE, so nothing was sent`);
        expect(receive.done).to.equal(false); // nothing arrived: it waits as before, and can be cancelled
        receive.cancel();
      } else {
        expect(sendError).to.equal(null);
      }
      const receiveError = await failure(() => receive);
      expect(receiveError).to.be.an.instanceOf(MPI.MpiError);
      expect(receiveError.code).to.equal(refused ? 'MPI_ERR_REQUEST' : 'MPI_ERR_TRUNCATE'); // cancelled, or truncated
    }

    for (const bytes of [8, 4096, 256 * 1024]) {
      it(`completes isend, send or sendrecv of ${bytes} bytes into a 2-byte receive and fails the receive with ` +
        'MPI_ERR_TRUNCATE, never a crash or a silent truncation', async () => {
        const exact = world.irecv(new Uint8Array(2), me, 60);
        await expectTruncation(() => world.isend(new Uint8Array(bytes), me, 60), exact, bytes, 2);
        // Wildcards, each with the other field fixed: no peer sends these tags, nor sends from this rank.
        const anySource = world.irecv(new Uint16Array(1), MPI.ANY_SOURCE, 61);
        await expectTruncation(() => world.send(new Uint8Array(bytes), me, 61), anySource, bytes, 2,
          refusesAnySource);
        const anyTag = world.irecv(new Uint8Array(3), me, MPI.ANY_TAG);
        await expectTruncation(() => world.isend(new Uint8Array(bytes), me, 66), anyTag, bytes, 3);
        const error = await failure(() => world.sendrecv(new Uint8Array(bytes), me, new Uint8Array(2), me, 62, 62));
        expect(error).to.be.an.instanceOf(MPI.MpiError);
        expect(error.code).to.equal('MPI_ERR_TRUNCATE');
        // The rank goes on: a message that fits still arrives whole, and the peers still exchange.
        const into = new Float64Array(bytes / 8);
        const fits = world.irecv(into, me, 63);
        world.send(Float64Array.from(into, (_, i) => i + me), me, 63);
        expect((await fits).bytes).to.equal(bytes);
        expect(into[into.length - 1]).to.equal(into.length - 1 + me);
        const fromPrev = new Int32Array(1);
        world.sendrecv(Int32Array.of(me), next, fromPrev, prev, 64, 64);
        expect(fromPrev[0]).to.equal(prev);
      });
    }

    it('leaves an ANY_SOURCE receive that refused a message waiting for the next one, and judges that one again',
      async () => {
        const into = new Uint8Array(4);
        const receive = world.irecv(into, MPI.ANY_SOURCE, 67);
        for (const attempt of [1, 2]) {
          const error = await failure(() => world.send(new Uint8Array(64 * 1024).fill(attempt), me, 67));
          if (!refusesAnySource) {
            expect(error).to.equal(null);
            break;
          }
          expect(error?.code, `attempt ${attempt}`).to.equal('MPI_ERR_TRUNCATE');
          expect(receive.done).to.equal(false);
        }
        if (refusesAnySource) {
          world.send(Uint8Array.of(1, 2, 3, 4), me, 67);
          expect((await receive).bytes).to.equal(4);
          expect(Array.from(into)).to.deep.equal([1, 2, 3, 4]);
        } else {
          expect((await failure(() => receive))?.code).to.equal('MPI_ERR_TRUNCATE');
        }
      });

    it('lets the message go to the next receive when the oldest matching one has taken another message', async () => {
      const small = new Uint8Array(2);
      const first = world.irecv(small, me, 65);
      world.send(Uint8Array.of(7, 8), me, 65); // `first` takes it inside MPI; no poll has seen that yet
      const large = new Uint8Array(4096);
      const second = world.irecv(large, me, 65);
      world.send(new Uint8Array(4096).fill(9), me, 65); // for `second`, which holds it
      expect(Array.from(small)).to.deep.equal([7, 8]);
      expect((await first).bytes).to.equal(2);
      expect((await second).bytes).to.equal(4096);
      expect(large.every((x) => x === 9)).to.equal(true);
    });
  });

  it('accepts views over a SharedArrayBuffer', () => {
    const shared = new Int32Array(new SharedArrayBuffer(8));
    shared[0] = world.rank;
    const into = new Int32Array(new SharedArrayBuffer(8));
    world.sendrecv(shared, next, into, prev);
    expect(into[0]).to.equal(prev);
  });

  it('passes buffers by pointer: the receive writes into the very memory of the view given', () => {
    const memory = new ArrayBuffer(16);
    const view = new Uint32Array(memory, 4, 2);
    world.sendrecv(new Uint32Array([world.rank, 77]), next, view, prev);
    expect(new Uint32Array(memory)[1]).to.equal(prev);
    expect(new Uint32Array(memory)[2]).to.equal(77);
    expect(elementCount(view)).to.equal(2);
  });

  // A typed array used again and again (from its 16th use) is registered with the addon, which then reads its memory
  // from a slot instead of from the view (errors.ts, messageKind). What could go wrong: a slot outliving its view, or
  // its memory. Each test uses its views more often than that.
  describe('views used again and again', () => {
    // Through irecv + send and isend + recv: both blocking calls, and a send to oneself at size 1 on either MPI.
    async function exchange(out, into, tag) {
      const received = world.irecv(into, prev, tag);
      world.send(out, next, tag);
      await received;
      const sent = world.isend(out, next, tag + 1);
      world.recv(into, prev, tag + 1);
      await sent;
    }

    it('move the bytes the view holds at each call, for a small, a large and a sub-array view', async () => {
      const small = new Float64Array(1); // small enough for V8 to keep it on its heap until the addon reads it
      const large = new Uint8Array(3000);
      const memory = new Int32Array(64);
      const part = memory.subarray(5, 9);
      const intoSmall = new Float64Array(1);
      const intoLarge = new Uint8Array(3000);
      const intoPart = new Int32Array(64).subarray(7, 11);
      for (let i = 0; i < 40; i++) {
        small[0] = world.rank * 1000 + i + 0.5;
        large.fill((world.rank + i) % 251);
        part.set([i, world.rank, 100 - i, 7]);
        await exchange(small, intoSmall, 10);
        await exchange(large, intoLarge, 12);
        await exchange(part, intoPart, 14);
        expect(intoSmall[0]).to.equal(prev * 1000 + i + 0.5);
        expect(intoLarge.every((b) => b === (prev + i) % 251)).to.equal(true, `large view, round ${i}`);
        expect([...intoPart]).to.deep.equal([i, prev, 100 - i, 7]);
      }
      expect(memory[4]).to.equal(0);
      expect(memory[9]).to.equal(0);
    });

    it('move the bytes the views hold at each sendrecv', () => {
      const out = new Float64Array(3);
      const into = new Float64Array(5).subarray(1, 4);
      for (let i = 0; i < 40; i++) {
        out.set([world.rank, i, 0.25 * i]);
        const status = world.sendrecv(out, next, into, prev, 40, 40);
        expect([...into]).to.deep.equal([prev, i, 0.25 * i]);
        expect(status.bytes).to.equal(24);
      }
    });

    it('refuse one whose buffer was detached since, even if its byteLength property is shadowed', async () => {
      // Only blocking calls on these two: a pending request would pin their buffers, and a transfer copy them.
      const out = new Float64Array(4).fill(world.rank);
      const into = new Float64Array(4);
      for (let i = 0; i < 20; i++) {
        const received = world.irecv(new Float64Array(4), prev, 20);
        world.send(out, next, 20);
        await received;
        const sent = world.isend(new Float64Array(4).fill(i), next, 21);
        world.recv(into, prev, 21);
        await sent;
        expect([...into]).to.deep.equal([i, i, i, i]);
        world.sendrecv(out, next, into, prev, 23, 23);
        expect([...into]).to.deep.equal([prev, prev, prev, prev]);
      }
      for (const view of [out, into]) {
        Object.defineProperty(view, 'byteLength', { value: 32 });
        structuredClone(view.buffer, { transfer: [view.buffer] });
        expect(() => world.send(view, next, 22)).to.throw(TypeError, /^buf is detached/);
        expect(() => world.recv(view, prev, 22)).to.throw(TypeError, /^buf is detached/);
        expect(() => world.isend(view, next, 22)).to.throw(TypeError, /^buf is detached/);
        expect(() => world.irecv(view, prev, 22)).to.throw(TypeError, /^buf is detached/);
        expect(() => world.sendrecv(view, next, new Float64Array(4), prev, 22, 22))
          .to.throw(TypeError, /^sendbuf is detached/);
        expect(() => world.sendrecv(new Float64Array(4), next, view, prev, 22, 22))
          .to.throw(TypeError, /^recvbuf is detached/);
      }
      await exchange(new Float64Array(4), new Float64Array(4), 24); // the rank goes on working
    });

    it('give the slots of collected views to new views without mixing up their memory', async () => {
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc');
      for (let round = 0; round < 3; round++) {
        const views = Array.from({ length: 24 }, (_, k) => new Uint16Array(3).fill(world.rank * 200 + k + round));
        const into = new Uint16Array(3);
        for (let k = 0; k < views.length; k++) {
          for (let use = 0; use < 20; use += 2) await exchange(views[k], into, 30); // a send and an isend each
          expect([...into]).to.deep.equal(Array(3).fill(prev * 200 + k + round), `round ${round}, view ${k}`);
        }
        views.length = 0;
        gc();
        await new Promise((resolve) => setImmediate(resolve)); // finalizers may run after the collection
      }
    });
  });
});
