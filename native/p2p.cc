// Blocking point-to-point on buffers (zero-copy) and the receive half of the value path (matched probe).
#include "p2p.h"

#include "args.h"
#include "comm.h"
#include "datatype.h"
#include "request.h"
#include "status.h"

namespace mpi4js {

namespace {
const double kUnsetEnvelope[kEnvelopeFields] = {NAN, NAN, NAN, NAN};
Napi::Reference<Napi::Float64Array> envelopeRef;
}  // namespace

const double* envelope = kUnsetEnvelope;

void ResetEnvelope() {
  envelope = kUnsetEnvelope;
  envelopeRef.Reset();
}

namespace {

// setEnvelopeArray(Float64Array(kEnvelopeFields)): where the TS layer writes (comm, peer, tag, kind) before each
// send, ssend, recv, isend and irecv.
Napi::Value SetEnvelopeArray(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[0].As<Napi::Float64Array>().ElementLength() < kEnvelopeFields) {
    ThrowTypeError(info.Env(), "envelope must be a Float64Array of ENVELOPE_FIELDS elements");
    return Napi::Value();
  }
  envelopeRef = Napi::Persistent(info[0].As<Napi::Float64Array>());
  envelope = envelopeRef.Value().Data();
  return Napi::Value();
}

using SendFunction = int (*)(const void*, int, MPI_Datatype, int, int, MPI_Comm);

// send(buf), envelope (comm, dest, tag); and ssend: the same arguments, a different MPI call.
template <SendFunction mpiSend>
napi_value Send(napi_env env, napi_callback_info info) {
  Message m;
  if (!ReadMessage(env, info, "dest", &m)) return nullptr;
  CountedType shortened;
  const CountedType* counted = SelfSendCount(env, m.comm, m.peer, m.tag, m.buf.bytes, m.counted, &shortened);
  if (counted != nullptr) Check(env, mpiSend(m.buf.data, counted->count, counted->type, m.peer, m.tag, m.comm));
  return nullptr;
}

// recv(buf), envelope (comm, source, tag): the status goes to the shared status array.
napi_value Recv(napi_env env, napi_callback_info info) {
  Message m;
  MPI_Status status;
  if (ReadMessage(env, info, "source", &m) &&
      Check(env, MPI_Recv(m.buf.data, m.counted.count, m.counted.type, m.peer, m.tag, m.comm, &status))) {
    StoreStatus(status);
  }
  return nullptr;
}

// sendrecv(comm, sendbuf, dest, sendtag, recvbuf, source, recvtag, sendKind, recvKind): each kind as the envelope's
// (a view's class, or a registered view's slot)
Napi::Value Sendrecv(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  BufferView sendbuf, recvbuf;
  int dest, sendtag, source, recvtag;
  CountedType sendCounted, recvCounted;
  MPI_Status status;
  napi_env env = info.Env();
  double sendKind = NAN, recvKind = NAN;  // not numbers: the views are read the general way
  napi_get_value_double(env, info[7], &sendKind);
  napi_get_value_double(env, info[8], &recvKind);
  if (!GetComm(info[0], &comm) || !GetBufferView(env, info[1], sendKind, "sendbuf", &sendbuf) ||
      !ToInt(info[2], "dest", &dest) || !ToInt(info[3], "sendtag", &sendtag) ||
      !GetBufferView(env, info[4], recvKind, "recvbuf", &recvbuf) ||
      !ToInt(info[5], "source", &source) || !ToInt(info[6], "recvtag", &recvtag) ||
      !sendCounted.Set(env, sendbuf.elements, sendbuf.type) ||
      !recvCounted.Set(env, recvbuf.elements, recvbuf.type)) {
    return Napi::Value();
  }
  OwnReceive own{source, recvtag, recvbuf.bytes};
  CountedType shortened;
  const CountedType* counted = SelfSendCount(env, comm, dest, sendtag, sendbuf.bytes, sendCounted, &shortened, &own);
  if (counted == nullptr) return Napi::Value();
  if (Check(env, MPI_Sendrecv(sendbuf.data, counted->count, counted->type, dest, sendtag, recvbuf.data,
                              recvCounted.count, recvCounted.type, source, recvtag, comm, &status)) &&
      Check(env, own.truncated ? MPI_ERR_TRUNCATE : MPI_SUCCESS)) {
    StoreStatus(status);
  }
  return Napi::Value();
}

// probe(comm, source, tag)
Napi::Value Probe(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  int source, tag;
  MPI_Status status;
  if (!GetComm(info[0], &comm) || !ToInt(info[1], "source", &source) || !ToInt(info[2], "tag", &tag)) {
    return Napi::Value();
  }
  if (Check(info.Env(), MPI_Probe(source, tag, comm, &status))) StoreStatus(status);
  return Napi::Value();
}

// iprobe(comm, source, tag) -> whether a message is there (its status stored)
Napi::Value Iprobe(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  int source, tag, flag = 0;
  MPI_Status status;
  if (!GetComm(info[0], &comm) || !ToInt(info[1], "source", &source) || !ToInt(info[2], "tag", &tag) ||
      !Check(info.Env(), MPI_Iprobe(source, tag, comm, &flag, &status))) {
    return Napi::Value();
  }
  if (flag) StoreStatus(status);
  return Napi::Boolean::New(info.Env(), flag != 0);
}

// recvBytes(comm, source, tag, scratch) -> the message's size when it fitted into `scratch` and was received there,
// else a new Buffer holding it, whatever its size. The matched probe takes the message out of the queue at probe
// time, so a concurrent ANY_SOURCE receive can never take its payload. The scratch buffer spares small values an
// allocation per message.
Napi::Value RecvBytes(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  int source, tag;
  BufferView scratch;
  MPI_Message message;
  MPI_Status status;
  if (!GetComm(info[0], &comm) || !ToInt(info[1], "source", &source) || !ToInt(info[2], "tag", &tag) ||
      !GetBufferView(info[3], "scratch", &scratch) ||
      !Check(info.Env(), MPI_Mprobe(source, tag, comm, &message, &status))) {
    return Napi::Value();
  }
  return ReceiveMatched(info.Env(), &message, status, &scratch);
}

// sendrecvBytes(comm, payload, dest, sendtag, source, recvtag) -> Buffer: the value path's sendrecv. The send is
// nonblocking so that two ranks exchanging large values with each other cannot deadlock on each other's send.
Napi::Value SendrecvBytes(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  BufferView payload;
  int dest, sendtag, source, recvtag;
  CountedType counted;
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Message message;
  MPI_Status status;
  if (!GetComm(info[0], &comm) || !GetBufferView(info[1], "payload", &payload) || !ToInt(info[2], "dest", &dest) ||
      !ToInt(info[3], "sendtag", &sendtag) || !ToInt(info[4], "source", &source) ||
      !ToInt(info[5], "recvtag", &recvtag) || !counted.Set(info.Env(), payload.bytes, MPI_BYTE)) {
    return Napi::Value();
  }
  CountedType shortened;
  const CountedType* sent = SelfSendCount(info.Env(), comm, dest, sendtag, payload.bytes, counted, &shortened);
  if (sent == nullptr ||
      !Check(info.Env(), MPI_Isend(payload.data, sent->count, sent->type, dest, sendtag, comm, &request))) {
    return Napi::Value();
  }
  int rc = MPI_Mprobe(source, recvtag, comm, &message, &status);
  Napi::Value received = rc == MPI_SUCCESS ? ReceiveMatched(info.Env(), &message, status, nullptr) : Napi::Value();
  MPI_Status sendStatus;
  int sendRc = MPI_Wait(&request, &sendStatus);
  if (!Check(info.Env(), rc) || received.IsEmpty() || !Check(info.Env(), sendRc)) return Napi::Value();
  return received;
}

}  // namespace

