// Environment facts and lifecycle state, on every rank.
import { expect } from 'chai';
import { hostname } from 'node:os';
import { MPI, world } from '../support.mjs';

describe('environment', () => {
  it('is initialized on load and not finalized', () => {
    expect(MPI.isInitialized()).to.equal(true);
    expect(MPI.isFinalized()).to.equal(false);
  });

  it('gives each rank a distinct rank in 0..size-1 and agrees on the size', () => {
    expect(world.size).to.be.at.least(1);
    expect(world.rank).to.be.within(0, world.size - 1);
    const ranks = new Int32Array(world.size);
    // Everyone reports its rank to rank 0 and hears back the full list: no collectives needed.
    if (world.rank === 0) {
      ranks[0] = 0;
      for (let i = 1; i < world.size; i++) {
        const one = new Int32Array(2);
        const status = world.recv(one, MPI.ANY_SOURCE, 80);
        ranks[status.source] = one[0];
        expect(one[1]).to.equal(world.size);
      }
      for (let i = 1; i < world.size; i++) world.send(ranks, i, 81);
    } else {
      world.send(new Int32Array([world.rank, world.size]), 0, 80);
      world.recv(ranks, 0, 81);
    }
    expect(Array.from(ranks)).to.deep.equal(Array.from({ length: world.size }, (_, i) => i));
  });

  it('has COMM_SELF as a 1-rank communicator', () => {
    expect(MPI.COMM_SELF.size).to.equal(1);
    expect(MPI.COMM_SELF.rank).to.equal(0);
    const into = new Int32Array(1);
    MPI.COMM_SELF.sendrecv(new Int32Array([world.rank]), 0, into, 0);
    expect(into[0]).to.equal(world.rank);
  });

  it('names COMM_WORLD and COMM_SELF as MPI does', () => {
    expect(world.name).to.equal('MPI_COMM_WORLD');
    expect(MPI.COMM_SELF.name).to.equal('MPI_COMM_SELF');
  });

  it('has a wall clock in seconds that moves forward, with a positive tick', () => {
    const t0 = MPI.wtime();
    const start = Date.now();
    while (Date.now() - start < 20);
    const elapsed = MPI.wtime() - t0;
    expect(elapsed).to.be.within(0.015, 5);
    expect(MPI.wtick()).to.be.greaterThan(0).and.lessThan(0.01);
  });

  it('names the processor this rank runs on', () => {
    const name = MPI.processorName();
    expect(name).to.be.a('string').with.length.greaterThan(0);
    expect(hostname().startsWith(name) || name.startsWith(hostname())).to.equal(true);
  });

  it('describes the MPI library it was built against', () => {
    const text = MPI.libraryVersion();
    expect(text).to.match(MPI.implementation === 'openmpi' ? /Open MPI/ : /MPICH/);
    const version = MPI.version();
    expect(version.major).to.be.at.least(3);
    expect(version.minor).to.be.at.least(0);
  });

  it('exports the special ranks and tags as distinct numbers', () => {
    for (const name of ['ANY_SOURCE', 'ANY_TAG', 'PROC_NULL', 'UNDEFINED']) expect(MPI[name]).to.be.a('number');
    expect(MPI.ANY_SOURCE).not.to.equal(MPI.PROC_NULL);
    expect(MPI.TAG_UB).to.be.at.least(32767);
  });
});
