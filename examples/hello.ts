// Hello in TypeScript, run as it is: `npx mpi4js run -n 4 examples/hello.ts` (through tsx).
// Every rank sends a typed greeting to the next rank around a ring and prints the one it receives.
import * as MPI from 'mpi4js';

interface Greeting {
  from: number;
  host: string;
  sentAt: Date;
}

const world: MPI.Comm = MPI.COMM_WORLD;
const next = (world.rank + 1) % world.size;
const previous = (world.rank - 1 + world.size) % world.size;

const mine: Greeting = { from: world.rank, host: MPI.processorName(), sentAt: new Date() };
// sendrecvObject sends and receives at once, so the ring cannot deadlock; <Greeting> types what comes back.
const received = world.sendrecvObject<Greeting>(mine, next, previous);

console.log(`Hello from rank ${world.rank} of ${world.size}: rank ${received.from} on ${received.host} ` +
  `greeted me at ${received.sentAt.toISOString()}`);
