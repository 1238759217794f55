// Communicators. JS holds a small integer handle into a table of MPI_Comm, so passing a communicator to native code
// costs one int conversion; handle 0 is MPI_COMM_WORLD and 1 is MPI_COMM_SELF.
#pragma once
#include <napi.h>

#include <vector>

#include "environment.h"
#include "mpi_compat.h"

namespace mpi4js {

// The communicator for a handle; throws (MpiError MPI_ERR_COMM for a freed one) and returns false otherwise.
// Also checks that MPI is not finalized, so every communicator call starts here.
bool GetComm(const Napi::Value& handle, MPI_Comm* out);

extern std::vector<MPI_Comm> comms;  // indexed by handle; MPI_COMM_NULL marks a freed slot
bool RefuseComm(napi_env env, double handle);  // throws the error GetComm gives for `handle`, and returns false

// Inline: every point-to-point call starts here.
inline bool GetComm(napi_env env, double handle, MPI_Comm* out) {
  if (!mpiFinalized && handle >= 0 && handle < static_cast<double>(comms.size())) {
    const size_t index = static_cast<size_t>(handle);
    if (static_cast<double>(index) == handle && comms[index] != MPI_COMM_NULL) {
      *out = comms[index];
      return true;
    }
  }
  return RefuseComm(env, handle);
}

// Adds a communicator made by MPI (errors set to return) and gives its handle.
int AddComm(MPI_Comm comm);

void InitComm(Napi::Env env, Napi::Object exports);

}  // namespace mpi4js
