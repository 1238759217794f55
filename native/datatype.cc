#include "datatype.h"

#include <cstdint>
#include <utility>

#include "args.h"

namespace mpi4js {

MPI_Datatype DatatypeOf(napi_typedarray_type kind) {
  switch (kind) {
    case napi_int8_array: return MPI_INT8_T;
    case napi_uint8_array: return MPI_UINT8_T;
    case napi_uint8_clamped_array: return MPI_UINT8_T;
    case napi_int16_array: return MPI_INT16_T;
    case napi_uint16_array: return MPI_UINT16_T;
    case napi_int32_array: return MPI_INT32_T;
    case napi_uint32_array: return MPI_UINT32_T;
    case napi_float32_array: return MPI_FLOAT;
    case napi_float64_array: return MPI_DOUBLE;
    case napi_bigint64_array: return MPI_INT64_T;
    case napi_biguint64_array: return MPI_UINT64_T;
    default: return MPI_DATATYPE_NULL;  // Float16Array: no MPI datatype in MPI 3/4 C bindings
  }
}

bool KindOf(MPI_Datatype type, napi_typedarray_type* kind) {
  // Open MPI's predefined datatypes are addresses, not constants, so this cannot be a switch.
  static const napi_typedarray_type kinds[] = {napi_int8_array,    napi_uint8_array,    napi_int16_array,
                                               napi_uint16_array,  napi_int32_array,    napi_uint32_array,
                                               napi_float32_array, napi_float64_array,  napi_bigint64_array,
                                               napi_biguint64_array};
  for (napi_typedarray_type k : kinds) {
    if (DatatypeOf(k) == type) {
      *kind = k;
      return true;
    }
  }
  return false;
}

size_t ElementSize(napi_typedarray_type kind) {
  switch (kind) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array: return 8;
    default: return 2;  // Float16Array
  }
}

bool GetBufferView(const Napi::Value& value, const char* name, BufferView* out) {
  napi_env env = value.Env();
  size_t length = 0;
  // A typed array (Buffer included) is the common case: one call gives class, length and data (offset applied).
  if (napi_get_typedarray_info(env, value, &out->kind, &length, &out->data, nullptr, nullptr) == napi_ok) {
    out->elements = length;
    out->bytes = length * ElementSize(out->kind);
    out->type = DatatypeOf(out->kind);
    return true;
  }
  bool isDataView = false;
  if (napi_is_dataview(env, value, &isDataView) == napi_ok && isDataView &&
      napi_get_dataview_info(env, value, &length, &out->data, nullptr, nullptr) == napi_ok) {
    out->kind = napi_uint8_array;
    out->elements = out->bytes = length;
    out->type = MPI_BYTE;
    return true;
  }
  std::string message = std::string(name) + " must be a typed array, Buffer or DataView";
  ThrowTypeError(env, message.c_str());
  return false;
}

bool GetBufferViewOfKind(napi_env env, napi_value value, double kind, const char* name, BufferView* out) {
  const bool known = (kind >= napi_int8_array && kind <= napi_biguint64_array) || kind == kDataViewKind;
  bool isView = false;
  size_t bytes = 0;
  // napi_is_buffer is true of any ArrayBufferView in Node 20 (node::Buffer::HasInstance); napi_get_buffer_info must
  // not see anything else (it CHECK-fails there), and if a later Node narrows either, the general path takes over.
  if (!known || napi_is_buffer(env, value, &isView) != napi_ok || !isView ||
      napi_get_buffer_info(env, value, &out->data, &bytes) != napi_ok) {
    return GetBufferView(Napi::Value(env, value), name, out);
  }
  if (kind == kDataViewKind) {
    out->kind = napi_uint8_array;
    out->elements = out->bytes = bytes;
    out->type = MPI_BYTE;
    return true;
  }
  out->kind = static_cast<napi_typedarray_type>(kind);
  const size_t size = ElementSize(out->kind);
  out->elements = bytes / size;
  out->bytes = out->elements * size;
  out->type = DatatypeOf(out->kind);
  return true;
}

