// Reading arguments handed down by the TypeScript layer. That layer validates every argument and names it in its
// errors; these checks only make sure that nothing unchecked can reach MPI if the native functions are called
// directly.
#pragma once
#include <napi.h>

#include <climits>
#include <cmath>

#include "errors.h"

namespace mpi4js {

// Exactly an int32: napi_get_value_int32 alone would read 0.5, NaN and Infinity as 0 and wrap 2^32 to 0, so a
// communicator whose handle was overwritten with NaN would silently become COMM_WORLD.
inline bool ToInt(napi_env env, double number, const char* name, int* out) {
  if (number >= INT_MIN && number <= INT_MAX && number == static_cast<double>(static_cast<int>(number))) {
    *out = static_cast<int>(number);
    return true;
  }
  std::string message = std::string(name) + " must be an integer from -2^31 to 2^31-1";
  ThrowTypeError(env, message.c_str());
  return false;
}

inline bool ToInt(const Napi::Value& value, const char* name, int* out) {
  double number = NAN;  // a non-number fails the range test below
  napi_get_value_double(value.Env(), value, &number);
  return ToInt(value.Env(), number, name, out);
}

inline bool ToBool(const Napi::Value& value, bool* out) {
  return napi_get_value_bool(value.Env(), value, out) == napi_ok ||
         (ThrowTypeError(value.Env(), "expected a boolean"), false);
}

// Registers a native function on the exports object.
inline void Export(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback callback) {
  exports.Set(name, Napi::Function::New(env, callback, name));
}

// The same for a plain N-API callback, for the few hot entries that skip the Napi::CallbackInfo wrapper.
inline void Export(Napi::Env env, Napi::Object exports, const char* name, napi_callback callback) {
  napi_value function = nullptr;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, nullptr, &function));
  exports.Set(name, Napi::Value(env, function));
}

}  // namespace mpi4js
