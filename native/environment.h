// MPI's lifetime in the process: initialized when the addon loads, finalized by finalize() or at exit.
#pragma once
#include <napi.h>

#include "errors.h"

namespace mpi4js {

extern bool mpiFinalized;

// Every native entry that calls MPI starts here: after MPI_Finalize no MPI call is allowed, so throw instead.
inline bool MpiUsable(napi_env env) {
  if (!mpiFinalized) return true;
  ThrowMpiError(env, MPI_ERR_OTHER, "MPI has been finalized: no MPI call is allowed after finalize()");
  return false;
}

// Work that must happen just before MPI_Finalize (completing or cancelling pending requests).
void OnBeforeFinalize(void (*hook)());

// False, with an Error thrown, when MPI cannot be initialized here (a worker thread, or a failed MPI_Init).
bool InitEnvironment(Napi::Env env, Napi::Object exports);

}  // namespace mpi4js
