#include "collective.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>

#include "args.h"
#include "comm.h"
#include "op.h"

namespace mpi4js {
namespace {

bool TypeFail(napi_env env, const std::string& message) {
  ThrowTypeError(env, message.c_str());
  return false;
}

bool RangeFail(napi_env env, const std::string& message) {
  napi_throw_range_error(env, nullptr, message.c_str());
  return false;
}

int RankIn(MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank;
}

int SizeOf(MPI_Comm comm) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  return size;
}

// Both buffers must have elements of the same size and datatype.
bool SameClass(napi_env env, const BufferView& send, const BufferView& recv) {
  return (send.type == recv.type && send.kind == recv.kind) || TypeFail(env, "recvbuf must be of sendbuf's class");
}

// How a reduction's result is laid out.
enum class Shape {
  kAtRoot,      // reduce: at the root only
  kEverywhere,  // allreduce, scan, exscan: on every rank
  kScattered,   // reduceScatterBlock: block `rank` of the result on each rank
};

// The optional last arguments of the calls below: the kind of their buffers (datatype.h), as the TS layer found it
// on the input, or NaN. The TS layer has checked that the output is of the input's class. A reduction takes one kind
// (a scatter, gather or all-to-all too) for each of its two buffers, since either may be a registered view's slot.
double KindArg(const Napi::CallbackInfo& info, size_t index) {
  double kind = NAN;
  return napi_get_value_double(info.Env(), info[index], &kind) == napi_ok ? kind : NAN;
}

bool ReadReductionShaped(const Napi::CallbackInfo& info, Shape shape, Reduction* r) {
  napi_env env = info.Env();
  BufferView send, recv;
  const bool inPlace = info[1].IsNull();
  const bool hasRecv = !info[2].IsNull();
  const bool rooted = shape == Shape::kAtRoot;
  const double sendKind = KindArg(info, rooted ? 5 : 4);
  const double recvKind = KindArg(info, rooted ? 6 : 5);
  if (!GetComm(info[0], &r->comm) || (!inPlace && !GetBufferView(env, info[1], sendKind, "sendbuf", &send)) ||
      (hasRecv && !GetBufferView(env, info[2], recvKind, "recvbuf", &recv)) || !GetOp(info[3], &r->op) ||
      (rooted && !ToInt(info[4], "root", &r->root))) {
    return false;
  }
  if (inPlace && !hasRecv) return TypeFail(env, "an in-place reduction needs recvbuf");
  if (!hasRecv && !rooted) return TypeFail(env, "recvbuf must be a buffer");
  if (rooted && (inPlace || !hasRecv)) {
    const bool atRoot = RankIn(r->comm) == r->root;
    if (inPlace && !atRoot) return TypeFail(env, "only the root of reduce can reduce in place");
    if (!hasRecv && atRoot) return TypeFail(env, "the root of reduce needs recvbuf");
  }
  if (hasRecv && !inPlace && !SameClass(env, send, recv)) return false;
  const BufferView& data = inPlace ? recv : send;
  r->count = data.elements;
  if (shape == Shape::kScattered) {
    const size_t size = static_cast<size_t>(SizeOf(r->comm));
    if (data.elements % size != 0) return RangeFail(env, "sendbuf's length must be divisible by the size");
    r->count = data.elements / size;
    if (r->count > static_cast<size_t>(INT_MAX)) {
      return RangeFail(env, "reduceScatterBlock moves at most 2^31-1 elements per rank");
    }
  }
  if (hasRecv && !inPlace && recv.elements < r->count) return RangeFail(env, "recvbuf is too short for the result");
  r->elementSize = data.elements > 0 ? data.bytes / data.elements : 1;
  ResolveReduction(data, &r->op, &r->type);
  r->send = inPlace ? MPI_IN_PLACE : send.data;
  r->recv = hasRecv ? recv.data : nullptr;
  return true;
}

// A reduction of more than INT_MAX elements is made of several calls: reductions are elementwise, and the built-in
// ops do not apply to the derived type that CountedType would build. A user op's error ends it at once.
template <typename Call>
void ReduceInChunks(napi_env env, const Reduction& r, Call call) {
  size_t done = 0;
  do {
    const size_t count = std::min(r.count - done, static_cast<size_t>(INT_MAX));
    const size_t offset = done * r.elementSize;
    const void* send = r.send == MPI_IN_PLACE ? MPI_IN_PLACE : static_cast<const char*>(r.send) + offset;
    void* recv = r.recv != nullptr ? static_cast<char*>(r.recv) + offset : nullptr;
    const int rc = call(send, recv, static_cast<int>(count));
    if (RethrowUserOpError(env) || !Check(env, rc)) return;
    done += count;
  } while (done < r.count);
}

// ---- Reductions ---------------------------------------------------------------------------------------------------

// reduce(comm, sendbuf | null, recvbuf | null, op, root)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Reduction r;
  if (!ReadReduction(info, true, &r)) return Napi::Value();
  ReduceInChunks(info.Env(), r, [&r](const void* send, void* recv, int count) {
    return MPI_Reduce(send, recv, count, r.type, r.op, r.root, r.comm);
  });
  return Napi::Value();
}

