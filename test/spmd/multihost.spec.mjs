// What changes when the ranks of a job are on several hosts: messages of every size class cross a network
// transport, collectives mix on-host and cross-host steps, `splitShared` and `processorName` mean something.
// ci/multihost.sh runs this file across simulated hosts; like every spec it also passes on one host at any size.
//
// Pairwise tests pair rank r with r + size/2, which is on the other host when the launcher places ranks host by host
// (both MPIs do by default, and ci/multihost.sh starts the same number of ranks on each host).
//
// Host-specific assertions follow the environment that ci/multihost.sh sets (absent, the job is on one host):
//   MPI4JS_TEST_HOSTS=H                 the job spans H hosts with the same number of ranks on each
//   MPI4JS_TEST_HOSTNAMES=name1,name2   their names, in the order the ranks were placed
import { expect } from 'chai';
import { MPI, world } from '../support.mjs';

const hosts = Number(process.env.MPI4JS_TEST_HOSTS || 1);
const hostNames = process.env.MPI4JS_TEST_HOSTNAMES ? process.env.MPI4JS_TEST_HOSTNAMES.split(',') : null;
const { rank, size } = world;

/** The rank paired with `r` (half the world away), or null for the odd one out. */
function across(r) {
  const paired = size - (size % 2);
  return r < paired ? (r + paired / 2) % paired : null;
}
const partner = across(rank);

// A byte pattern whose period (a prime) is not a power of two, so a block landing at a wrong offset shows.
const PERIOD = 4093;
function patternBytes(bytes, seed) {
  const period = Buffer.alloc(Math.min(bytes, PERIOD));
  for (let i = 0; i < period.length; i++) period[i] = (i * 7 + seed * 13 + 1) & 0xff;
  return bytes <= PERIOD ? period : Buffer.alloc(bytes, period);
}
const sameBytes = (view, expected) => Buffer.from(view.buffer, view.byteOffset, view.byteLength).equals(expected);

/** Every rank's `value`, by rank in `comm`, through point-to-point only (so these tests do not need collectives). */
function exchangeAll(comm, value) {
  const all = new Array(comm.size);
  all[comm.rank] = value;
  for (let step = 1; step < comm.size; step++) {
    const to = (comm.rank + step) % comm.size;
    const from = (comm.rank - step + comm.size) % comm.size;
    all[from] = comm.sendrecvObject(value, to, from, 700 + step, 700 + step);
  }
  return all;
}

// Sizes on both sides of the transports' protocol switches: Open MPI's TCP transport sends up to 64 KiB (header
// included) eagerly and larger messages by rendezvous in 128 KiB fragments, its shared memory switches at 4 KiB;
// UCX (MPICH's transport) has thresholds of its own in the same range. 64 MiB is far past every pipeline depth.
const SIZE_CLASSES = [
  ['8 B', 8], ['1 KiB', 1024], ['12 KiB', 12 * 1024], ['60 KiB', 60 * 1024], ['64 KiB', 64 * 1024],
  ['256 KiB', 256 * 1024], ['1 MiB', 1 << 20], ['8 MiB', 8 << 20], ['64 MiB', 64 << 20],
];

