// Nonblocking collectives (MPI_Ibarrier, MPI_Ibcast, MPI_Ireduce, ...): requests completed by the progress engine.
#pragma once
#include <napi.h>

namespace mpi4js {

void InitNonblockingCollective(Napi::Env env, Napi::Object exports);

}  // namespace mpi4js
