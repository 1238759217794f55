#include "status.h"

#include "args.h"

namespace mpi4js {
namespace {

double* slots = nullptr;
double unsetSlots[kStatusFields];  // written to until the TS layer shares its array
Napi::Reference<Napi::Float64Array> slotsRef;

// setStatusArray(Float64Array(kStatusFields))
Napi::Value SetStatusArray(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[0].As<Napi::Float64Array>().ElementLength() < kStatusFields) {
    ThrowTypeError(info.Env(), "status array must be a Float64Array of 5 elements");
    return info.Env().Undefined();
  }
  Napi::Float64Array array = info[0].As<Napi::Float64Array>();
  slotsRef = Napi::Persistent(array);
  slots = array.Data();
  return info.Env().Undefined();
}

}  // namespace

void StoreStatus(const MPI_Status& status) { StoreStatus(status, slots != nullptr ? slots : unsetSlots); }

void StoreStatus(const MPI_Status& status, double* out) {
  MPI_Count bytes = 0;
  int cancelled = 0;
  MPI_Get_elements_x(&status, MPI_BYTE, &bytes);
  MPI_Test_cancelled(&status, &cancelled);
  out[kSource] = status.MPI_SOURCE;
  out[kTag] = status.MPI_TAG;
  out[kBytes] = bytes == MPI_UNDEFINED ? -1 : static_cast<double>(bytes);
  out[kCancelled] = cancelled;
  out[kError] = status.MPI_ERROR;
}

void ResetStatus() {
  slots = nullptr;
  slotsRef.Reset();
}

void InitStatus(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "setStatusArray", SetStatusArray);
  exports.Set("STATUS_FIELDS", Napi::Number::New(env, kStatusFields));
}

}  // namespace mpi4js
