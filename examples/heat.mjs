// The 2-D heat equation on a grid of NX x NY cells, split into blocks over a Cartesian grid of ranks. Each step,
// every rank swaps its edge rows and columns with its four neighbours (halo exchange by sendrecv), then updates its
// cells with the explicit 5-point stencil. At the end, rank 0 gathers the blocks, runs the same simulation alone
// and prints the largest difference between the two: the same arithmetic in the same order gives exactly 0.
//   npx mpi4js run -n 4 examples/heat.mjs [NX] [NY] [steps]
import * as MPI from 'mpi4js';

const world = MPI.COMM_WORLD;
const [NX, NY, STEPS] = [96, 64, 300].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));
const ALPHA = 0.2;  // diffusion number: stable below 0.25
const TOP = 100;    // the top edge of the plate is held at this temperature, the others at 0

// Part `index` of `parts` of n cells: where it starts and how many cells it has (the first n % parts get one more).
function share(n, parts, index) {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  return { start: index * base + Math.min(index, extra), count: base + (index < extra ? 1 : 0) };
}

// A block of rows x cols cells with a ghost layer around it, as a row-major Float64Array of (rows+2) x (cols+2).
// Ghost cells on the plate's edge hold the edge's fixed temperature; the others are filled by the halo exchange.
class Block {
  constructor(rows, cols, onTopEdge) {
    this.rows = rows;
    this.cols = cols;
    this.width = cols.count + 2;
    this.height = rows.count + 2;
    this.u = new Float64Array(this.width * this.height);
    this.next = new Float64Array(this.width * this.height);
    for (let i = 1; i <= rows.count; i++) {
      for (let j = 1; j <= cols.count; j++) this.u[i * this.width + j] = this.initial(rows.start + i - 1, cols.start + j - 1);
    }
    if (onTopEdge) {
      for (let j = 1; j <= cols.count; j++) this.u[j] = this.next[j] = TOP;
    }
  }

  // A warm square in the middle of the plate to start with.
  initial(y, x) {
    return Math.abs(y - NY / 2) < NY / 6 && Math.abs(x - NX / 2) < NX / 6 ? 50 : 0;
  }

  step() {
    const { u, next, width: w } = this;
    for (let i = 1; i < this.height - 1; i++) {
      for (let j = 1; j < w - 1; j++) {
        const k = i * w + j;
        next[k] = u[k] + ALPHA * (u[k - w] + u[k + w] + u[k - 1] + u[k + 1] - 4 * u[k]);
      }
    }
    [this.u, this.next] = [next, u];
  }

  row(i) {
    return this.u.subarray(i * this.width + 1, i * this.width + 1 + this.cols.count);
  }

  /** The cells without the ghost layer, row after row. */
  interior() {
    const cells = new Float64Array(this.rows.count * this.cols.count);
    for (let i = 0; i < this.rows.count; i++) cells.set(this.row(i + 1), i * this.cols.count);
    return cells;
  }
}

// ---- The parallel run --------------------------------------------------------------------------------------------

const dims = MPI.computeDims(world.size, 2);  // [ranks along y, ranks along x]
const grid = world.createCart(dims, [false, false]);  // covers every rank, so never null here
const [py, px] = grid.coords;
const block = new Block(share(NY, dims[0], py), share(NX, dims[1], px), py === 0);
const north = grid.shift(0, 1);  // receive from the rank above, send to the one below
const south = grid.shift(0, -1);
const west = grid.shift(1, 1);
const east = grid.shift(1, -1);
const outgoing = new Float64Array(block.rows.count);
const incoming = new Float64Array(block.rows.count);

function exchangeColumn(from, into, { source, dest }) {
  const { u, width } = block;
  for (let i = 0; i < outgoing.length; i++) outgoing[i] = u[(i + 1) * width + from];
  grid.sendrecv(outgoing, dest, incoming, source);
  // A receive from PROC_NULL (off the plate's edge) receives nothing: the edge's ghosts keep their temperature.
  if (source !== MPI.PROC_NULL) for (let i = 0; i < incoming.length; i++) u[(i + 1) * width + into] = incoming[i];
}

function exchangeHalos() {
  const last = block.rows.count;
  // Rows are contiguous: sent and received in place; a receive from PROC_NULL leaves the ghost row as it was.
  grid.sendrecv(block.row(last), north.dest, block.row(0), north.source);
  grid.sendrecv(block.row(1), south.dest, block.row(last + 1), south.source);
  exchangeColumn(block.cols.count, 0, west);
  exchangeColumn(1, block.cols.count + 1, east);
}

world.barrier();
const start = MPI.wtime();
for (let t = 0; t < STEPS; t++) {
  exchangeHalos();
  block.step();
}
const elapsed = MPI.wtime() - start;
const heat = world.reduce(Float64Array.of(block.interior().reduce((s, v) => s + v, 0)), MPI.SUM, 0);

// ---- Rank 0 checks the result against a run of its own over the whole plate ---------------------------------------

const cells = world.gatherv(block.interior(), 0);
const layouts = world.gatherObject({ rows: block.rows, cols: block.cols }, 0);
if (world.rank === 0) {
  const serial = new Block({ start: 0, count: NY }, { start: 0, count: NX }, true);
  for (let t = 0; t < STEPS; t++) serial.step();
  const expected = serial.interior();
  let offset = 0;
  let difference = 0;
  for (const { rows, cols } of layouts) {
    for (let i = 0; i < rows.count; i++) {
      for (let j = 0; j < cols.count; j++) {
        const got = cells[offset + i * cols.count + j];
        difference = Math.max(difference, Math.abs(got - expected[(rows.start + i) * NX + cols.start + j]));
      }
    }
    offset += rows.count * cols.count;
  }
  console.log(`heat equation on ${NX}x${NY} cells, ${STEPS} steps, ${world.size} ranks as a ${dims.join('x')} grid: ` +
    `${elapsed.toFixed(3)} s`);
  console.log(`total heat ${heat[0].toFixed(6)}, serial ${expected.reduce((s, v) => s + v, 0).toFixed(6)}`);
  console.log(`max difference from the serial run: ${difference}`);
  console.log(difference === 0 ? 'OK' : 'MISMATCH');
  if (difference !== 0) process.exitCode = 1;
}
