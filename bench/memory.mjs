// The memory check of the suite: rank 0 sends a 1 GiB array to rank 1, and each reports how much its peak resident
// set (VmHWM in /proc/self/status) rose over the transfer. Both arrays are allocated and touched before the first
// reading, so a rise is what mpi4js or MPI allocated for the message: zero-copy means far less than the message.
//
//   mpirun -n 2 node bench/memory.mjs [BYTES=1073741824]
//
// Rank 0 prints one JSON line: { bytes, sender: { riseBytes }, receiver: { riseBytes }, maxRiseBytes, intact }.
import { readFileSync } from 'node:fs';
import * as MPI from 'mpi4js';

const world = MPI.COMM_WORLD;
const bytes = Number(process.argv[2] ?? 2 ** 30);

function peakRss() {
  const kB = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return kB ? Number(kB[1]) * 1024 : NaN;
}

let rise = 0;
let intact = true;
if (world.rank <= 1) {
  // Every page written, so that the array itself is in the resident set before the first reading.
  const array = new Uint8Array(bytes).fill(world.rank === 0 ? 7 : 0);
  if (world.rank === 0) for (let i = 0; i < bytes; i += 4096) array[i] = i % 251;
  world.barrier();
  const before = peakRss();
  if (world.rank === 0) world.send(array, 1, 5);
  else world.recv(array, 0, 5);
  rise = peakRss() - before;
  if (world.rank === 1) {
    for (let i = 0; i < bytes && intact; i += 4096) intact = array[i] === i % 251 && array[i + 1] === 7;
  }
} else {
  world.barrier();
}
const rises = world.gather(new Float64Array([rise, intact ? 1 : 0]), 0);
if (world.rank === 0) {
  console.log(JSON.stringify({
    bytes,
    sender: { riseBytes: rises[0] },
    receiver: { riseBytes: rises[2] },
    maxRiseBytes: Math.max(rises[0], rises[2]),
    intact: rises[3] === 1,
  }));
}
