// Nonblocking point-to-point and the progress engine: awaitable requests on buffers and values, many in flight,
// completion order, waitAll/waitAny, test/cancel/done, errors, buffer pinning, and the event loop staying alive and
// cheap while requests wait. Every rank runs every test, at any world size (a 1-rank world talks to itself).
import { expect } from 'chai';
import { BUFFER_CLASSES, MPI, fill, needsPeer, next, pattern, prev, toNumbers, world } from '../support.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` with Node's unhandled-rejection listeners replaced by one that records what it sees. */
async function recordingUnhandled(fn) {
  const saved = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  const seen = [];
  const record = (reason) => seen.push(reason);
  process.on('unhandledRejection', record);
  try {
    await fn();
    await sleep(20); // Node reports unhandled rejections after the microtask queue drains
  } finally {
    process.removeListener('unhandledRejection', record);
    for (const listener of saved) process.on('unhandledRejection', listener);
  }
  return seen;
}

describe('requests: nonblocking point-to-point', () => {
  for (const cls of BUFFER_CLASSES) {
    it(`moves a ${cls.name} around the ring with await isend / await irecv`, async () => {
      const n = 9;
      const into = cls.make(n + 2);
      const incoming = world.irecv(into, prev, 21);
      const outgoing = world.isend(fill(cls.make(n), world.rank), next, 21);
      const [received, sent] = await Promise.all([incoming, outgoing]);
      expect(toNumbers(into).slice(0, n)).to.deep.equal(pattern(prev, n));
      expect(toNumbers(into).slice(n)).to.deep.equal([0, 0]);
      expect(received).to.be.instanceOf(MPI.Status);
      expect(received.source).to.equal(prev);
      expect(received.tag).to.equal(21);
      expect(received.bytes).to.equal(n * cls.bytesPerElement);
      expect(received.cancelled).to.equal(false);
      // MPI leaves a send's status undefined; mpi4js describes the message sent.
      expect(sent).to.be.instanceOf(MPI.Status);
      expect(sent.source).to.equal(world.rank);
      expect(sent.tag).to.equal(21);
      expect(sent.bytes).to.equal(n * cls.bytesPerElement);
    });
  }

  it('receives with ANY_SOURCE and ANY_TAG and reports who sent what', async () => {
    const into = new Int32Array(1);
    const incoming = world.irecv(into, MPI.ANY_SOURCE, MPI.ANY_TAG);
    await world.isend(Int32Array.of(world.rank * 3), next, 100 + world.rank);
    const status = await incoming;
    expect(status.source).to.equal(prev);
    expect(status.tag).to.equal(100 + prev);
    expect(into[0]).to.equal(prev * 3);
  });

  it('completes sends to and receives from PROC_NULL at once', async () => {
    const send = world.isend(new Float64Array(4), MPI.PROC_NULL, 1);
    const recv = world.irecv(new Float64Array(4), MPI.PROC_NULL, 1);
    expect(send.done).to.equal(true);
    expect(recv.done).to.equal(true);
    const status = await recv;
    expect(status.source).to.equal(MPI.PROC_NULL);
    expect(status.bytes).to.equal(0);
    await send;
  });

  it('moves large buffers (rendezvous protocol) in both directions at once', async () => {
    const n = 1 << 20;
    const out = Float64Array.from({ length: n }, (_, i) => world.rank * n + i);
    const into = new Float64Array(n);
    await MPI.waitAll([world.irecv(into, prev, 22), world.isend(out, next, 22)]);
    expect(into[0]).to.equal(prev * n);
    expect(into[n - 1]).to.equal(prev * n + n - 1);
  });

  it('keeps thousands of requests in flight and completes them all', async () => {
    const count = 2000;
    const into = Array.from({ length: count }, () => new Int32Array(2));
    const receives = into.map((buf, i) => world.irecv(buf, prev, i));
    // Sent in the reverse order of the receives: each receive waits for a message sent late.
    const sends = [];
    for (let i = count - 1; i >= 0; i--) sends.push(world.isend(Int32Array.of(world.rank, i), next, i));
    const statuses = await MPI.waitAll(receives);
    await MPI.waitAll(sends);
    expect(statuses).to.have.length(count);
    statuses.forEach((status, i) => {
      expect(status.tag).to.equal(i);
      expect(Array.from(into[i])).to.deep.equal([prev, i]);
    });
  });

  it('keeps hundreds of value receives in flight, matched in the order posted', async () => {
    const count = 300;
    const receives = Array.from({ length: count }, () => world.irecvObject(prev, 23));
    const sends = Array.from({ length: count }, (_, i) => world.isendObject({ from: world.rank, i }, next, 23));
    const values = await MPI.waitAll(receives);
    await MPI.waitAll(sends);
    expect(values).to.deep.equal(Array.from({ length: count }, (_, i) => ({ from: prev, i })));
  });

  it('completes requests out of order, each as its message arrives', async () => {
    const tags = [0, 1, 2, 3, 4];
    const order = [];
    const receives = tags.map((tag) => world.irecvObject(prev, 30 + tag).then((value) => {
      order.push(value);
      return world.isendObject('received', prev, 39);
    }));
    // Sent in reverse tag order, each once the previous one has been received: each arrives on its own.
    for (const tag of [...tags].reverse()) {
      await world.isendObject(tag, next, 30 + tag);
      await world.irecvObject(next, 39);
    }
    await Promise.all(receives);
    expect(order).to.deep.equal([4, 3, 2, 1, 0]);
  });

  it('waitAny gives the request that completed, in the order the peer chose, until none is left', async () => {
    const sendOrder = [2, 0, 3, 1];
    const receives = [0, 1, 2, 3].map((i) => world.irecvObject(prev, 40 + i));
    // The sender sends the next message only once the receiver has reported the previous one: the order of
    // completion is then certain, whatever the timing.
    const sender = (async () => {
      for (const i of sendOrder) {
        await world.isendObject(`message ${i}`, next, 40 + i);
        await world.irecvObject(next, 49);
      }
    })();
    const seen = [];
    let pending = receives;
    while (pending.length > 0) {
      const { index, value } = await MPI.waitAny(pending);
      seen.push(value);
      pending = pending.filter((_, i) => i !== index);
      await world.isendObject('next please', prev, 49);
    }
    await sender;
    expect(seen).to.deep.equal(sendOrder.map((i) => `message ${i}`));
  });

  it('waitAny prefers the lowest index among requests already complete, and gives UNDEFINED for none', async () => {
    const sends = [world.isend(new Uint8Array(1), MPI.PROC_NULL), world.isend(new Uint8Array(1), MPI.PROC_NULL)];
    const never = world.irecv(new Uint8Array(1), prev, 48);
    const { index, value } = await MPI.waitAny([never, sends[1], sends[0]]);
    expect(index).to.equal(1);
    expect(value).to.be.instanceOf(MPI.Status);
    never.cancel();
    await never.catch(() => undefined);
    expect(await MPI.waitAny([])).to.deep.equal({ index: MPI.UNDEFINED, value: undefined });
  });

  it('waitAll and waitAny refuse what is not an array of Requests', () => {
    expect(() => MPI.waitAll('no')).to.throw(TypeError, /reqs/);
    expect(() => MPI.waitAll([Promise.resolve(1)])).to.throw(TypeError, /reqs\[0\]/);
    expect(() => MPI.waitAny([null])).to.throw(TypeError, /reqs\[0\]/);
  });

  it('test() polls without waiting and done tells whether the request completed', async () => {
    const into = new Float64Array(1);
    const incoming = world.irecv(into, prev, 50);
    // prev sends only once told to: nothing can have arrived yet.
    expect(incoming.done).to.equal(false);
    expect(incoming.test()).to.equal(false);
    const go = world.irecvObject(next, 52);
    await MPI.waitAll([world.isendObject('go', prev, 52), go]);
    world.isend(Float64Array.of(world.rank + 0.5), next, 50);
    const deadline = Date.now() + 10000;
    while (!incoming.test() && Date.now() < deadline) await new Promise(setImmediate);
    expect(incoming.done).to.equal(true);
    expect((await incoming).source).to.equal(prev);
    expect(into[0]).to.equal(prev + 0.5);
  });

  it('receives values of any size, from a few bytes to megabytes, with irecvObject', async () => {
    for (const length of [0, 10, 100000, 3000000]) {
      const incoming = world.irecvObject(prev, 51);
      await world.isendObject({ from: world.rank, text: 'y'.repeat(length) }, next, 51);
      const value = await incoming;
      expect(value.from).to.equal(prev);
      expect(value.text.length).to.equal(length);
    }
  });

  it('receives undefined from PROC_NULL with irecvObject', async () => {
    expect(await world.irecvObject(MPI.PROC_NULL, 1)).to.equal(undefined);
  });
});

