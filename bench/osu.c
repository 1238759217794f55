/* The C reference of the benchmark suite: the cases of bench/mpi4js.mjs, written the same way in plain MPI.
 * bench/run.mjs compiles it with the chosen MPI's wrapper (mpicc -O2) into a build directory.
 *
 *   mpirun -n 2 ./osu CASE SIZE:ITERATIONS:WARMUP ...
 *
 * Rank 0 prints one line per size: `CASE BYTES VALUE` (microseconds, or MB/s for bw and bibw). The `await` case is
 * MPI_Isend/MPI_Irecv each followed by MPI_Wait, C's closest analogue of awaiting each request. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WARMUP_SECONDS 0.5 /* as bench/mpi4js.mjs */

#define WINDOW 64

static int rank, size;

static double latency(long bytes, long iterations, long warmup, int nonblocking) {
  char *buf = malloc(bytes);
  MPI_Request request;
  double t0 = 0;
  memset(buf, 1, bytes);
  for (long i = 0; i < warmup + iterations; i++) {
    if (i == warmup) {
      MPI_Barrier(MPI_COMM_WORLD);
      t0 = MPI_Wtime();
    }
    if (rank <= 1) {
      int peer = 1 - rank;
      for (int turn = 0; turn < 2; turn++) {
        int sending = (turn == 0) == (rank == 0);
        if (nonblocking) {
          if (sending) MPI_Isend(buf, (int)bytes, MPI_UINT8_T, peer, 1, MPI_COMM_WORLD, &request);
          else MPI_Irecv(buf, (int)bytes, MPI_UINT8_T, peer, 1, MPI_COMM_WORLD, &request);
          MPI_Wait(&request, MPI_STATUS_IGNORE);
        } else if (sending) {
          MPI_Send(buf, (int)bytes, MPI_UINT8_T, peer, 1, MPI_COMM_WORLD);
        } else {
          MPI_Recv(buf, (int)bytes, MPI_UINT8_T, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
      }
    }
  }
  double elapsed = MPI_Wtime() - t0;
  free(buf);
  return elapsed * 1e6 / (2.0 * iterations);
}

static double bandwidth(long bytes, long iterations, long warmup, int both) {
  char *sendbuf = malloc(bytes), *recvbuf = malloc(bytes), ack[4] = {0};
  MPI_Request requests[2 * WINDOW];
  static MPI_Status statuses[2 * WINDOW];  /* not MPI_STATUSES_IGNORE, which GCC takes for an empty array */
  double t0 = 0;
  memset(sendbuf, 1, bytes);
  for (long i = 0; i < warmup + iterations; i++) {
    if (i == warmup) {
      MPI_Barrier(MPI_COMM_WORLD);
      t0 = MPI_Wtime();
    }
    if (rank > 1) continue;
    int peer = 1 - rank;
    if (both) {
      for (int w = 0; w < WINDOW; w++) MPI_Irecv(recvbuf, (int)bytes, MPI_UINT8_T, peer, 100, MPI_COMM_WORLD, &requests[w]);
      for (int w = 0; w < WINDOW; w++) {
        MPI_Isend(sendbuf, (int)bytes, MPI_UINT8_T, peer, 100, MPI_COMM_WORLD, &requests[WINDOW + w]);
      }
      MPI_Waitall(2 * WINDOW, requests, statuses);
    } else if (rank == 0) {
      for (int w = 0; w < WINDOW; w++) MPI_Isend(sendbuf, (int)bytes, MPI_UINT8_T, 1, 100, MPI_COMM_WORLD, &requests[w]);
      MPI_Waitall(WINDOW, requests, statuses);
      MPI_Recv(ack, 4, MPI_UINT8_T, 1, 101, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      for (int w = 0; w < WINDOW; w++) MPI_Irecv(recvbuf, (int)bytes, MPI_UINT8_T, 0, 100, MPI_COMM_WORLD, &requests[w]);
      MPI_Waitall(WINDOW, requests, statuses);
      MPI_Send(ack, 4, MPI_UINT8_T, 0, 101, MPI_COMM_WORLD);
    }
  }
  double elapsed = MPI_Wtime() - t0;
  free(sendbuf);
  free(recvbuf);
  return (both ? 2.0 : 1.0) * bytes * WINDOW * iterations / elapsed / 1e6;
}

/* Each rank sends to itself and receives: the per-call path without a peer, for bench/instructions.mjs. */
static double self(long bytes, long iterations, long warmup) {
  double *out = calloc(bytes / 8, sizeof(double)), *back = calloc(bytes / 8, sizeof(double));
  double t0 = 0;
  for (long i = 0; i < warmup + iterations; i++) {
    if (i == warmup) t0 = MPI_Wtime();
    MPI_Send(out, (int)(bytes / 8), MPI_DOUBLE, rank, 1, MPI_COMM_WORLD);
    MPI_Recv(back, (int)(bytes / 8), MPI_DOUBLE, rank, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  double elapsed = MPI_Wtime() - t0;
  free(out);
  free(back);
  return elapsed * 1e6 / iterations;
}

enum Collective { BCAST, ALLREDUCE, GATHER, ALLTOALL };

static void call(enum Collective which, double *input, double *output, int n) {
  switch (which) {
    case BCAST: MPI_Bcast(input, n, MPI_DOUBLE, 0, MPI_COMM_WORLD); break;
    case ALLREDUCE: MPI_Allreduce(input, output, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD); break;
    case GATHER: MPI_Gather(input, n, MPI_DOUBLE, output, n, MPI_DOUBLE, 0, MPI_COMM_WORLD); break;
    case ALLTOALL: MPI_Alltoall(input, n, MPI_DOUBLE, output, n, MPI_DOUBLE, MPI_COMM_WORLD); break;
  }
}

/* Microseconds per call, averaged over the ranks; `bytes` is each rank's contribution, in doubles. */
static double collective(enum Collective which, long bytes, long iterations, long warmup) {
  int n = (int)(bytes / 8);
  size_t inputLength = (size_t)n * (which == ALLTOALL ? size : 1);
  double *input = malloc(sizeof(double) * inputLength);
  double *output = malloc(sizeof(double) * (size_t)n * size);
  for (size_t k = 0; k < inputLength; k++) input[k] = rank + 1;
  for (long i = 0; i < warmup; i++) call(which, input, output, n);
  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime(), sum = 0;
  for (long i = 0; i < iterations; i++) call(which, input, output, n);
  double mine = (MPI_Wtime() - t0) * 1e6 / iterations;
  MPI_Reduce(&mine, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  free(input);
  free(output);
  return sum / size;
}

static double run(int which, long bytes, long iterations, long warmup) {
  switch (which) {
    case 4: return latency(bytes, iterations, warmup, 0);
    case 5: return latency(bytes, iterations, warmup, 1);
    case 6: return bandwidth(bytes, iterations, warmup, 0);
    case 7: return bandwidth(bytes, iterations, warmup, 1);
    case 8: return self(bytes, iterations, warmup);
    default: return collective((enum Collective)which, bytes, iterations, warmup);
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const char *name = argc > 1 ? argv[1] : "";
  static const char *cases[] = {"bcast", "allreduce", "gather", "alltoall", "latency", "await", "bw", "bibw", "self"};
  int which = -1;
  for (int k = 0; k < (int)(sizeof cases / sizeof *cases); k++) {
    if (strcmp(name, cases[k]) == 0) which = k;
  }
  if (which < 0 || (size < 2 && which != 8)) {
    if (rank == 0) fprintf(stderr, "usage: mpirun -n 2 osu latency|bw|bibw|bcast|allreduce|gather|alltoall|await|self SIZE:ITER:WARMUP...\n");
    MPI_Finalize();
    return 2;
  }
  long bytes, iterations, warmup;
  /* Every size once for its warm-up count, then the first size untimed (a = 1) until rank 0 has spent WARMUP_SECONDS
     on it, as bench/mpi4js.mjs does; not for self, which only counts. */
  for (int a = 2; a < argc && which != 8; a++) {
    if (sscanf(argv[a], "%ld:%ld:%ld", &bytes, &iterations, &warmup) == 3) run(which, bytes, warmup, 0);
  }
  double until = MPI_Wtime() + WARMUP_SECONDS;
  for (int a = argc > 2 && which != 8 ? 1 : 2; a < argc; a++) {
    if (sscanf(argv[a == 1 ? 2 : a], "%ld:%ld:%ld", &bytes, &iterations, &warmup) != 3) continue;
    double value = run(which, bytes, iterations, warmup);
    if (a == 1) {
      int more = MPI_Wtime() < until;
      MPI_Bcast(&more, 1, MPI_INT, 0, MPI_COMM_WORLD);
      if (more) a--; /* the first size again */
      continue;
    }
    if (rank == 0) printf("%s %ld %.6g\n", name, bytes, value);
    fflush(stdout);
  }
  MPI_Finalize();
  return 0;
}
