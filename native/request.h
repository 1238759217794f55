// Nonblocking requests and the native half of the progress engine. Every started request gets a small integer id,
// the same number the TypeScript layer files its Request object under; one progress() call tests all pending
// requests at once with MPI_Testsome and reports the completed ones through a Float64Array shared with TypeScript.
#pragma once
#include <napi.h>

#include <cstdint>
#include <deque>
#include <utility>

#include "datatype.h"
#include "mpi_compat.h"

namespace mpi4js {

// The id returned for a request that completed the moment it started: nothing is left pending, and its status is
// in the shared status array (StoreStatus), its MPI_ERROR field holding the error code, 0 on success.
constexpr int kCompletedAtStart = -1;

// What a native start function returns after MPI_I*(..., &request) returned rc: the new request's id, or
// kCompletedAtStart, or an empty value with the MpiError thrown when rc failed. A request that MPI cannot cancel
// (a nonblocking collective) is not `cancellable`. `testNow`: whether it may have completed already and is worth an
// MPI_Test (not for a large message, which must go by rendezvous: see kMayCompleteAtStart).
// `send`: an isend (see TestAtStart in request.cc). `startedId`, when given, gets the id of a request left pending.
Napi::Value StartedRequest(Napi::Env env, int rc, MPI_Request request, bool cancellable, bool testNow = true,
                           bool send = false, int* startedId = nullptr);

// The receive of a sendrecv, posted by MPI_Sendrecv itself after every irecv pending here (SelfSendCount).
struct OwnReceive {
  int source;
  int tag;
  size_t capacity;         // bytes
  bool truncated = false;  // set when the message to oneself goes into it cut short: the sendrecv must fail
};

// SelfSendCount's search, for Open MPI; defined only there.
const CountedType* CheckSelfSend(napi_env env, MPI_Comm comm, int dest, int tag, size_t bytes,
                                 const CountedType& counted, CountedType* shortened, OwnReceive* own);

// The irecvs filed for CheckSelfSend as (id, sequence), oldest first (request.cc); here for the inline test below.
extern std::deque<std::pair<int, uint64_t>> postedReceives;

// Open MPI 4.1's self transport copies a message a rank sends to itself into the receive it matches without checking
// that receive's size: a shorter receive is truncated silently (small messages) or written past its end (from about
// 1 KiB: a heap overflow that crashed Node here, in sendrecv as in isend + irecv). MPICH fails the receive with
// MPI_ERR_TRUNCATE, as MPI says. So under Open MPI every send to this rank itself first finds the receive it will go
// into (the oldest pending irecv on `comm` from this rank or ANY_SOURCE, with `tag` or ANY_TAG, that MPI has not
// completed; else the sendrecv's `own` receive) and, when that receive is shorter than `bytes`, does what MPI says:
// it sends only the start of the message that the receive holds, and that receive fails with MPI_ERR_TRUNCATE. The
// result is the (count, type) to send with: `counted` itself, or `shortened` set to those bytes. A receive from
// ANY_SOURCE in a larger communicator may be taking another rank's message at that moment, which cannot be told from
// here: then the send is refused, nullptr returned and an MpiError MPI_ERR_TRUNCATE naming both sizes thrown.
// Under MPICH: `counted`, always.
inline const CountedType* SelfSendCount(napi_env env, MPI_Comm comm, int dest, int tag, size_t bytes,
                                        const CountedType& counted, CountedType* shortened,
                                        OwnReceive* own = nullptr) {
#if defined(OPEN_MPI)
  // With no receive pending (a blocking send's hot path) only sendrecv's own receive could take the message.
  if (postedReceives.empty() && own == nullptr) return &counted;
  return CheckSelfSend(env, comm, dest, tag, bytes, counted, shortened, own);
#else
  (void)env, (void)comm, (void)dest, (void)tag, (void)bytes, (void)shortened, (void)own;
  return &counted;
#endif
}

void InitRequest(Napi::Env env, Napi::Object exports);

}  // namespace mpi4js