describe('requests: errors', () => {
  // Open MPI's path from a rank to itself does not report truncation: these need a peer.
  it('rejects a truncated receive with MpiError MPI_ERR_TRUNCATE', async function () {
    needsPeer(this);
    const incoming = world.irecv(new Uint8Array(2), prev, 60);
    await world.isend(new Uint8Array(10), next, 60);
    const error = await incoming.then(() => null, (e) => e);
    expect(error).to.be.instanceOf(MPI.MpiError);
    expect(error.code).to.equal('MPI_ERR_TRUNCATE');
  });

  it('rejects a cancelled receive with MpiError, and cancel() after completion changes nothing', async () => {
    const buffer = world.irecv(new Uint8Array(4), prev, 61);
    const value = world.irecvObject(prev, 62);
    buffer.cancel();
    value.cancel();
    for (const request of [buffer, value]) {
      const error = await request.then(() => null, (e) => e);
      expect(error).to.be.instanceOf(MPI.MpiError);
      expect(error.message).to.match(/cancel/);
      expect(request.done).to.equal(true);
    }
    const done = world.isend(new Uint8Array(1), MPI.PROC_NULL);
    await done;
    done.cancel();
    await done;
  });

  it('throws at once, naming the argument, for bad arguments', () => {
    expect(() => world.isend([1, 2], next)).to.throw(TypeError, /buf/);
    expect(() => world.irecv(new Uint8Array(1), world.size)).to.throw(RangeError, /source/);
    expect(() => world.isend(new Uint8Array(1), -5)).to.throw(RangeError, /dest/);
    expect(() => world.isend(new Uint8Array(1), next, -1)).to.throw(RangeError, /tag/);
    expect(() => world.irecvObject(prev, 'x')).to.throw(TypeError, /tag/);
    expect(() => world.isendObject(() => 1, next)).to.throw(TypeError, /value/);
    const resizable = new Uint8Array(new ArrayBuffer(8, { maxByteLength: 16 }));
    expect(() => world.irecv(resizable, prev)).to.throw(TypeError, /resizable/);
    const gone = new Uint8Array(8);
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    expect(() => world.isend(gone, next)).to.throw(TypeError, /detached/);
  });

  it('reports a failed request that nobody awaits as an unhandled rejection, and an awaited one only once',
    async function () {
    needsPeer(this);
    let awaited = null;
    const seen = await recordingUnhandled(async () => {
      world.irecv(new Uint8Array(1), prev, 63); // never awaited
      const caught = world.irecv(new Uint8Array(1), prev, 64);
      world.isend(new Uint8Array(8), next, 63);
      world.isend(new Uint8Array(8), next, 64);
      awaited = await caught.then(() => null, (e) => e);
      await sleep(50);
    });
    expect(awaited).to.be.instanceOf(MPI.MpiError);
    expect(seen).to.have.length(1);
    expect(seen[0]).to.be.instanceOf(MPI.MpiError);
    expect(seen[0].code).to.equal('MPI_ERR_TRUNCATE');
    expect(seen[0]).to.not.equal(awaited);
  });
});

