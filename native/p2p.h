#pragma once
#include <napi.h>

#include "mpi_compat.h"

namespace mpi4js {

// Receives a message already matched by MPI_Mprobe/MPI_Improbe into a new Buffer of its size.
Napi::Value ReceiveMatched(Napi::Env env, MPI_Message* message, const MPI_Status& probed);

void InitP2P(Napi::Env env, Napi::Object exports);

}  // namespace mpi4js
