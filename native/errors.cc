#include "errors.h"

#include <string>

namespace mpi4js {
namespace {

Napi::FunctionReference mpiErrorClass;

// MPI-3.1 error classes present in both Open MPI and MPICH; their numbers differ between the two.
#define MPI4JS_ERROR_CLASSES(X)                                                                                   \
  X(MPI_SUCCESS) X(MPI_ERR_BUFFER) X(MPI_ERR_COUNT) X(MPI_ERR_TYPE) X(MPI_ERR_TAG) X(MPI_ERR_COMM)              \
  X(MPI_ERR_RANK) X(MPI_ERR_REQUEST) X(MPI_ERR_ROOT) X(MPI_ERR_GROUP) X(MPI_ERR_OP) X(MPI_ERR_TOPOLOGY)          \
  X(MPI_ERR_DIMS) X(MPI_ERR_ARG) X(MPI_ERR_UNKNOWN) X(MPI_ERR_TRUNCATE) X(MPI_ERR_OTHER) X(MPI_ERR_INTERN)       \
  X(MPI_ERR_PENDING) X(MPI_ERR_IN_STATUS) X(MPI_ERR_KEYVAL) X(MPI_ERR_NO_MEM) X(MPI_ERR_INFO) X(MPI_ERR_NAME)    \
  X(MPI_ERR_PORT) X(MPI_ERR_SERVICE) X(MPI_ERR_SPAWN) X(MPI_ERR_UNSUPPORTED_OPERATION) X(MPI_ERR_WIN)           \
  X(MPI_ERR_BASE) X(MPI_ERR_SIZE) X(MPI_ERR_DISP) X(MPI_ERR_LOCKTYPE) X(MPI_ERR_ASSERT) X(MPI_ERR_RMA_CONFLICT)  \
  X(MPI_ERR_RMA_SYNC) X(MPI_ERR_FILE) X(MPI_ERR_IO) X(MPI_ERR_AMODE) X(MPI_ERR_ACCESS)                          \
  X(MPI_ERR_NOT_SAME) X(MPI_ERR_INFO_KEY) X(MPI_ERR_INFO_VALUE) X(MPI_ERR_INFO_NOKEY)

}  // namespace

const char* ErrorClassName(int errorClass) {
#define MPI4JS_NAME_CASE(name) \
  if (errorClass == name) return #name;
  MPI4JS_ERROR_CLASSES(MPI4JS_NAME_CASE)
#undef MPI4JS_NAME_CASE
  return "MPI_ERR_UNKNOWN";
}

void ExportErrorClasses(Napi::Env env, Napi::Object exports) {
  Napi::Object classes = Napi::Object::New(env);
#define MPI4JS_EXPORT_CLASS(name) classes.Set(#name, Napi::Number::New(env, name));
  MPI4JS_ERROR_CLASSES(MPI4JS_EXPORT_CLASS)
#undef MPI4JS_EXPORT_CLASS
  exports.Set("errorClasses", classes);
}

void SetMpiErrorClass(Napi::Function ctor) { mpiErrorClass = Napi::Persistent(ctor); }
void ResetMpiErrorClass() { mpiErrorClass.Reset(); }

void ThrowMpiError(napi_env env, int errorClass, const char* message) {
  Napi::Env e(env);
  if (mpiErrorClass.IsEmpty()) {
    Napi::Error::New(e, message).ThrowAsJavaScriptException();
    return;
  }
  Napi::HandleScope scope(e);
  Napi::Value error = mpiErrorClass.New({Napi::String::New(e, message), Napi::Number::New(e, errorClass),
                                         Napi::String::New(e, ErrorClassName(errorClass))});
  if (!e.IsExceptionPending()) napi_throw(env, error);
}

void ThrowMpiError(napi_env env, int code) {
  int errorClass = MPI_ERR_UNKNOWN;
  char text[MPI_MAX_ERROR_STRING + 1] = {0};
  int length = 0;
  // Never called after MPI_Finalize (MpiUsable guards every entry); should either call fail, say so generically.
  if (MPI_Error_class(code, &errorClass) != MPI_SUCCESS) errorClass = MPI_ERR_UNKNOWN;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS || length == 0) {
    std::string fallback = "MPI error code " + std::to_string(code);
    ThrowMpiError(env, errorClass, fallback.c_str());
    return;
  }
  ThrowMpiError(env, errorClass, text);
}

void ThrowTypeError(napi_env env, const char* message) { napi_throw_type_error(env, nullptr, message); }

}  // namespace mpi4js
