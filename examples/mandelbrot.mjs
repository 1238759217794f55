// The Mandelbrot set computed in parallel: rank r computes rows r, r + size, r + 2 size, ... (interleaved, so each
// rank gets its share of the slow rows inside the set), and `gatherv` collects the rows of unequal count at rank 0,
// which prints a small picture and a checksum that does not depend on the number of ranks.
//   npx mpi4js run -n 4 examples/mandelbrot.mjs [width height maxIterations] [image.pgm]
import { writeFileSync } from 'node:fs';
import * as MPI from 'mpi4js';

const world = MPI.COMM_WORLD;
const numbers = process.argv.slice(2).filter((arg) => /^\d+$/.test(arg)).map(Number);
const [width = 240, height = 120, maxIterations = 500] = numbers;
const imageFile = process.argv.slice(2).find((arg) => arg.endsWith('.pgm'));

/** Iterations before z -> z^2 + c escapes, for the pixel (x, y) of the region [-2.2, 0.8] x [-1.2, 1.2]. */
function escapeTime(x, y) {
  const cr = -2.2 + (3 * x) / width;
  const ci = -1.2 + (2.4 * y) / height;
  let zr = 0;
  let zi = 0;
  let n = 0;
  while (n < maxIterations && zr * zr + zi * zi <= 4) {
    const t = zr * zr - zi * zi + cr;
    zi = 2 * zr * zi + ci;
    zr = t;
    n++;
  }
  return n;
}

const start = MPI.wtime();
const myRows = [];
for (let y = world.rank; y < height; y += world.size) myRows.push(y);
const mine = new Uint16Array(myRows.length * width);
myRows.forEach((y, i) => {
  for (let x = 0; x < width; x++) mine[i * width + x] = escapeTime(x, y);
});
const computed = MPI.wtime() - start;

// Each rank sends a different number of elements; gatherv exchanges the counts itself when none are given.
const gathered = world.gatherv(mine, 0);
const times = world.gatherObject(computed, 0);

if (world.rank === 0) {
  // gathered holds rank 0's rows, then rank 1's, ...: put row y back at its place.
  const image = new Uint16Array(width * height);
  let offset = 0;
  for (let r = 0; r < world.size; r++) {
    for (let y = r; y < height; y += world.size, offset += width) {
      image.set(gathered.subarray(offset, offset + width), y * width);
    }
  }
  const shades = ' .:-=+*#%@';
  for (let y = 0; y < height; y += Math.ceil(height / 24)) {
    let line = '';
    for (let x = 0; x < width; x += Math.ceil(width / 72)) {
      const n = image[y * width + x];
      line += n === maxIterations ? '@' : shades[Math.min(shades.length - 2, Math.floor(Math.sqrt(n)))];
    }
    console.log(line);
  }
  let checksum = 0;
  for (let i = 0; i < image.length; i++) checksum = (checksum * 31 + image[i]) % 1000000007;
  const slowest = Math.max(...times);
  console.log(`mandelbrot ${width}x${height}, ${maxIterations} iterations at most, on ${world.size} ranks: ` +
    `${slowest.toFixed(3)} s for the slowest rank`);
  console.log(`checksum ${checksum}`);
  if (imageFile) {
    const pixels = Buffer.from(image.map((n) => (n === maxIterations ? 0 : 255 - Math.min(255, n * 4))));
    writeFileSync(imageFile, Buffer.concat([Buffer.from(`P5 ${width} ${height} 255\n`), pixels]));
    console.log(`wrote ${imageFile}`);
  }
}
