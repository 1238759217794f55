// Nonblocking collectives: the operands are read exactly as for the blocking forms (the Read* functions of
// collective.h), then the MPI_I* call starts a request that the progress engine completes (request.h).
#include "icollective.h"

#include <climits>

#include "args.h"
#include "collective.h"
#include "comm.h"
#include "op.h"
#include "request.h"

namespace mpi4js {
namespace {

// A reduction's request. A user op's function may already have run, and thrown, while MPI started it: then the
// result is [id, error], and the request fails with that error once MPI completes it.
Napi::Value StartedReduction(Napi::Env env, int rc, MPI_Request request) {
  Napi::Value started = StartedRequest(env, rc, request, false);
  if (!RethrowUserOpError(env) || started.IsEmpty()) return started;
  napi_value error = nullptr;
  napi_get_and_clear_last_exception(env, &error);
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, started);
  result.Set(1u, Napi::Value(env, error));
  return result;
}

// The blocking forms split a reduction of more than INT_MAX elements into several calls; one request cannot.
bool ReadNonblockingReduction(const Napi::CallbackInfo& info, bool rooted, Reduction* r) {
  if (!ReadReduction(info, rooted, r)) return false;
  if (r->count <= static_cast<size_t>(INT_MAX)) return true;
  napi_throw_range_error(info.Env(), nullptr, "a nonblocking reduction moves at most 2^31-1 elements");
  return false;
}

// ibarrier(comm) -> id
Napi::Value Ibarrier(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  MPI_Request request;
  if (!GetComm(info[0], &comm)) return Napi::Value();
  int rc = MPI_Ibarrier(comm, &request);
  return StartedRequest(info.Env(), rc, request, false);
}

// ibcast(comm, buf, root) -> id
Napi::Value Ibcast(const Napi::CallbackInfo& info) {
  Blocks b;
  MPI_Request request;
  if (!ReadBcast(info, &b)) return Napi::Value();
  int rc = MPI_Ibcast(b.recv, b.recvType.count, b.recvType.type, b.root, b.comm, &request);
  return StartedRequest(info.Env(), rc, request, false);
}

// ireduce(comm, sendbuf | null, recvbuf | null, op, root) -> id or [id, error]
Napi::Value Ireduce(const Napi::CallbackInfo& info) {
  Reduction r;
  MPI_Request request;
  if (!ReadNonblockingReduction(info, true, &r)) return Napi::Value();
  int rc = MPI_Ireduce(r.send, r.recv, static_cast<int>(r.count), r.type, r.op, r.root, r.comm, &request);
  return StartedReduction(info.Env(), rc, request);
}

// iallreduce(comm, sendbuf | null, recvbuf, op) -> id or [id, error]
Napi::Value Iallreduce(const Napi::CallbackInfo& info) {
  Reduction r;
  MPI_Request request;
  if (!ReadNonblockingReduction(info, false, &r)) return Napi::Value();
  int rc = MPI_Iallreduce(r.send, r.recv, static_cast<int>(r.count), r.type, r.op, r.comm, &request);
  return StartedReduction(info.Env(), rc, request);
}

// igather(comm, sendbuf, recvbuf | null, root) -> id
Napi::Value Igather(const Napi::CallbackInfo& info) {
  Blocks b;
  MPI_Request request;
  if (!ReadGather(info, true, &b)) return Napi::Value();
  int rc = MPI_Igather(b.send, b.sendType.count, b.sendType.type, b.recv, b.recvType.count, b.recvType.type, b.root,
                       b.comm, &request);
  return StartedRequest(info.Env(), rc, request, false);
}

// iallgather(comm, sendbuf, recvbuf) -> id
Napi::Value Iallgather(const Napi::CallbackInfo& info) {
  Blocks b;
  MPI_Request request;
  if (!ReadGather(info, false, &b)) return Napi::Value();
  int rc = MPI_Iallgather(b.send, b.sendType.count, b.sendType.type, b.recv, b.recvType.count, b.recvType.type,
                          b.comm, &request);
  return StartedRequest(info.Env(), rc, request, false);
}

// iscatter(comm, sendbuf | null, recvbuf, root) -> id
Napi::Value Iscatter(const Napi::CallbackInfo& info) {
  Blocks b;
  MPI_Request request;
  if (!ReadScatter(info, &b)) return Napi::Value();
  int rc = MPI_Iscatter(b.send, b.sendType.count, b.sendType.type, b.recv, b.recvType.count, b.recvType.type, b.root,
                        b.comm, &request);
  return StartedRequest(info.Env(), rc, request, false);
}

// ialltoall(comm, sendbuf, recvbuf) -> id
Napi::Value Ialltoall(const Napi::CallbackInfo& info) {
  Blocks b;
  MPI_Request request;
  if (!ReadAlltoall(info, &b)) return Napi::Value();
  int rc = MPI_Ialltoall(b.send, b.sendType.count, b.sendType.type, b.recv, b.recvType.count, b.recvType.type,
                         b.comm, &request);
  return StartedRequest(info.Env(), rc, request, false);
}

}  // namespace

void InitNonblockingCollective(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "ibarrier", Ibarrier);
  Export(env, exports, "ibcast", Ibcast);
  Export(env, exports, "ireduce", Ireduce);
  Export(env, exports, "iallreduce", Iallreduce);
  Export(env, exports, "igather", Igather);
  Export(env, exports, "iallgather", Iallgather);
  Export(env, exports, "iscatter", Iscatter);
  Export(env, exports, "ialltoall", Ialltoall);
}

}  // namespace mpi4js
