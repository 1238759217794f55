// The `bare` case of the benchmark: the thinnest blocking send and receive a Node-API binding can have. Each of
// send() and recv() is one N-API function that takes no arguments and moves a fixed 8-byte buffer to or from the
// other rank of ranks 0 and 1 of MPI_COMM_WORLD. No checks, no buffer to read off a typed array, no status: only the
// crossing from JS into native code and back, around the MPI call. bench/mpi4js.mjs runs it in the same process as
// mpi4js (which initializes MPI), and so its ping-pong shows how close to C any binding built on Node-API can get.
//
// A bench instrument, not part of the package: bench/run.mjs compiles it with the MPI's own mpicc against
// node-api-headers, beside the C benchmark.
#include <mpi.h>
#include <node_api.h>

static double buffer[1];
static int peer = MPI_PROC_NULL;  // ranks above 1 never call send() or recv()

static napi_value Send(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  MPI_Send(buffer, 1, MPI_DOUBLE, peer, 1, MPI_COMM_WORLD);
  return NULL;
}

static napi_value Recv(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  MPI_Recv(buffer, 1, MPI_DOUBLE, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return NULL;
}

NAPI_MODULE_INIT() {
  int initialized = 0, rank = 0, size = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    napi_throw_error(env, NULL, "napi-floor: load mpi4js first, which initializes MPI");
    return NULL;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (rank < 2 && size >= 2) peer = 1 - rank;
  napi_value send, recv;
  napi_create_function(env, "send", NAPI_AUTO_LENGTH, Send, NULL, &send);
  napi_create_function(env, "recv", NAPI_AUTO_LENGTH, Recv, NULL, &recv);
  napi_set_named_property(env, exports, "send", send);
  napi_set_named_property(env, exports, "recv", recv);
  return exports;
}