describe('across hosts: point-to-point of every size class', () => {
  SIZE_CLASSES.forEach(([label, bytes], k) => {
    it(`sends ${label} to the paired rank and back with send/recv`, function () {
      this.timeout(60000); // 64 MiB each way over TCP on an oversubscribed machine takes seconds
      if (partner === null) return;
      const mine = patternBytes(bytes, rank * 10 + k);
      const into = new Uint8Array(bytes);
      // The lower rank sends first: large messages go by rendezvous, so both sending first would deadlock.
      let status;
      if (rank < partner) {
        world.send(mine, partner, 40 + k);
        status = world.recv(into, partner, 40 + k);
      } else {
        status = world.recv(into, partner, 40 + k);
        world.send(mine, partner, 40 + k);
      }
      expect(status.source).to.equal(partner);
      expect(status.tag).to.equal(40 + k);
      expect(status.bytes).to.equal(bytes);
      expect(sameBytes(into, patternBytes(bytes, partner * 10 + k))).to.equal(true);
    });
  });

  it('exchanges 1 MiB of Float64Array with every other rank by sendrecv, the datatype following the class', () => {
    const n = (1 << 20) / 8;
    for (let step = 1; step < size; step++) {
      const to = (rank + step) % size;
      const from = (rank - step + size) % size;
      const out = new Float64Array(n).map((_, i) => i * 0.5 + rank * 1e6 + step);
      const into = new Float64Array(n);
      const status = world.sendrecv(out, to, into, from, step, step);
      expect(status.source).to.equal(from);
      expect(status.count(Float64Array)).to.equal(n);
      expect([into[0], into[1], into[n - 1]]).to.deep.equal([from * 1e6 + step, 0.5 + from * 1e6 + step,
        (n - 1) * 0.5 + from * 1e6 + step]);
    }
  });

  it('receives from ANY_SOURCE what every other rank sends, telling the senders apart by status', () => {
    const bytes = 200 * 1024;
    if (rank === 0) {
      const seen = new Set();
      for (let i = 1; i < size; i++) {
        const status = world.probe(MPI.ANY_SOURCE, 50);
        const into = new Uint8Array(status.bytes);
        world.recv(into, status.source, 50);
        expect(status.bytes).to.equal(bytes + status.source);
        expect(sameBytes(into, patternBytes(bytes + status.source, status.source))).to.equal(true);
        seen.add(status.source);
      }
      expect(seen.size).to.equal(size - 1);
    } else {
      world.ssend(patternBytes(bytes + rank, rank), 0, 50);
    }
  });
});

describe('across hosts: values', () => {
  it('sends a structured value to the paired rank and back', () => {
    if (partner === null) return;
    const valueOf = (r) => ({ from: r, text: `rank ${r} ✓`, map: new Map([[r, [r, `${r}`]]]), big: 3n ** 50n + BigInt(r),
      floats: new Float64Array([r, -r, 0.125]), when: new Date(1.7e12 + r) });
    let got;
    if (rank < partner) {
      world.sendObject(valueOf(rank), partner, 60);
      got = world.recvObject(partner, 60);
    } else {
      got = world.recvObject(partner, 60);
      world.sendObject(valueOf(rank), partner, 60);
    }
    expect(got).to.deep.equal(valueOf(partner));
  });

  it('moves a 24 MiB value (rendezvous over the network) with sendrecvObject', () => {
    if (partner === null) return;
    const valueOf = (r) => ({ r, floats: new Float64Array(3 << 20).fill(r + 0.5), text: 'x'.repeat(1000) + r });
    const got = world.sendrecvObject(valueOf(rank), partner, partner, 61, 61);
    expect(got.r).to.equal(partner);
    expect(got.floats.length).to.equal(3 << 20);
    expect(got.floats[0]).to.equal(partner + 0.5);
    expect(got.floats[(3 << 20) - 1]).to.equal(partner + 0.5);
    expect(got.text).to.equal('x'.repeat(1000) + partner);
  });

  it('receives values from ANY_SOURCE without mixing one message\'s size with another\'s payload', () => {
    if (rank === 0) {
      const got = new Map();
      for (let i = 1; i < size; i++) {
        const status = new MPI.Status();
        const v = world.recvObject(MPI.ANY_SOURCE, 62, status);
        expect(v.rank).to.equal(status.source);
        expect(v.pad.length).to.equal(1000 * v.rank * v.rank);
        got.set(v.rank, v);
      }
      expect([...got.keys()].sort()).to.deep.equal(Array.from({ length: size - 1 }, (_, i) => i + 1));
    } else {
      // Sizes differ by sender: small ones eager, large ones rendezvous, all racing to rank 0.
      world.sendObject({ rank, pad: 'y'.repeat(1000 * rank * rank) }, 0, 62);
    }
  });
});

