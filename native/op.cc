#include "op.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "args.h"
#include "environment.h"

namespace mpi4js {
namespace {

constexpr int kBuiltins = 10;
// At most this many user ops exist at once. MPI_User_function gets no context pointer, so each user op needs a C
// function of its own that knows which JS function to run: a fixed pool of them, one per slot.
constexpr int kUserOps = 32;
constexpr const char* kBuiltinNames[kBuiltins] = {"SUM",  "PROD", "MIN",  "MAX", "LAND",
                                                  "LOR",  "LXOR", "BAND", "BOR", "BXOR"};

std::array<MPI_Op, kBuiltins + kUserOps> ops;  // by handle; MPI_OP_NULL marks a free user slot

// ---- MIN and MAX of unsigned integers, where the MPI gets them wrong -----------------------------------------------

template <typename T, bool kMin>
void UnsignedExtremum(void* in, void* inout, int* length, MPI_Datatype*) {
  const T* a = static_cast<const T*>(in);
  T* b = static_cast<T*>(inout);
  for (int i = 0; i < *length; i++) b[i] = kMin ? std::min(a[i], b[i]) : std::max(a[i], b[i]);
}

// One per unsigned datatype: the ops that replace MPI_MIN and MPI_MAX on it, or MPI_OP_NULL where MPI's are right.
struct UnsignedFix {
  MPI_Datatype type = MPI_DATATYPE_NULL;
  MPI_Op min = MPI_OP_NULL;
  MPI_Op max = MPI_OP_NULL;
};
std::array<UnsignedFix, 4> unsignedFixes;

template <typename T>
bool ComparesRight(MPI_Datatype type, MPI_Op op) {
  const T top = std::numeric_limits<T>::max();
  T in[2] = {0, top}, inout[2] = {top, 0};
  MPI_Reduce_local(in, inout, 2, type, op);
  const T expected = op == MPI_MIN ? 0 : top;
  return inout[0] == expected && inout[1] == expected;
}

template <typename T>
UnsignedFix FixFor(MPI_Datatype type) {
  UnsignedFix fix;
  fix.type = type;
  if (!ComparesRight<T>(type, MPI_MIN)) MPI_Op_create(UnsignedExtremum<T, true>, 1, &fix.min);
  if (!ComparesRight<T>(type, MPI_MAX)) MPI_Op_create(UnsignedExtremum<T, false>, 1, &fix.max);
  return fix;
}

// ---- User ops ---------------------------------------------------------------------------------------------------

std::array<Napi::FunctionReference, kUserOps> functions;  // by user slot
MPI_Datatype clampedTwin = MPI_DATATYPE_NULL;
napi_env ownerEnv = nullptr;

// The first exception a user function threw during the current MPI call, kept as a property of `holder` (a
// reference can hold any value there, primitives too) until the call returns and RethrowUserOpError throws it.
bool userOpFailed = false;
Napi::ObjectReference holder;

void RecordFailure(napi_value error) {
  userOpFailed = true;
  holder.Value().Set("error", error);
}

// A view of the class MPI's datatype stands for over memory MPI owns: an external ArrayBuffer with no finalizer.
bool ViewOver(napi_env env, void* data, int length, MPI_Datatype type, napi_value* buffer, napi_value* view) {
  napi_typedarray_type kind = napi_uint8_array;
  const bool bytes = type == MPI_BYTE;  // a DataView's datatype
  if (type == clampedTwin) {
    kind = napi_uint8_clamped_array;
  } else if (!bytes && !KindOf(type, &kind)) {
    return false;
  }
  size_t size = static_cast<size_t>(length) * (bytes ? 1 : ElementSize(kind));
  if (napi_create_external_arraybuffer(env, data, size, nullptr, nullptr, buffer) != napi_ok) return false;
  if (bytes) return napi_create_dataview(env, size, *buffer, 0, view) == napi_ok;
  return napi_create_typedarray(env, kind, static_cast<size_t>(length), *buffer, 0, view) == napi_ok;
}

// What every slot's C function does. MPI calls it on the thread that called MPI, which under MPI_THREAD_FUNNELED is
// the main JS thread, inside the native call of the collective: JS may be called right here.
void RunUserFunction(int slot, void* in, void* inout, int* length, MPI_Datatype* type) {
  if (userOpFailed || functions[slot].IsEmpty()) return;  // after a throw, the rest of this reduction is skipped
  napi_env env = ownerEnv;
  Napi::HandleScope scope(env);
  napi_value buffers[2], views[2];
  if (!ViewOver(env, in, *length, *type, &buffers[0], &views[0]) ||
      !ViewOver(env, inout, *length, *type, &buffers[1], &views[1])) {
    RecordFailure(Napi::TypeError::New(env, "a user op was given a datatype mpi4js cannot show as an array").Value());
    return;
  }
  napi_value self, result;
  napi_get_undefined(env, &self);
  napi_status status = napi_call_function(env, self, functions[slot].Value(), 2, views, &result);
  // MPI may free or reuse this memory once we return: detached views can no longer reach it, even if kept.
  napi_detach_arraybuffer(env, buffers[0]);
  napi_detach_arraybuffer(env, buffers[1]);
  if (status != napi_ok) {
    napi_value error;
    if (napi_get_and_clear_last_exception(env, &error) == napi_ok) RecordFailure(error);
  }
}

template <int Slot>
void Trampoline(void* in, void* inout, int* length, MPI_Datatype* type) {
  RunUserFunction(Slot, in, inout, length, type);
}

template <int... Slots>
constexpr std::array<MPI_User_function*, sizeof...(Slots)> MakeTrampolines(std::integer_sequence<int, Slots...>) {
  return {&Trampoline<Slots>...};
}
constexpr auto trampolines = MakeTrampolines(std::make_integer_sequence<int, kUserOps>());

// opCreate(fn, commute) -> handle
Napi::Value Create(const Napi::CallbackInfo& info) {
  bool commute = true;
  if (!MpiUsable(info.Env()) || !ToBool(info[1], &commute)) return Napi::Value();
  if (!info[0].IsFunction()) {
    ThrowTypeError(info.Env(), "fn must be a function");
    return Napi::Value();
  }
  for (int slot = 0; slot < kUserOps; slot++) {
    if (ops[kBuiltins + slot] != MPI_OP_NULL) continue;
    MPI_Op op = MPI_OP_NULL;
    if (!Check(info.Env(), MPI_Op_create(trampolines[slot], commute, &op))) return Napi::Value();
    ops[kBuiltins + slot] = op;
    functions[slot] = Napi::Persistent(info[0].As<Napi::Function>());
    return Napi::Number::New(info.Env(), kBuiltins + slot);
  }
  std::string message = "at most " + std::to_string(kUserOps) + " user ops can exist at once: free() unused ones";
  Napi::RangeError::New(info.Env(), message).ThrowAsJavaScriptException();
  return Napi::Value();
}

// opFree(handle)
Napi::Value Free(const Napi::CallbackInfo& info) {
  MPI_Op op;
  int handle;
  if (!MpiUsable(info.Env()) || !GetOp(info[0], &op) || !ToInt(info[0], "op", &handle)) return Napi::Value();
  if (handle < kBuiltins) {
    ThrowMpiError(info.Env(), MPI_ERR_OP, "built-in ops cannot be freed");
    return Napi::Value();
  }
  if (!Check(info.Env(), MPI_Op_free(&op))) return Napi::Value();
  ops[static_cast<size_t>(handle)] = MPI_OP_NULL;
  functions[static_cast<size_t>(handle - kBuiltins)].Reset();
  return info.Env().Undefined();
}

void FreeMpiObjects() {
  if (clampedTwin != MPI_DATATYPE_NULL) MPI_Type_free(&clampedTwin);
  for (UnsignedFix& fix : unsignedFixes) {
    if (fix.min != MPI_OP_NULL) MPI_Op_free(&fix.min);
    if (fix.max != MPI_OP_NULL) MPI_Op_free(&fix.max);
  }
}

void Cleanup(void*) {
  for (auto& fn : functions) fn.Reset();
  holder.Reset();
  ownerEnv = nullptr;
}

}  // namespace

bool GetOp(const Napi::Value& handle, MPI_Op* out) {
  int index = -1;
  if (!ToInt(handle, "op", &index)) return false;
  if (index < 0 || static_cast<size_t>(index) >= ops.size() || ops[static_cast<size_t>(index)] == MPI_OP_NULL) {
    ThrowMpiError(handle.Env(), MPI_ERR_OP, "invalid op: it has been freed");
    return false;
  }
  *out = ops[static_cast<size_t>(index)];
  return true;
}

void ResolveReduction(const BufferView& view, MPI_Op* op, MPI_Datatype* type) {
  *type = view.type;
  if (*op == MPI_MIN || *op == MPI_MAX) {
    for (const UnsignedFix& fix : unsignedFixes) {
      MPI_Op replacement = *op == MPI_MIN ? fix.min : fix.max;
      if (fix.type == view.type && replacement != MPI_OP_NULL) *op = replacement;
    }
    return;
  }
  if (view.kind != napi_uint8_clamped_array) return;
  for (int i = 0; i < kBuiltins; i++) {
    if (ops[i] == *op) return;
  }
  *type = clampedTwin;
}

bool RethrowUserOpError(napi_env env) {
  if (!userOpFailed) return false;
  userOpFailed = false;
  Napi::Object box = holder.Value();
  Napi::Value error = box.Get("error");
  box.Delete("error");
  napi_throw(env, error);
  return true;
}

void InitOp(Napi::Env env, Napi::Object exports) {
  ownerEnv = env;
  ops = {MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX, MPI_LAND, MPI_LOR, MPI_LXOR, MPI_BAND, MPI_BOR, MPI_BXOR};
  for (size_t i = kBuiltins; i < ops.size(); i++) ops[i] = MPI_OP_NULL;
  holder = Napi::Persistent(Napi::Object::New(env));
  // Same type signature as MPI_UINT8_T, so it matches peers that use the plain type.
  MPI_Type_contiguous(1, MPI_UINT8_T, &clampedTwin);
  MPI_Type_commit(&clampedTwin);
  unsignedFixes = {FixFor<uint8_t>(MPI_UINT8_T), FixFor<uint16_t>(MPI_UINT16_T), FixFor<uint32_t>(MPI_UINT32_T),
                   FixFor<uint64_t>(MPI_UINT64_T)};
  OnBeforeFinalize(FreeMpiObjects);
  napi_add_env_cleanup_hook(env, Cleanup, nullptr);

  Napi::Array names = Napi::Array::New(env, kBuiltins);
  for (uint32_t i = 0; i < kBuiltins; i++) names.Set(i, kBuiltinNames[i]);
  exports.Set("builtinOps", names);
  Export(env, exports, "opCreate", Create);
  Export(env, exports, "opFree", Free);
}

}  // namespace mpi4js