describe('requests: waitAll', () => {
  it('gives the values in order, the same request twice included, and [] for no requests', async function () {
    needsPeer(this);
    expect(await MPI.waitAll([])).to.deep.equal([]);
    const into = new Int32Array(2);
    const receive = world.irecv(into, prev, 80);
    const value = world.irecvObject(prev, 81);
    const sends = [world.isend(Int32Array.of(world.rank, 7), next, 80), world.isendObject({ from: world.rank }, next, 81)];
    const [status, again, got] = await MPI.waitAll([receive, receive, value]);
    expect(status).to.be.instanceOf(MPI.Status);
    expect(status.source).to.equal(prev);
    expect(again).to.equal(status);
    expect(got).to.deep.equal({ from: prev });
    expect(Array.from(into)).to.deep.equal([prev, 7]);
    await MPI.waitAll(sends);
  });

  it('tells every waiter of a request: waitAll and two waitAny on the same requests, one given twice', async () => {
    const into = [new Int32Array(1), new Int32Array(1)];
    const a = world.irecv(into[0], prev, 61);
    const b = world.irecv(into[1], prev, 62);
    const all = MPI.waitAll([a, b, a]);
    const any = MPI.waitAny([b, b, a]);
    const anyAgain = MPI.waitAny([a, b]);
    await world.isend(Int32Array.of(world.rank + 20), next, 62); // b's message first
    const first = await any;
    expect(first.index).to.equal(0);
    expect(first.value.tag).to.equal(62);
    expect((await anyAgain).index).to.equal(1);
    expect(a.done).to.equal(false);
    world.barrier(); // only then does any rank send the message of a
    await world.isend(Int32Array.of(world.rank + 10), next, 61);
    const statuses = await all;
    expect(statuses.map((status) => status.tag)).to.deep.equal([61, 62, 61]);
    expect(statuses[0]).to.equal(statuses[2]);
    expect([into[0][0], into[1][0]]).to.deep.equal([prev + 10, prev + 20]);
  });

  it('runs then() callbacks as a promise would: later, in order, passing on their results and throws', async () => {
    const into = new Int32Array(1);
    const request = world.irecv(into, prev, 63);
    const order = [];
    const doubled = request.then((status) => { order.push('first'); return status.tag * 2; });
    const thrown = request.then(() => { order.push('second'); throw new RangeError('from a callback'); });
    const passed = request.then();
    const unused = request.then(undefined, () => 'not called');
    expect(order).to.deep.equal([]);
    await world.isend(Int32Array.of(5), next, 63);
    expect(await doubled).to.equal(126);
    expect(order).to.deep.equal(['first', 'second']);
    const failure = await thrown.then(() => null, (error) => error);
    expect(failure).to.be.instanceOf(RangeError);
    expect((await passed).tag).to.equal(63);
    expect((await unused).tag).to.equal(63);
    // A value receive that cancel() drops at once: its callbacks run after cancel() has returned, never inside it.
    const dropped = world.irecvObject(prev, 64);
    let ran = false;
    const code = dropped.then(() => 'completed', (error) => { ran = true; return error.code; });
    dropped.cancel();
    expect(ran).to.equal(false);
    expect(await code).to.equal('MPI_ERR_REQUEST');
    // The same from inside a callback run by the poll: the other request's callbacks wait for this one to return.
    const other = world.irecvObject(prev, 65);
    const trace = [];
    const otherDone = other.then(() => trace.push('other fulfilled'), () => trace.push('other rejected'));
    const trigger = world.irecv(new Int32Array(1), prev, 66);
    const triggered = trigger.then(() => {
      other.cancel();
      trace.push('trigger callback returns');
    });
    await world.isend(Int32Array.of(1), next, 66);
    await triggered;
    await otherDone;
    expect(trace).to.deep.equal(['trigger callback returns', 'other rejected']);
  });

  it('rejects with the first failure, and leaves no other failure unhandled', async function () {
    needsPeer(this);
    let rejected = null;
    const seen = await recordingUnhandled(async () => {
      const ok = world.irecv(new Uint8Array(8), prev, 82);
      const short = [world.irecv(new Uint8Array(1), prev, 83), world.irecv(new Uint8Array(1), prev, 84)];
      const sends = [82, 83, 84].map((tag) => world.isend(new Uint8Array(8), next, tag));
      rejected = await MPI.waitAll([ok, ...short]).then(() => null, (e) => e);
      await MPI.waitAll([ok, ...sends]);
      await sleep(50);
    });
    expect(rejected).to.be.instanceOf(MPI.MpiError);
    expect(rejected.code).to.equal('MPI_ERR_TRUNCATE');
    expect(seen).to.deep.equal([]);
  });
});

