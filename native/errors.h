// One error path: every MPI return code goes through Check(); argument errors that slip past the TypeScript layer
// become TypeError/RangeError here rather than reaching MPI.
#pragma once
#include <napi.h>

#include "mpi_compat.h"

namespace mpi4js {

// Remembers the JS MpiError class so that native throws are real instances of it (instanceof works).
void SetMpiErrorClass(Napi::Function ctor);
void ResetMpiErrorClass();

// Throws an MpiError built from an MPI error code: its class, class name and MPI_Error_string text.
void ThrowMpiError(napi_env env, int code);
// Throws an MpiError of the given class with a message of the library's own (freed communicator, finalized MPI).
void ThrowMpiError(napi_env env, int errorClass, const char* message);
void ThrowTypeError(napi_env env, const char* message);

// True when rc is MPI_SUCCESS; otherwise throws the MpiError and returns false.
inline bool Check(napi_env env, int rc) {
  if (rc == MPI_SUCCESS) return true;
  ThrowMpiError(env, rc);
  return false;
}

// The names of the MPI error classes, by class number ("MPI_ERR_TRUNCATE"); "MPI_ERR_UNKNOWN" for others.
const char* ErrorClassName(int errorClass);
void ExportErrorClasses(Napi::Env env, Napi::Object exports);

}  // namespace mpi4js
