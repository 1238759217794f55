// Collectives on buffers. Each native function reads its JS arguments into the MPI operands of one of the structs
// below (Read*), then makes the blocking MPI call; a nonblocking variant reads the same struct and makes the MPI_I*
// call. The TypeScript layer has checked every argument already; the Read* functions check again, cheaply, what
// would otherwise let MPI read or write past a buffer.
#pragma once
#include <napi.h>

#include <vector>

#include "datatype.h"

namespace mpi4js {

// A reduction of `count` elements of `type` from `send` (MPI_IN_PLACE for an in-place one) into `recv` (null on the
// ranks other than the root of a rooted one).
struct Reduction {
  MPI_Comm comm = MPI_COMM_NULL;
  const void* send = nullptr;
  void* recv = nullptr;
  size_t count = 0;
  size_t elementSize = 1;
  MPI_Datatype type = MPI_DATATYPE_NULL;
  MPI_Op op = MPI_OP_NULL;
  int root = 0;
};

// (comm, sendbuf | null for in place, recvbuf | null, op[, root]): recvbuf may be null only off the root of a rooted
// reduction, and sendbuf only at its root.
bool ReadReduction(const Napi::CallbackInfo& info, bool rooted, Reduction* out);

// A collective moving one block per rank: `send` of (sendType.count, sendType.type), `recv` likewise.
struct Blocks {
  MPI_Comm comm = MPI_COMM_NULL;
  const void* send = nullptr;
  void* recv = nullptr;
  CountedType sendType;
  CountedType recvType;
  int root = 0;
};

// (comm, buf, root): `recv` is the buffer.
bool ReadBcast(const Napi::CallbackInfo& info, Blocks* out);
// (comm, sendbuf, recvbuf | null[, root]): recvbuf holds size blocks of sendbuf's length, at the root or everywhere.
bool ReadGather(const Napi::CallbackInfo& info, bool rooted, Blocks* out);
// (comm, sendbuf | null, recvbuf, root): sendbuf, read at the root only, holds size blocks of recvbuf's length.
bool ReadScatter(const Napi::CallbackInfo& info, Blocks* out);
// (comm, sendbuf, recvbuf): sendbuf's length divisible by size, recvbuf at least as long.
bool ReadAlltoall(const Napi::CallbackInfo& info, Blocks* out);

// The counts of a v-collective (an Int32Array of one entry per rank, read in place) and the displacements of
// contiguous blocks in rank order. MPI-3 takes them as ints: the blocks may hold at most INT_MAX elements in all.
struct Layout {
  const int* counts = nullptr;
  std::vector<int> displs;
};

void InitCollective(Napi::Env env, Napi::Object exports);

}  // namespace mpi4js