bool CountedType::SetLarge(napi_env env, size_t elements, MPI_Datatype base) {
  // count = 1 of struct { q blocks of 2^30 elements; r elements }: the same type signature as `elements` elements
  // of `base`, so it matches a peer that uses the plain type or the MPI-4 large-count calls.
  const size_t chunk = size_t(1) << 30;
  MPI_Aint lb = 0, extent = 0;
  MPI_Datatype block = MPI_DATATYPE_NULL;
  if (!Check(env, MPI_Type_get_extent(base, &lb, &extent))) return false;
  if (!Check(env, MPI_Type_contiguous(static_cast<int>(chunk), base, &block))) return false;
  int lengths[2] = {static_cast<int>(elements / chunk), static_cast<int>(elements % chunk)};
  MPI_Aint displacements[2] = {0, static_cast<MPI_Aint>((elements / chunk) * chunk) * extent};
  MPI_Datatype types[2] = {block, base};
  int rc = MPI_Type_create_struct(2, lengths, displacements, types, &type);
  MPI_Type_free(&block);
  if (!Check(env, rc)) return false;
  if (!Check(env, MPI_Type_commit(&type))) {
    MPI_Type_free(&type);
    return false;
  }
  derived_ = true;
  count = 1;
  return true;
}

// isDetached(view): whether the view's ArrayBuffer has been detached (transferred). The TS layer asks only for
// zero-length views, which is what a detached buffer looks like.
static Napi::Value IsDetached(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  napi_value arraybuffer = nullptr;
  bool isTyped = false, isDataView = false, detached = false;
  napi_is_typedarray(env, info[0], &isTyped);
  if (isTyped) {
    napi_get_typedarray_info(env, info[0], nullptr, nullptr, nullptr, &arraybuffer, nullptr);
  } else if (napi_is_dataview(env, info[0], &isDataView) == napi_ok && isDataView) {
    napi_get_dataview_info(env, info[0], nullptr, nullptr, &arraybuffer, nullptr);
  }
  if (arraybuffer != nullptr) napi_is_detached_arraybuffer(env, arraybuffer, &detached);
  return Napi::Boolean::New(env, detached);
}

std::vector<BufferView> registeredViews;
static std::vector<size_t> freeViewSlots;

static void ForgetView(napi_env, void* data, void*) {
  const size_t slot = reinterpret_cast<uintptr_t>(data);
  if (slot >= registeredViews.size()) return;
  registeredViews[slot] = BufferView();
  freeViewSlots.push_back(slot);
}

// registerView(typedArray) -> kViewSlotBase + slot (see GetRegisteredView). The TS layer registers only non-empty
// typed arrays over fixed-length memory, and only those used again and again (messageKind in src/errors.ts).
static Napi::Value RegisterView(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  BufferView view;
  if (!info[0].IsTypedArray() || !GetBufferView(info[0], "view", &view) || view.bytes == 0 ||
      view.type == MPI_DATATYPE_NULL) {
    if (!info.Env().IsExceptionPending()) ThrowTypeError(env, "view must be a non-empty typed array");
    return Napi::Value();
  }
  size_t slot = registeredViews.size();
  if (!freeViewSlots.empty()) {
    slot = freeViewSlots.back();
    freeViewSlots.pop_back();
  } else {
    registeredViews.emplace_back();
  }
  if (napi_add_finalizer(env, info[0], reinterpret_cast<void*>(static_cast<uintptr_t>(slot)), ForgetView, nullptr,
                         nullptr) != napi_ok) {
    freeViewSlots.push_back(slot);
    ThrowTypeError(env, "view cannot be registered");
    return Napi::Value();
  }
  registeredViews[slot] = view;
  return Napi::Number::New(env, kViewSlotBase + static_cast<double>(slot));
}

void InitDatatype(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "isDetached", IsDetached);
  Export(env, exports, "registerView", RegisterView);
  // VIEW_KINDS: the kind the calls above take, by the class name a view's Symbol.toStringTag gives.
  static const std::pair<const char*, int> kViewKinds[] = {
      {"Int8Array", napi_int8_array},       {"Uint8Array", napi_uint8_array},
      {"Uint8ClampedArray", napi_uint8_clamped_array}, {"Int16Array", napi_int16_array},
      {"Uint16Array", napi_uint16_array},   {"Int32Array", napi_int32_array},
      {"Uint32Array", napi_uint32_array},   {"Float32Array", napi_float32_array},
      {"Float64Array", napi_float64_array}, {"BigInt64Array", napi_bigint64_array},
      {"BigUint64Array", napi_biguint64_array}, {"DataView", kDataViewKind}};
  Napi::Object kinds = Napi::Object::New(env);
  for (const auto& [name, kind] : kViewKinds) kinds.Set(name, Napi::Number::New(env, kind));
  exports.Set("VIEW_KINDS", kinds);
}

}  // namespace mpi4js