using ReduceFunction = int (*)(const void*, void*, int, MPI_Datatype, MPI_Op, MPI_Comm);

// allreduce, scan and exscan(comm, sendbuf | null, recvbuf, op): the same arguments, a different MPI call.
template <ReduceFunction mpiReduce>
Napi::Value ReduceEverywhere(const Napi::CallbackInfo& info) {
  Reduction r;
  if (!ReadReduction(info, false, &r)) return Napi::Value();
  ReduceInChunks(info.Env(), r, [&r](const void* send, void* recv, int count) {
    return mpiReduce(send, recv, count, r.type, r.op, r.comm);
  });
  return Napi::Value();
}

// reduceScatterBlock(comm, sendbuf | null, recvbuf, op)
Napi::Value ReduceScatterBlock(const Napi::CallbackInfo& info) {
  Reduction r;
  if (!ReadReductionShaped(info, Shape::kScattered, &r)) return Napi::Value();
  const int rc = MPI_Reduce_scatter_block(r.send, r.recv, static_cast<int>(r.count), r.type, r.op, r.comm);
  if (!RethrowUserOpError(info.Env())) Check(info.Env(), rc);
  return Napi::Value();
}

// ---- Blocks -------------------------------------------------------------------------------------------------------

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  if (GetComm(info[0], &comm)) Check(info.Env(), MPI_Barrier(comm));
  return Napi::Value();
}

// bcast(comm, buf, root)
Napi::Value Bcast(const Napi::CallbackInfo& info) {
  Blocks b;
  if (ReadBcast(info, &b)) Check(info.Env(), MPI_Bcast(b.recv, b.recvType.count, b.recvType.type, b.root, b.comm));
  return Napi::Value();
}

// gather(comm, sendbuf, recvbuf | null, root)
Napi::Value Gather(const Napi::CallbackInfo& info) {
  Blocks b;
  if (ReadGather(info, true, &b)) {
    Check(info.Env(), MPI_Gather(b.send, b.sendType.count, b.sendType.type, b.recv, b.recvType.count,
                                 b.recvType.type, b.root, b.comm));
  }
  return Napi::Value();
}

// allgather(comm, sendbuf, recvbuf)
Napi::Value Allgather(const Napi::CallbackInfo& info) {
  Blocks b;
  if (ReadGather(info, false, &b)) {
    Check(info.Env(), MPI_Allgather(b.send, b.sendType.count, b.sendType.type, b.recv, b.recvType.count,
                                    b.recvType.type, b.comm));
  }
  return Napi::Value();
}

// scatter(comm, sendbuf | null, recvbuf, root)
Napi::Value Scatter(const Napi::CallbackInfo& info) {
  Blocks b;
  if (ReadScatter(info, &b)) {
    Check(info.Env(), MPI_Scatter(b.send, b.sendType.count, b.sendType.type, b.recv, b.recvType.count,
                                  b.recvType.type, b.root, b.comm));
  }
  return Napi::Value();
}

// alltoall(comm, sendbuf, recvbuf)
Napi::Value Alltoall(const Napi::CallbackInfo& info) {
  Blocks b;
  if (ReadAlltoall(info, &b)) {
    Check(info.Env(), MPI_Alltoall(b.send, b.sendType.count, b.sendType.type, b.recv, b.recvType.count,
                                   b.recvType.type, b.comm));
  }
  return Napi::Value();
}

// ---- Blocks of any length ("v" collectives) -----------------------------------------------------------------------

// Reads counts: an Int32Array of one non-negative entry per rank, whose blocks fit in `capacity` elements.
bool ReadLayout(const Napi::Value& value, const char* name, int size, size_t capacity, Layout* out) {
  napi_env env = value.Env();
  napi_typedarray_type kind;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, value, &kind, &length, &data, nullptr, nullptr) != napi_ok ||
      kind != napi_int32_array || length != static_cast<size_t>(size)) {
    return TypeFail(env, std::string(name) + " must be an Int32Array of one count per rank");
  }
  out->counts = static_cast<const int*>(data);
  out->displs.resize(length);
  int64_t total = 0;
  for (size_t i = 0; i < length; i++) {
    if (out->counts[i] < 0) return RangeFail(env, std::string(name) + " must not be negative");
    out->displs[i] = static_cast<int>(total);
    total += out->counts[i];
    if (total > INT_MAX) {
      return RangeFail(env, std::string(name) + " add up to more than 2^31-1 elements, the most MPI-3's int " +
                                "displacements can address");
    }
  }
  if (static_cast<size_t>(total) > capacity) {
    return RangeFail(env, std::string(name) + " add up to more elements than the buffer holds");
  }
  return true;
}

