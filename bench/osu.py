"""The mpi4py side of the benchmark suite: the cases of bench/mpi4js.mjs, written the way an mpi4py user writes them
(upper-case buffer methods on NumPy arrays; the pickle path for the small value).

    mpirun -n 2 /usr/bin/python3 bench/osu.py CASE SIZE:ITERATIONS:WARMUP ...

Rank 0 prints one line per size: `CASE BYTES VALUE` (microseconds, or MB/s for bw and bibw). The `await` case is
Isend/Irecv each followed by Wait, Python's closest analogue of awaiting each request.
"""
import sys

import numpy as np
from mpi4py import MPI

world = MPI.COMM_WORLD
rank, size = world.Get_rank(), world.Get_size()
WINDOW = 64
WARMUP_SECONDS = 0.5  # as bench/mpi4js.mjs
SMALL_VALUE = {'step': 7, 'x': 0.5, 'name': 'ping', 'ok': True}  # the value bench/mpi4js.mjs sends


def latency(nbytes, iterations, warmup, nonblocking=False):
    buf = np.ones(nbytes, dtype=np.uint8)
    t0 = 0.0
    for i in range(warmup + iterations):
        if i == warmup:
            world.Barrier()
            t0 = MPI.Wtime()
        if rank == 0:
            if nonblocking:
                world.Isend(buf, 1, 1).Wait()
                world.Irecv(buf, 1, 1).Wait()
            else:
                world.Send(buf, 1, 1)
                world.Recv(buf, 1, 1)
        elif rank == 1:
            if nonblocking:
                world.Irecv(buf, 0, 1).Wait()
                world.Isend(buf, 0, 1).Wait()
            else:
                world.Recv(buf, 0, 1)
                world.Send(buf, 0, 1)
    return (MPI.Wtime() - t0) * 1e6 / (2 * iterations)


def bandwidth(nbytes, iterations, warmup, both=False):
    sendbuf = np.ones(nbytes, dtype=np.uint8)
    recvbuf = np.empty(nbytes, dtype=np.uint8)
    ack = np.zeros(4, dtype=np.uint8)
    t0 = 0.0
    for i in range(warmup + iterations):
        if i == warmup:
            world.Barrier()
            t0 = MPI.Wtime()
        if rank > 1:
            continue
        peer = 1 - rank
        if both:
            requests = [world.Irecv(recvbuf, peer, 100) for _ in range(WINDOW)]
            requests += [world.Isend(sendbuf, peer, 100) for _ in range(WINDOW)]
            MPI.Request.Waitall(requests)
        elif rank == 0:
            MPI.Request.Waitall([world.Isend(sendbuf, 1, 100) for _ in range(WINDOW)])
            world.Recv(ack, 1, 101)
        else:
            MPI.Request.Waitall([world.Irecv(recvbuf, 0, 100) for _ in range(WINDOW)])
            world.Send(ack, 0, 101)
    return (2 if both else 1) * nbytes * WINDOW * iterations / (MPI.Wtime() - t0) / 1e6


def collective(name, nbytes, iterations, warmup):
    n = nbytes // 8
    data = np.full(n * size if name == 'alltoall' else n, rank + 1, dtype=np.float64)
    out = np.empty(n * size, dtype=np.float64)
    if name == 'bcast':
        def call(): world.Bcast(data, 0)
    elif name == 'allreduce':
        part = out[:n]
        def call(): world.Allreduce(data, part, MPI.SUM)
    elif name == 'gather':
        target = out if rank == 0 else None
        def call(): world.Gather(data, target, 0)
    else:
        def call(): world.Alltoall(data, out)
    for _ in range(warmup):
        call()
    world.Barrier()
    t0 = MPI.Wtime()
    for _ in range(iterations):
        call()
    mine = np.array([(MPI.Wtime() - t0) * 1e6 / iterations])
    total = np.zeros(1)
    world.Reduce(mine, total, MPI.SUM, 0)
    return total[0] / size


def small_value(_nbytes, iterations, warmup):
    t0 = 0.0
    for i in range(warmup + iterations):
        if i == warmup:
            world.Barrier()
            t0 = MPI.Wtime()
        if rank == 0:
            world.send(SMALL_VALUE, 1, 1)
            world.recv(source=1, tag=1)
        elif rank == 1:
            world.send(world.recv(source=0, tag=1), 0, 1)
    return (MPI.Wtime() - t0) * 1e6 / (2 * iterations)


CASES = {
    'latency': latency,
    'bw': bandwidth,
    'bibw': lambda *args: bandwidth(*args, both=True),
    'bcast': lambda *args: collective('bcast', *args),
    'allreduce': lambda *args: collective('allreduce', *args),
    'gather': lambda *args: collective('gather', *args),
    'alltoall': lambda *args: collective('alltoall', *args),
    'object': small_value,
    'await': lambda *args: latency(*args, nonblocking=True),
}

name = sys.argv[1] if len(sys.argv) > 1 else ''
if name not in CASES or size < 2:
    if rank == 0:
        print(f"usage: mpirun -n 2 python3 bench/osu.py {'|'.join(CASES)} SIZE:ITER:WARMUP...", file=sys.stderr)
    sys.exit(2)
points = [tuple(int(x) for x in point.split(':')) for point in sys.argv[2:]]
if points:
    # Every size once for its warm-up count, then the first size untimed until rank 0 has spent WARMUP_SECONDS on
    # it, as bench/mpi4js.mjs does.
    for nbytes, _, warmup in points:
        CASES[name](nbytes, warmup, 0)
    until = MPI.Wtime() + WARMUP_SECONDS
    more = True
    while more:
        CASES[name](*points[0])
        more = world.bcast(MPI.Wtime() < until if rank == 0 else None, root=0)
for nbytes, iterations, warmup in points:
    value = CASES[name](nbytes, iterations, warmup)
    if rank == 0:
        print(f'{name} {nbytes} {value}', flush=True)
