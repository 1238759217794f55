// MPI_Status handed to JS without building an object per call: the fields of the last completed operation are
// written into a Float64Array that the TypeScript layer shares at setup and reads into its Status class.
#pragma once
#include <napi.h>

#include "mpi_compat.h"

namespace mpi4js {

enum StatusField { kSource = 0, kTag = 1, kBytes = 2, kCancelled = 3, kError = 4, kStatusFields = 5 };

void StoreStatus(const MPI_Status& status);
// Writes the kStatusFields fields of `status` to `out` (the completion records of nonblocking requests).
void StoreStatus(const MPI_Status& status, double* out);
void InitStatus(Napi::Env env, Napi::Object exports);
void ResetStatus();

}  // namespace mpi4js