bool IntCount(napi_env env, const BufferView& view, const char* name, int* count) {
  if (view.elements > static_cast<size_t>(INT_MAX)) {
    return RangeFail(env, std::string(name) + " may hold at most 2^31-1 elements in a v-collective (MPI-3 int counts)");
  }
  *count = static_cast<int>(view.elements);
  return true;
}

// gatherv(comm, sendbuf, recvbuf | null, counts | null, root)
Napi::Value Gatherv(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  MPI_Comm comm;
  BufferView send, recv;
  Layout layout;
  int root, sendCount;
  if (!GetComm(info[0], &comm) || !GetBufferView(info[1], "sendbuf", &send) || !ToInt(info[4], "root", &root) ||
      !IntCount(env, send, "sendbuf", &sendCount)) {
    return Napi::Value();
  }
  if (RankIn(comm) == root) {
    if (!GetBufferView(info[2], "recvbuf", &recv) ||
        !ReadLayout(info[3], "counts", SizeOf(comm), recv.elements, &layout)) {
      return Napi::Value();
    }
    if (!SameClass(env, send, recv)) return Napi::Value();
  }
  Check(env, MPI_Gatherv(send.data, sendCount, send.type, recv.data, layout.counts, layout.displs.data(), send.type,
                         root, comm));
  return Napi::Value();
}

// allgatherv(comm, sendbuf, recvbuf, counts)
Napi::Value Allgatherv(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  MPI_Comm comm;
  BufferView send, recv;
  Layout layout;
  int sendCount;
  if (!GetComm(info[0], &comm) || !GetBufferView(info[1], "sendbuf", &send) ||
      !GetBufferView(info[2], "recvbuf", &recv) || !IntCount(env, send, "sendbuf", &sendCount) ||
      !ReadLayout(info[3], "counts", SizeOf(comm), recv.elements, &layout)) {
    return Napi::Value();
  }
  if (!SameClass(env, send, recv)) return Napi::Value();
  Check(env, MPI_Allgatherv(send.data, sendCount, send.type, recv.data, layout.counts, layout.displs.data(),
                            send.type, comm));
  return Napi::Value();
}

// scatterv(comm, sendbuf | null, counts | null, recvbuf, root)
Napi::Value Scatterv(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  MPI_Comm comm;
  BufferView send, recv;
  Layout layout;
  int root, recvCount;
  if (!GetComm(info[0], &comm) || !GetBufferView(info[3], "recvbuf", &recv) || !ToInt(info[4], "root", &root) ||
      !IntCount(env, recv, "recvbuf", &recvCount)) {
    return Napi::Value();
  }
  if (RankIn(comm) == root) {
    if (!GetBufferView(info[1], "sendbuf", &send) ||
        !ReadLayout(info[2], "counts", SizeOf(comm), send.elements, &layout)) {
      return Napi::Value();
    }
    if (!SameClass(env, send, recv)) return Napi::Value();
  }
  Check(env, MPI_Scatterv(send.data, layout.counts, layout.displs.data(), recv.type, recv.data, recvCount, recv.type,
                          root, comm));
  return Napi::Value();
}

// alltoallv(comm, sendbuf, sendcounts, recvbuf, recvcounts)
Napi::Value Alltoallv(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  MPI_Comm comm;
  BufferView send, recv;
  Layout sendLayout, recvLayout;
  if (!GetComm(info[0], &comm) || !GetBufferView(info[1], "sendbuf", &send) ||
      !GetBufferView(info[3], "recvbuf", &recv)) {
    return Napi::Value();
  }
  const int size = SizeOf(comm);
  if (!ReadLayout(info[2], "sendcounts", size, send.elements, &sendLayout) ||
      !ReadLayout(info[4], "recvcounts", size, recv.elements, &recvLayout)) {
    return Napi::Value();
  }
  if (!SameClass(env, send, recv)) return Napi::Value();
  Check(env, MPI_Alltoallv(send.data, sendLayout.counts, sendLayout.displs.data(), send.type, recv.data,
                           recvLayout.counts, recvLayout.displs.data(), recv.type, comm));
  return Napi::Value();
}

}  // namespace

bool ReadReduction(const Napi::CallbackInfo& info, bool rooted, Reduction* out) {
  return ReadReductionShaped(info, rooted ? Shape::kAtRoot : Shape::kEverywhere, out);
}

