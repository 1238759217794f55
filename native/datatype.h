// Maps JS buffers to MPI messages: a typed array's class gives the MPI datatype, its memory is passed by pointer.
#pragma once
#include <napi.h>

#include <climits>
#include <cstddef>
#include <vector>

#include "errors.h"

namespace mpi4js {

// A user buffer as MPI sees it: where it starts, how many elements of which datatype it holds.
struct BufferView {
  void* data = nullptr;
  size_t elements = 0;
  size_t bytes = 0;
  MPI_Datatype type = MPI_DATATYPE_NULL;
  napi_typedarray_type kind = napi_uint8_array;  // for DataView: napi_uint8_array with type MPI_BYTE
};

// Reads a typed array, Buffer or DataView without copying; anything else throws a TypeError naming `name`.
bool GetBufferView(const Napi::Value& value, const char* name, BufferView* out);

// The same, told the view's kind by the TS layer, which reads it off the view's class for ~2 ns (viewKind in
// src/native.ts): a typed-array kind up to napi_biguint64_array, or kDataViewKind. napi_get_typedarray_info, which
// the version above calls, finds the class by asking V8 about each of eleven in turn; with the kind known, a view
// is read with napi_is_buffer + napi_get_buffer_info, half the work (callgrind: ~250 instead of ~500 instructions
// per view). A wrong kind cannot reach past the view: the element count is its byte length over the kind's size.
// A registered view's slot (kViewSlotBase + slot, below) gives that view, whatever `value` is. Any other `kind`
// (NaN, a kind Node adds later) takes the general path.
inline bool GetBufferView(napi_env env, napi_value value, double kind, const char* name, BufferView* out);
constexpr int kDataViewKind = 64;  // beyond napi_typedarray_type's values

// Typed arrays that the TS layer has registered (registerView), by slot: their memory, class and length, read once.
// A call on one passes kViewSlotBase + slot as its kind, and the view is then not read at all: with
// napi_get_cb_info, reading the view here and its class in the TS layer saved, an 8-byte send + recv pair went from
// 3518 to 2443 instructions (bench/instructions.mjs; C: 1265). A view's memory is the same for as long as its
// ArrayBuffer is not detached (reading it once moved a small array's data off V8's heap for good), and every use of
// a slot is preceded, in the TS layer, by a check that the view still has its bytes: a detached view has none. A
// slot is freed when its view is collected.
constexpr double kViewSlotBase = 1024;
extern std::vector<BufferView> registeredViews;  // data == nullptr: a free slot

// The registered view of `kind` (kViewSlotBase + slot); false, with a TypeError thrown, for any other number.
inline bool GetRegisteredView(napi_env env, double kind, BufferView* out) {
  const double slot = kind - kViewSlotBase;
  if (slot >= 0 && slot < static_cast<double>(registeredViews.size()) &&
      slot == static_cast<double>(static_cast<size_t>(slot))) {
    const BufferView& view = registeredViews[static_cast<size_t>(slot)];
    if (view.data != nullptr) {
      *out = view;
      return true;
    }
  }
  ThrowTypeError(env, "buf: no such registered view");
  return false;
}

// GetBufferView for a view that is not registered. Inline above it, the slot test stays in the hot calls.
bool GetBufferViewOfKind(napi_env env, napi_value value, double kind, const char* name, BufferView* out);

inline bool GetBufferView(napi_env env, napi_value value, double kind, const char* name, BufferView* out) {
  return kind >= kViewSlotBase ? GetRegisteredView(env, kind, out) : GetBufferViewOfKind(env, value, kind, name, out);
}

// MPI datatype of a typed array class, and back (for user-defined reductions, which receive a datatype).
MPI_Datatype DatatypeOf(napi_typedarray_type kind);
bool KindOf(MPI_Datatype type, napi_typedarray_type* kind);
size_t ElementSize(napi_typedarray_type kind);

// A (count, datatype) pair for MPI's int-count calls. Up to INT_MAX elements it is the element type itself; above,
// a derived type covering the whole buffer, built for one call and freed with this object. This works on MPIs
// without the MPI-4 large-count (_c) functions, such as Open MPI 4.
class CountedType {
 public:
  CountedType() = default;
  CountedType(const CountedType&) = delete;
  CountedType& operator=(const CountedType&) = delete;
  ~CountedType() {
    if (derived_) MPI_Type_free(&type);
  }

  // False, with an MpiError thrown, when the derived type cannot be built.
  inline bool Set(napi_env env, size_t elements, MPI_Datatype base) {
    if (elements <= static_cast<size_t>(INT_MAX)) {
      count = static_cast<int>(elements);
      type = base;
      return true;
    }
    return SetLarge(env, elements, base);
  }

  int count = 0;
  MPI_Datatype type = MPI_DATATYPE_NULL;

 private:
  bool SetLarge(napi_env env, size_t elements, MPI_Datatype base);
  bool derived_ = false;
};

void InitDatatype(Napi::Env env, Napi::Object exports);

}  // namespace mpi4js
