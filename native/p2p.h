#pragma once
#include <napi.h>

#include "args.h"
#include "comm.h"
#include "datatype.h"

namespace mpi4js {

// The arguments of every single-buffer point-to-point call, (comm, buf, peer, tag): send, ssend, recv, isend, irecv.
struct Message {
  MPI_Comm comm;
  BufferView buf;
  int peer;
  int tag;
  CountedType counted;
};

// Reads them with one napi_get_cb_info into an array on the stack, without the Napi::CallbackInfo wrapper and its
// per-call bookkeeping: these are the hottest entries of all. False with an error thrown; `peerName` names the rank
// argument ("dest" or "source") in that error.
inline bool ReadMessage(napi_env env, napi_callback_info info, const char* peerName, Message* m) {
  size_t argc = 4;
  napi_value args[4];
  return napi_get_cb_info(env, info, &argc, args, nullptr, nullptr) == napi_ok &&
         GetComm(Napi::Value(env, args[0]), &m->comm) && GetBufferView(Napi::Value(env, args[1]), "buf", &m->buf) &&
         ToInt(Napi::Value(env, args[2]), peerName, &m->peer) && ToInt(Napi::Value(env, args[3]), "tag", &m->tag) &&
         m->counted.Set(env, m->buf.elements, m->buf.type);
}

// Receives a message already matched by MPI_Mprobe/MPI_Improbe into a new Buffer of its size.
Napi::Value ReceiveMatched(Napi::Env env, MPI_Message* message, const MPI_Status& probed);

void InitP2P(Napi::Env env, Napi::Object exports);

}  // namespace mpi4js