bool ReadBcast(const Napi::CallbackInfo& info, Blocks* b) {
  BufferView buf;
  if (!GetComm(info[0], &b->comm) || !GetBufferView(info.Env(), info[1], KindArg(info, 3), "buf", &buf) ||
      !ToInt(info[2], "root", &b->root)) {
    return false;
  }
  b->recv = buf.data;
  return b->recvType.Set(info.Env(), buf.elements, buf.type);
}

bool ReadGather(const Napi::CallbackInfo& info, bool rooted, Blocks* b) {
  napi_env env = info.Env();
  BufferView send, recv;
  const double sendKind = KindArg(info, rooted ? 4 : 3);
  const double recvKind = KindArg(info, rooted ? 5 : 4);
  if (!GetComm(info[0], &b->comm) || !GetBufferView(env, info[1], sendKind, "sendbuf", &send) ||
      (rooted && !ToInt(info[3], "root", &b->root))) {
    return false;
  }
  b->send = send.data;
  if (!b->sendType.Set(env, send.elements, send.type)) return false;
  if (rooted && RankIn(b->comm) != b->root) return b->recvType.Set(env, 0, send.type);  // recvbuf is not read
  if (!GetBufferView(env, info[2], recvKind, "recvbuf", &recv)) return false;
  if (!SameClass(env, send, recv)) return false;
  if (recv.elements / static_cast<size_t>(SizeOf(b->comm)) < send.elements) {
    return RangeFail(env, "recvbuf must hold size times sendbuf's length");
  }
  b->recv = recv.data;
  return b->recvType.Set(env, send.elements, recv.type);
}

bool ReadScatter(const Napi::CallbackInfo& info, Blocks* b) {
  napi_env env = info.Env();
  BufferView send, recv;
  const double recvKind = KindArg(info, 4);
  const double sendKind = KindArg(info, 5);
  if (!GetComm(info[0], &b->comm) || !GetBufferView(env, info[2], recvKind, "recvbuf", &recv) ||
      !ToInt(info[3], "root", &b->root)) {
    return false;
  }
  b->recv = recv.data;
  if (!b->recvType.Set(env, recv.elements, recv.type)) return false;
  if (RankIn(b->comm) != b->root) return b->sendType.Set(env, 0, recv.type);  // sendbuf is not read
  if (!GetBufferView(env, info[1], sendKind, "sendbuf", &send)) return false;
  if (!SameClass(env, send, recv)) return false;
  if (send.elements / static_cast<size_t>(SizeOf(b->comm)) < recv.elements) {
    return RangeFail(env, "sendbuf must hold size times recvbuf's length");
  }
  b->send = send.data;
  return b->sendType.Set(env, recv.elements, send.type);
}

bool ReadAlltoall(const Napi::CallbackInfo& info, Blocks* b) {
  napi_env env = info.Env();
  BufferView send, recv;
  const double sendKind = KindArg(info, 3);
  const double recvKind = KindArg(info, 4);
  if (!GetComm(info[0], &b->comm) || !GetBufferView(env, info[1], sendKind, "sendbuf", &send) ||
      !GetBufferView(env, info[2], recvKind, "recvbuf", &recv)) {
    return false;
  }
  const size_t size = static_cast<size_t>(SizeOf(b->comm));
  if (!SameClass(env, send, recv)) return false;
  if (send.elements % size != 0) return RangeFail(env, "sendbuf's length must be divisible by the size");
  if (recv.elements < send.elements) return RangeFail(env, "recvbuf must be as long as sendbuf");
  b->send = send.data;
  b->recv = recv.data;
  return b->sendType.Set(env, send.elements / size, send.type) &&
         b->recvType.Set(env, send.elements / size, recv.type);
}

void InitCollective(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "barrier", Barrier);
  Export(env, exports, "bcast", Bcast);
  Export(env, exports, "reduce", Reduce);
  Export(env, exports, "allreduce", ReduceEverywhere<MPI_Allreduce>);
  Export(env, exports, "scan", ReduceEverywhere<MPI_Scan>);
  Export(env, exports, "exscan", ReduceEverywhere<MPI_Exscan>);
  Export(env, exports, "reduceScatterBlock", ReduceScatterBlock);
  Export(env, exports, "gather", Gather);
  Export(env, exports, "allgather", Allgather);
  Export(env, exports, "scatter", Scatter);
  Export(env, exports, "alltoall", Alltoall);
  Export(env, exports, "gatherv", Gatherv);
  Export(env, exports, "allgatherv", Allgatherv);
  Export(env, exports, "scatterv", Scatterv);
  Export(env, exports, "alltoallv", Alltoallv);
}

}  // namespace mpi4js