describe('across hosts: splitShared and processorName', () => {
  it('names the host each rank runs on', () => {
    const name = MPI.processorName();
    expect(name).to.be.a('string').and.not.equal('');
    const names = exchangeAll(world, name);
    const distinct = [...new Set(names)];
    if (hosts === 1) {
      expect(distinct).to.deep.equal([name]);
    } else {
      expect(distinct.length).to.equal(Math.min(hosts, size));
      if (hostNames) {
        const perHost = size / hosts;
        expect(names).to.deep.equal(names.map((_, r) => hostNames[Math.floor(r / perHost)]));
      }
    }
  });

  it('gives one communicator per host, holding exactly the ranks with that processor name', () => {
    const node = world.splitShared();
    try {
      const names = exchangeAll(world, MPI.processorName());
      const onThisHost = names.map((n, r) => (n === names[rank] ? r : -1)).filter((r) => r >= 0);
      expect(node.size).to.equal(onThisHost.length);
      expect(node.size).to.equal(hosts === 1 ? size : size / hosts);
      // Ranks keep their relative order (the key is the world rank).
      expect(exchangeAll(node, rank)).to.deep.equal(onThisHost);
      expect(node.rank).to.equal(onThisHost.indexOf(rank));
      expect(node.compare(world)).to.equal(node.size === size ? 'congruent' : 'unequal');
    } finally {
      node.free();
    }
  });

  it('runs point-to-point inside a host communicator while other hosts do the same', () => {
    const node = world.splitShared();
    try {
      const to = (node.rank + 1) % node.size;
      const from = (node.rank - 1 + node.size) % node.size;
      const into = new Int32Array(3);
      node.sendrecv(new Int32Array([rank, node.rank, node.size]), to, into, from, 5, 5);
      const worldOf = exchangeAll(node, rank);
      expect(Array.from(into)).to.deep.equal([worldOf[from], from, node.size]);
    } finally {
      node.free();
    }
  });
});

// ---- Collectives: each checked against what the ranks' inputs say, computed here without the library ----------

const ranks = Array.from({ length: size }, (_, r) => r);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const input = (r, n, seed = 0) => Float64Array.from({ length: n }, (_, i) => ((r + 1) * 1000 + i * 3 + seed) % 9973);