Napi::Value ReceiveMatched(Napi::Env env, MPI_Message* message, const MPI_Status& probed, const BufferView* scratch) {
  MPI_Count bytes = 0;
  MPI_Get_elements_x(&probed, MPI_BYTE, &bytes);
  if (bytes == MPI_UNDEFINED || bytes < 0) bytes = 0;
  const size_t size = static_cast<size_t>(bytes);
  const bool intoScratch = scratch != nullptr && size <= scratch->bytes;
  Napi::Value result;
  void* data;
  if (intoScratch) {
    result = Napi::Number::New(env, static_cast<double>(size));
    data = scratch->data;
  } else {
    Napi::Buffer<uint8_t> payload = Napi::Buffer<uint8_t>::New(env, size);
    result = payload;
    data = payload.Data();
  }
  CountedType counted;
  MPI_Status status;
  if (!counted.Set(env, size, MPI_BYTE)) {
    MPI_Mrecv(nullptr, 0, MPI_BYTE, message, &status);  // the message is ours: take it off the queue anyway
    return Napi::Value();
  }
  if (!Check(env, MPI_Mrecv(data, counted.count, counted.type, message, &status))) return Napi::Value();
  StoreStatus(status);
  return result;
}

void InitP2P(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "setEnvelopeArray", SetEnvelopeArray);
  exports.Set("ENVELOPE_FIELDS", Napi::Number::New(env, kEnvelopeFields));
  Export(env, exports, "send", Send<MPI_Send>);
  Export(env, exports, "ssend", Send<MPI_Ssend>);
  Export(env, exports, "recv", Recv);
  Export(env, exports, "sendrecv", Sendrecv);
  Export(env, exports, "probe", Probe);
  Export(env, exports, "iprobe", Iprobe);
  Export(env, exports, "recvBytes", RecvBytes);
  Export(env, exports, "sendrecvBytes", SendrecvBytes);
}

}  // namespace mpi4js
