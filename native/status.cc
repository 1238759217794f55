#include "status.h"

#include <cstdint>

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

// Both MPIs keep a status's byte count and its cancelled flag in fields that their mpi.h declares: reading those is
// what MPI_Get_elements_x(MPI_BYTE) and MPI_Test_cancelled do, less two calls into the library (~110 instructions
// per receive, callgrind). At start-up, CheckStatusFields compares the reading with those calls on statuses they
// filled in; with any other MPI, or one whose layout differs, the calls are made.
bool fieldsReadable = false;

inline void ReadFields(const MPI_Status& status, MPI_Count* bytes, int* cancelled) {
#if defined(OPEN_MPI)
  *bytes = static_cast<MPI_Count>(status._ucount);
  *cancelled = status._cancelled;
#elif defined(MPICH)
  const uint64_t high = static_cast<uint32_t>(status.count_hi_and_cancelled) >> 1;
  *bytes = static_cast<MPI_Count>((high << 32) | static_cast<uint32_t>(status.count_lo));
  *cancelled = status.count_hi_and_cancelled & 1;
#else
  (void)status;
  *bytes = -1;
  *cancelled = -1;
#endif
}

void CheckStatusFields() {
  const MPI_Count sizes[] = {0, 1, 8, 1000, 123456789, (MPI_Count(1) << 33) + 5};
  for (MPI_Count size : sizes) {
    for (int flag : {0, 1}) {
      MPI_Status status{};
      MPI_Count bytes = -1, read = -2;
      int cancelled = -1, readCancelled = -2;
      if (MPI_Status_set_elements_x(&status, MPI_BYTE, size) != MPI_SUCCESS ||
          MPI_Status_set_cancelled(&status, flag) != MPI_SUCCESS ||
          MPI_Get_elements_x(&status, MPI_BYTE, &bytes) != MPI_SUCCESS ||
          MPI_Test_cancelled(&status, &cancelled) != MPI_SUCCESS) {
        return;
      }
      ReadFields(status, &read, &readCancelled);
      if (read != bytes || readCancelled != cancelled) return;
    }
  }
  fieldsReadable = true;
}

}  // namespace

void StoreStatus(const MPI_Status& status) { StoreStatus(status, slots != nullptr ? slots : unsetSlots); }

void StoreStatus(const MPI_Status& status, double* out) {
  MPI_Count bytes = 0;
  int cancelled = 0;
  if (fieldsReadable) {
    ReadFields(status, &bytes, &cancelled);
  } else {
    MPI_Get_elements_x(&status, MPI_BYTE, &bytes);
    MPI_Test_cancelled(&status, &cancelled);
  }
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
  CheckStatusFields();
  Export(env, exports, "setStatusArray", SetStatusArray);
  exports.Set("STATUS_FIELDS", Napi::Number::New(env, kStatusFields));
}

}  // namespace mpi4js
