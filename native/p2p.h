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

// Where the TS layer writes (comm, peer, tag, the buffer's kind) before each of those calls: a Float64Array it shares
// once (setEnvelopeArray), so that the calls pass only the buffer. Three napi_get_value_double calls and their
// argument slots cost about 300 instructions per send + recv pair (callgrind), a ninth of what the binding adds.
// The numbers are checked here as if they were arguments; until the array is shared they are NaN and refused.
extern const double* envelope;
enum EnvelopeField { kEnvelopeComm, kEnvelopePeer, kEnvelopeTag, kEnvelopeKind, kEnvelopeFields };

// Lets go of the shared array when the environment is torn down.
void ResetEnvelope();

// Reads the call's buffer with one napi_get_cb_info, without the Napi::CallbackInfo wrapper and its per-call
// bookkeeping (these are the hottest entries of all), or, for a registered view, from its slot without looking at
// the arguments at all; and the rest from the envelope. False with an error thrown; `peerName` names the rank
// ("dest" or "source") in that error.
inline bool ReadMessage(napi_env env, napi_callback_info info, const char* peerName, Message* m) {
  const double kind = envelope[kEnvelopeKind];
  size_t argc = 1;
  napi_value buf = nullptr;  // stays null without an argument: GetBufferView then throws its TypeError
  // A registered view's slot is all GetBufferView needs: the argument is not read.
  if ((kind < kViewSlotBase && napi_get_cb_info(env, info, &argc, &buf, nullptr, nullptr) != napi_ok) ||
      !GetBufferView(env, buf, kind, "buf", &m->buf)) {
    return false;
  }
  return GetComm(env, envelope[kEnvelopeComm], &m->comm) &&
         ToInt(env, envelope[kEnvelopePeer], peerName, &m->peer) &&
         ToInt(env, envelope[kEnvelopeTag], "tag", &m->tag) &&
         m->counted.Set(env, m->buf.elements, m->buf.type);
}

// Receives a message already matched by MPI_Mprobe/MPI_Improbe: into `scratch` if given and the message fits
// (returning its size), else into a new Buffer of its size (returning the Buffer).
Napi::Value ReceiveMatched(Napi::Env env, MPI_Message* message, const MPI_Status& probed, const BufferView* scratch);

void InitP2P(Napi::Env env, Napi::Object exports);

}  // namespace mpi4js
