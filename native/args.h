// Reading arguments handed down by the TypeScript layer. That layer validates every argument and names it in its
// errors; these checks only make sure that nothing unchecked can reach MPI if the native functions are called
// directly.
#pragma once
#include <napi.h>

#include "errors.h"

namespace mpi4js {

inline bool ToInt(const Napi::Value& value, const char* name, int* out) {
  if (napi_get_value_int32(value.Env(), value, out) == napi_ok) return true;
  std::string message = std::string(name) + " must be a number";
  ThrowTypeError(value.Env(), message.c_str());
  return false;
}

inline bool ToBool(const Napi::Value& value, bool* out) {
  return napi_get_value_bool(value.Env(), value, out) == napi_ok ||
         (ThrowTypeError(value.Env(), "expected a boolean"), false);
}

// Registers a native function on the exports object.
inline void Export(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback callback) {
  exports.Set(name, Napi::Function::New(env, callback, name));
}

}  // namespace mpi4js
