// Nonblocking requests and the native half of the progress engine. Every started request gets a small integer id,
// the same number the TypeScript layer files its Request object under; one progress() call tests all pending
// requests at once with MPI_Testsome and reports the completed ones through a Float64Array shared with TypeScript.
#pragma once
#include <napi.h>

#include "mpi_compat.h"

namespace mpi4js {

// The id returned for a request that completed the moment it started: nothing is left pending, and its status is
// in the shared status array (StoreStatus), its MPI_ERROR field holding the error code, 0 on success.
constexpr int kCompletedAtStart = -1;

// What a native start function returns after MPI_I*(..., &request) returned rc: the new request's id, or
// kCompletedAtStart, or an empty value with the MpiError thrown when rc failed. A request that MPI cannot cancel
// (a nonblocking collective) is not `cancellable`. `testNow`: whether it may have completed already and is worth an
// MPI_Test (not for a large message, which must go by rendezvous: see kMayCompleteAtStart).
// `send`: an isend (see TestAtStart in request.cc).
Napi::Value StartedRequest(Napi::Env env, int rc, MPI_Request request, bool cancellable, bool testNow = true,
                           bool send = false);

void InitRequest(Napi::Env env, Napi::Object exports);

}  // namespace mpi4js
