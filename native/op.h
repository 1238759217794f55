// Reduction operations: MPI's built-in ops and user ops whose function is written in JS. JS holds an int handle:
// the built-in ops first, in the order of the exported `builtinOps` names, then the user ops.
#pragma once
#include <napi.h>

#include "datatype.h"

namespace mpi4js {

// The op for a handle; throws (TypeError for an unknown or freed one) and returns false otherwise.
bool GetOp(const Napi::Value& handle, MPI_Op* out);

// The op and datatype a reduction of a buffer with `op` gives MPI: usually `op` and the buffer's datatype. But a
// Uint8ClampedArray under a user op gets a twin of MPI_UINT8_T, so that the user's function receives views of the
// class it was given; and MIN and MAX of unsigned integers go to C functions of ours where the MPI compares them as
// signed (MPICH 4.0.2, pmodels/mpich#6083; a self-test at load finds out).
void ResolveReduction(const BufferView& view, MPI_Op* op, MPI_Datatype* type);

// Rethrows, on this rank, what a user op's JS function threw while MPI ran it during the call that just returned;
// true when it did. Every call that may run a user op checks it right after MPI returns.
bool RethrowUserOpError(napi_env env);

void InitOp(Napi::Env env, Napi::Object exports);

}  // namespace mpi4js
