// Cartesian topology: computeDims (MPI_Dims_create), createCart with its row-major layout, coords, rankOf and
// shift, ranks left out of the grid, a halo exchange by sendrecv, and the argument checks. Runs at any world size.
import { expect } from 'chai';
import { MPI, world } from '../support.mjs';

const { rank, size } = world;
const product = (dims) => dims.reduce((p, d) => p * d, 1);

describe('computeDims', () => {
  it('balances the nodes over the dimensions, largest first, as MPI_Dims_create does', () => {
    expect(MPI.computeDims(12, 3)).to.deep.equal([3, 2, 2]);
    expect(MPI.computeDims(16, 2)).to.deep.equal([4, 4]);
    expect(MPI.computeDims(7, 2)).to.deep.equal([7, 1]);
    expect(MPI.computeDims(1, 3)).to.deep.equal([1, 1, 1]);
    const dims = MPI.computeDims(size, 2);
    expect(product(dims)).to.equal(size);
    expect(dims[0]).to.be.at.least(dims[1]);
  });

  it('rejects what is not a positive count of nodes or dimensions', () => {
    expect(() => MPI.computeDims(0, 2)).to.throw(RangeError, /nnodes/);
    expect(() => MPI.computeDims(4, 0)).to.throw(RangeError, /ndims/);
    expect(() => MPI.computeDims('4', 2)).to.throw(TypeError, /nnodes/);
    expect(() => MPI.computeDims(4, 1.5)).to.throw(RangeError, /ndims/);
  });
});

describe('createCart and CartComm', () => {
  const dims = MPI.computeDims(size, 2);
  // Without reordering, rank r sits at the row-major position r.
  const coordsOf = (r) => [Math.floor(r / dims[1]), r % dims[1]];
  const rankAt = ([i, j]) => i * dims[1] + j;
  let cart;
  before(() => { cart = world.createCart(dims, [true, false]); });
  after(() => cart.free());

  it('lays the ranks out row-major: dims, periods, coords and rankOf agree', () => {
    expect(cart).to.be.an.instanceof(MPI.CartComm);
    expect(cart).to.be.an.instanceof(MPI.Comm);
    expect([cart.rank, cart.size]).to.deep.equal([rank, size]);
    expect(cart.dims).to.deep.equal(dims);
    expect(cart.periods).to.deep.equal([true, false]);
    expect(cart.coords).to.deep.equal(coordsOf(rank));
    expect(cart.rankOf(cart.coords)).to.equal(rank);
    // The periodic dimension wraps, both ways.
    expect(cart.rankOf([cart.coords[0] + dims[0], cart.coords[1]])).to.equal(rank);
    expect(cart.rankOf([cart.coords[0] - 2 * dims[0], cart.coords[1]])).to.equal(rank);
  });

  it('shift wraps along the periodic dimension and gives PROC_NULL off the edge of the other', () => {
    const [i, j] = coordsOf(rank);
    const wrap = (v) => ((v % dims[0]) + dims[0]) % dims[0];
    expect(cart.shift(0)).to.deep.equal({ source: rankAt([wrap(i - 1), j]), dest: rankAt([wrap(i + 1), j]) });
    expect(cart.shift(0, -2)).to.deep.equal({ source: rankAt([wrap(i + 2), j]), dest: rankAt([wrap(i - 2), j]) });
    const inRow = (c) => (c >= 0 && c < dims[1] ? rankAt([i, c]) : MPI.PROC_NULL);
    expect(cart.shift(1, 1)).to.deep.equal({ source: inRow(j - 1), dest: inRow(j + 1) });
    expect(cart.shift(1, -1)).to.deep.equal({ source: inRow(j + 1), dest: inRow(j - 1) });
  });

  it('exchanges halos with sendrecv along both dimensions', () => {
    const got = [];
    for (const direction of [0, 1]) {
      const { source, dest } = cart.shift(direction, 1);
      const into = Float64Array.of(-1);
      const status = cart.sendrecv(Float64Array.of(rank), dest, into, source, 7, 7);
      got.push(into[0]);
      expect(status.source).to.equal(source);
    }
    const [i, j] = coordsOf(rank);
    expect(got[0]).to.equal(rankAt([(i - 1 + dims[0]) % dims[0], j]));
    expect(got[1]).to.equal(j > 0 ? rankAt([i, j - 1]) : -1);  // from PROC_NULL nothing arrives
  });

  it('is a communicator: collectives and values work on it; dup keeps the grid', () => {
    expect(Array.from(cart.allreduce(Int32Array.of(rank)))).to.deep.equal([(size * (size - 1)) / 2]);
    expect(cart.allgatherObject(cart.coords)).to.deep.equal(Array.from({ length: size }, (_, r) => coordsOf(r)));
    const copy = cart.dup();
    expect(copy).to.be.an.instanceof(MPI.CartComm);
    expect([copy.dims, copy.periods, copy.coords]).to.deep.equal([cart.dims, cart.periods, cart.coords]);
    expect(copy.compare(cart)).to.equal('congruent');
    copy.free();
  });

  it('leaves the ranks beyond the grid out: they get null', () => {
    const length = Math.max(1, size - 1);
    const line = world.createCart([length], [false]);
    if (rank >= length) {
      expect(line).to.equal(null);
      return;
    }
    expect(line.size).to.equal(length);
    expect(line.coords).to.deep.equal([rank]);
    expect(line.shift(0)).to.deep.equal({
      source: rank > 0 ? rank - 1 : MPI.PROC_NULL, dest: rank < length - 1 ? rank + 1 : MPI.PROC_NULL,
    });
    line.free();
  });

  it('periods default to non-periodic; a 3-D grid over COMM_SELF', () => {
    const cube = MPI.COMM_SELF.createCart([1, 1, 1]);
    expect(cube.periods).to.deep.equal([false, false, false]);
    expect(cube.shift(2)).to.deep.equal({ source: MPI.PROC_NULL, dest: MPI.PROC_NULL });
    cube.free();
  });

  it('rejects bad arguments, naming them, before MPI is called', () => {
    expect(() => world.createCart([size + 1])).to.throw(RangeError, /at most \d+ ranks/);
    expect(() => world.createCart([])).to.throw(TypeError, /dims must be a non-empty array/);
    expect(() => world.createCart('2x2')).to.throw(TypeError, /dims/);
    expect(() => world.createCart([0])).to.throw(RangeError, /dims\[0\]/);
    expect(() => world.createCart([1, 1], [true])).to.throw(TypeError, /periods must be an array of 2 booleans/);
    expect(() => world.createCart([1], [1])).to.throw(TypeError, /periods/);
    expect(() => world.createCart([1], [true], 'yes')).to.throw(TypeError, /reorder must be a boolean/);
    expect(() => cart.rankOf([0])).to.throw(TypeError, /coords must be an array of 2 integers/);
    expect(() => cart.rankOf([0, dims[1]])).to.throw(RangeError, /coords\[1\]/);
    expect(() => cart.rankOf([0.5, 0])).to.throw(RangeError, /coords\[0\]/);
    expect(() => cart.shift(2)).to.throw(RangeError, /direction/);
    expect(() => cart.shift(0, 'one')).to.throw(TypeError, /disp/);
  });
});