describe('requests: buffers of pending requests', () => {
  it('pins a pending buffer: a transfer copies it instead of detaching it from under MPI', async () => {
    const into = new Float64Array(3);
    const incoming = world.irecv(into, prev, 70);
    // prev sends only once told to: the receive is pending here.
    expect(incoming.done).to.equal(false);
    const copy = structuredClone(into.buffer, { transfer: [into.buffer] });
    const go = world.irecvObject(next, 71);
    await MPI.waitAll([world.isendObject('go', prev, 71), go]);
    expect(into.byteLength).to.equal(24); // still attached: MPI still writes here
    expect(copy.byteLength).to.equal(24);
    await world.isend(Float64Array.of(1, 2, world.rank), next, 70);
    await incoming;
    expect(Array.from(into)).to.deep.equal([1, 2, prev]);
  });
});

describe('requests: the event loop while requests wait', () => {
  it('keeps a timer ticking during a 300 ms pending receive', async () => {
    world.barrier(); // so that prev's 300 ms start about when this rank's do
    let ticks = 0;
    const ticker = setInterval(() => { ticks++; }, 10);
    const t0 = Date.now();
    const incoming = world.irecvObject(prev, 80);
    setTimeout(() => world.isendObject('late', next, 80), 300);
    try {
      expect(await incoming).to.equal('late');
    } finally {
      clearInterval(ticker);
    }
    const elapsed = Date.now() - t0;
    expect(elapsed).to.be.at.least(250);
    expect(ticks).to.be.at.least(10);
  });

  it('uses less than a quarter of a core while a receive waits 2 s', async function () {
    this.timeout(20000);
    const incoming = world.irecvObject(prev, 81);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    setTimeout(() => world.isendObject('after 2 s', next, 81), 2000);
    expect(await incoming).to.equal('after 2 s');
    const wallMicros = Number(process.hrtime.bigint() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const share = (cpu.user + cpu.system) / wallMicros;
    expect(share, `CPU used while waiting: ${(share * 100).toFixed(1)}% of a core`).to.be.below(0.25);
  });

  it('runs with each progress policy, and refuses an unknown one', async () => {
    try {
      for (const policy of ['busy', 'lazy', 'adaptive']) {
        MPI.setProgressPolicy(policy);
        const incoming = world.irecvObject(prev, 82);
        await world.isendObject(policy, next, 82);
        expect(await incoming).to.equal(policy);
      }
    } finally {
      MPI.setProgressPolicy('adaptive');
    }
    expect(() => MPI.setProgressPolicy('eager')).to.throw(TypeError, /policy/);
  });
});
