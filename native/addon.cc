// The addon's entry point: initializes MPI and registers the native functions of each MPI object.
#include <napi.h>

#include "collective.h"
#include "comm.h"
#include "datatype.h"
#include "environment.h"
#include "icollective.h"
#include "op.h"
#include "p2p.h"
#include "request.h"
#include "status.h"

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  using namespace mpi4js;
  if (!InitEnvironment(env, exports)) return exports;
  InitStatus(env, exports);
  InitDatatype(env, exports);
  InitComm(env, exports);
  InitP2P(env, exports);
  InitRequest(env, exports);
  InitOp(env, exports);
  InitCollective(env, exports);
  InitNonblockingCollective(env, exports);
  return exports;
}

NODE_API_MODULE(mpi4js, InitAddon)