describe('across hosts: collectives on buffers', () => {
  it('barrier', () => {
    world.barrier();
  });

  it('bcast of 4 MiB from every root', () => {
    for (const root of ranks) {
      const buf = rank === root ? patternBytes(4 << 20, root) : Buffer.alloc(4 << 20);
      expect(world.bcast(buf, root)).to.equal(buf);
      expect(sameBytes(buf, patternBytes(4 << 20, root))).to.equal(true);
    }
  });

  it('reduce and allreduce of 1 MiB with SUM, MAX and a user Op', () => {
    const n = (1 << 20) / 8;
    const mine = input(rank, n);
    const all = ranks.map((r) => input(r, n));
    const expectedSum = (i) => sum(all.map((a) => a[i]));
    const root = size - 1;
    const reduced = world.reduce(mine, MPI.SUM, root);
    if (rank === root) {
      expect([reduced[0], reduced[n - 1]]).to.deep.equal([expectedSum(0), expectedSum(n - 1)]);
    } else {
      expect(reduced).to.equal(null);
    }
    const max = world.allreduce(mine, MPI.MAX);
    expect(max[7]).to.equal(Math.max(...all.map((a) => a[7])));
    // A user Op (run in JS on each rank's partial results): keep the value of largest magnitude.
    const maxMagnitude = MPI.Op.create((invec, inoutvec) => {
      for (let i = 0; i < invec.length; i++) if (Math.abs(invec[i]) > Math.abs(inoutvec[i])) inoutvec[i] = invec[i];
    });
    const signed = (r) => (r % 2 ? -1 : 1) * (r + 1) * 1.5;
    const out = world.allreduce(Float64Array.of(signed(rank), -signed(rank)), maxMagnitude);
    expect(Array.from(out)).to.deep.equal([signed(size - 1), -signed(size - 1)]);
  });

  it('allreduce in place over Int32Array', () => {
    const buf = Int32Array.from({ length: 1000 }, (_, i) => i * (rank + 1));
    const got = world.allreduce(buf, MPI.SUM, buf);
    expect(got).to.equal(buf);
    expect(buf[999]).to.equal(999 * sum(ranks.map((r) => r + 1)));
  });

  it('scan and exscan', () => {
    const mine = Int32Array.of(rank + 1, 2 * rank);
    const scanned = world.scan(mine, MPI.SUM);
    expect(Array.from(scanned)).to.deep.equal([sum(ranks.slice(0, rank + 1).map((r) => r + 1)),
      sum(ranks.slice(0, rank + 1).map((r) => 2 * r))]);
    const ex = world.exscan(mine, MPI.SUM);
    if (rank > 0) {
      expect(Array.from(ex)).to.deep.equal([sum(ranks.slice(0, rank).map((r) => r + 1)),
        sum(ranks.slice(0, rank).map((r) => 2 * r))]);
    }
  });

  it('reduceScatterBlock', () => {
    const block = 5000;
    const mine = input(rank, block * size, 1);
    const got = world.reduceScatterBlock(mine, MPI.SUM);
    expect(got.length).to.equal(block);
    const all = ranks.map((r) => input(r, block * size, 1));
    expect(got[block - 1]).to.equal(sum(all.map((a) => a[rank * block + block - 1])));
  });

  it('gather and allgather of 512 KiB per rank', () => {
    const n = (512 * 1024) / 8;
    const mine = input(rank, n, 2);
    const root = size > 1 ? 1 : 0;
    const gathered = world.gather(mine, root);
    const all = world.allgather(mine);
    for (const got of rank === root ? [gathered, all] : [all]) {
      expect(got.length).to.equal(n * size);
      for (const r of ranks) expect([got[r * n], got[r * n + n - 1]]).to.deep.equal([input(r, n, 2)[0], input(r, n, 2)[n - 1]]);
    }
    if (rank !== root) expect(gathered).to.equal(null);
  });

  it('scatter and alltoall', () => {
    const n = 20000;
    const root = size - 1;
    const send = rank === root ? Float64Array.from({ length: n * size }, (_, i) => i) : null;
    const into = world.scatter(send, new Float64Array(n), root);
    expect([into[0], into[n - 1]]).to.deep.equal([rank * n, rank * n + n - 1]);
    // Block j of rank r's alltoall input holds r * 1e6 + j * 1e3 + i.
    const a2a = Float64Array.from({ length: n * size }, (_, k) => rank * 1e6 + Math.floor(k / n) * 1e3 + (k % n));
    const got = world.alltoall(a2a);
    for (const r of ranks) expect(got[r * n + 7]).to.equal(r * 1e6 + rank * 1e3 + 7);
  });

  it('gatherv, allgatherv, scatterv and alltoallv with uneven counts', () => {
    const countOf = (r) => 1000 * (r + 1) + r;
    const mine = Int32Array.from({ length: countOf(rank) }, (_, i) => rank * 100000 + i);
    const expectedAll = Int32Array.from(ranks.flatMap((r) => Array.from({ length: countOf(r) }, (_, i) => r * 100000 + i)));
    const expectedBytes = Buffer.from(expectedAll.buffer);
    const gathered = world.gatherv(mine, 0);
    if (rank === 0) expect(sameBytes(gathered, expectedBytes)).to.equal(true);
    else expect(gathered).to.equal(null);
    expect(sameBytes(world.allgatherv(mine, ranks.map(countOf)), expectedBytes)).to.equal(true);

    const counts = ranks.map(countOf);
    const scattered = world.scatterv(rank === 0 ? expectedAll : null, rank === 0 ? counts : null,
      new Int32Array(countOf(rank)), 0);
    expect(Array.from(scattered)).to.deep.equal(Array.from(mine));

    // Rank r sends (r + d + 1) elements of value r * 1000 + d to rank d.
    const sendcounts = ranks.map((d) => rank + d + 1);
    const send = Int32Array.from(ranks.flatMap((d) => new Array(rank + d + 1).fill(rank * 1000 + d)));
    const got = world.alltoallv(send, sendcounts, ranks.map((s) => s + rank + 1));
    expect(Array.from(got)).to.deep.equal(ranks.flatMap((s) => new Array(s + rank + 1).fill(s * 1000 + rank)));
  });
});

describe('across hosts: collectives on values', () => {
  it('bcastObject, gatherObject, allgatherObject, scatterObject and alltoallObject', () => {
    const root = size - 1;
    const big = { root, floats: new Float64Array(1 << 18).fill(root), names: ['a', 'b'] };
    const got = world.bcastObject(rank === root ? big : null, root);
    expect(got.floats[(1 << 18) - 1]).to.equal(root);
    expect(got.names).to.deep.equal(['a', 'b']);

    const mine = { rank, host: MPI.processorName() };
    const gathered = world.gatherObject(mine, 0);
    const everyone = world.allgatherObject(mine);
    expect(everyone.map((v) => v.rank)).to.deep.equal(ranks);
    expect(everyone).to.deep.equal(exchangeAll(world, mine));
    if (rank === 0) expect(gathered).to.deep.equal(everyone);
    else expect(gathered).to.equal(null);

    const piece = world.scatterObject(rank === 0 ? ranks.map((r) => ({ for: r, pad: 'z'.repeat(r * 5000) })) : null, 0);
    expect(piece).to.deep.equal({ for: rank, pad: 'z'.repeat(rank * 5000) });

    const swapped = world.alltoallObject(ranks.map((d) => `${rank}->${d}`));
    expect(swapped).to.deep.equal(ranks.map((s) => `${s}->${rank}`));
  });

  it('reduceObject and allreduceObject with built-in ops and a function', () => {
    expect(world.allreduceObject(rank + 1)).to.equal(sum(ranks.map((r) => r + 1)));
    expect(world.allreduceObject(BigInt(rank) ** 30n, MPI.MAX)).to.equal(BigInt(size - 1) ** 30n);
    const merged = world.reduceObject({ [rank]: MPI.processorName() }, (a, b) => ({ ...a, ...b }), 0);
    if (rank === 0) expect(Object.keys(merged).map(Number).sort((a, b) => a - b)).to.deep.equal(ranks);
    else expect(merged).to.equal(null);
  });
});

// ---- Nonblocking: requests in flight across hosts while the event loop runs ----------------------------------

describe('across hosts: nonblocking requests', () => {
  it('exchanges 16 MiB both ways at once with isend/irecv and waitAll', async () => {
    if (partner === null) return;
    const bytes = 16 << 20;
    const into = new Uint8Array(bytes);
    const recv = world.irecv(into, partner, 70);
    const send = world.isend(patternBytes(bytes, rank), partner, 70);
    const [status] = await MPI.waitAll([recv, send]);
    expect(status.source).to.equal(partner);
    expect(status.bytes).to.equal(bytes);
    expect(recv.done && send.done).to.equal(true);
    expect(sameBytes(into, patternBytes(bytes, partner))).to.equal(true);
  });

  it('posts receives from every other rank first, then sends, each of a different size class', async () => {
    const sizeFor = (from) => SIZE_CLASSES[(from + rank) % 6][1];
    const others = ranks.filter((r) => r !== rank);
    const intos = others.map((from) => new Uint8Array(sizeFor(from)));
    const recvs = others.map((from, i) => world.irecv(intos[i], from, 71));
    // What rank `to` expects from this rank is sizeFor(rank) evaluated on `to`: (rank + to) % 6.
    const sends = others.map((to) => world.isend(patternBytes(SIZE_CLASSES[(rank + to) % 6][1], rank), to, 71));
    const statuses = await MPI.waitAll(recvs);
    await MPI.waitAll(sends);
    others.forEach((from, i) => {
      expect(statuses[i].source).to.equal(from);
      expect(sameBytes(intos[i], patternBytes(sizeFor(from), from))).to.equal(true);
    });
  });

  it('completes requests one by one with waitAny and test()', async () => {
    if (partner === null) return;
    const intos = [0, 1, 2].map(() => new Float64Array(100000));
    const recvs = intos.map((b, i) => world.irecv(b, partner, 80 + i));
    const sends = [2, 0, 1].map((i) => world.isend(new Float64Array(100000).fill(rank * 10 + i), partner, 80 + i));
    const pending = [...recvs];
    const order = [];
    while (pending.length) {
      const { index, value } = await MPI.waitAny(pending);
      order.push(value.tag - 80);
      pending.splice(index, 1);
    }
    expect(order.slice().sort()).to.deep.equal([0, 1, 2]);
    intos.forEach((b, i) => expect([b[0], b[99999]]).to.deep.equal([partner * 10 + i, partner * 10 + i]));
    for (const s of sends) {
      while (!s.test()) await new Promise((resolve) => setImmediate(resolve));
      expect(s.done).to.equal(true);
    }
  });

  it('isendObject and irecvObject of a large value', async () => {
    if (partner === null) return;
    const valueOf = (r) => ({ r, list: Array.from({ length: 50000 }, (_, i) => `${r}:${i}`) });
    const incoming = world.irecvObject(partner, 90);
    const outgoing = world.isendObject(valueOf(rank), partner, 90);
    const [got] = await Promise.all([incoming, outgoing]);
    expect(got).to.deep.equal(valueOf(partner));
  });

  it('nonblocking collectives: ibarrier, ibcast, ireduce, iallreduce, igather, iallgather, iscatter, ialltoall', async () => {
    const n = 50000;
    const root = size - 1;
    await world.ibarrier();
    const b = rank === root ? patternBytes(1 << 20, 3) : Buffer.alloc(1 << 20);
    const [bcasted, reduced, allreduced, gathered, allgathered, scattered, a2a] = await Promise.all([
      world.ibcast(b, root),
      world.ireduce(Float64Array.of(rank, 1), MPI.SUM, root),
      world.iallreduce(Int32Array.from({ length: n }, (_, i) => i + rank), MPI.SUM),
      world.igather(Int32Array.of(rank, 100 + rank), root),
      world.iallgather(Float64Array.from({ length: n }, () => rank)),
      world.iscatter(rank === root ? Int32Array.from({ length: 3 * size }, (_, i) => i) : null, new Int32Array(3), root),
      world.ialltoall(Int32Array.from({ length: 2 * size }, (_, k) => rank * 100 + Math.floor(k / 2))),
    ]);
    expect(sameBytes(bcasted, patternBytes(1 << 20, 3))).to.equal(true);
    if (rank === root) {
      expect(Array.from(reduced)).to.deep.equal([sum(ranks), size]);
      expect(Array.from(gathered)).to.deep.equal(ranks.flatMap((r) => [r, 100 + r]));
    } else {
      expect(reduced).to.equal(null);
      expect(gathered).to.equal(null);
    }
    expect(allreduced[n - 1]).to.equal(size * (n - 1) + sum(ranks));
    for (const r of ranks) expect(allgathered[r * n + n - 1]).to.equal(r);
    expect(Array.from(scattered)).to.deep.equal([3 * rank, 3 * rank + 1, 3 * rank + 2]);
    expect(Array.from(a2a)).to.deep.equal(ranks.flatMap((s) => [s * 100 + rank, s * 100 + rank]));
  });
});
