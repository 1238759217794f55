#include "comm.h"

#include <vector>

#include "args.h"
#include "environment.h"

namespace mpi4js {

std::vector<MPI_Comm> comms;

namespace {

Napi::Value Handle(Napi::Env env, int handle) { return Napi::Number::New(env, handle); }

// A new communicator from MPI, or null when MPI gave MPI_COMM_NULL (split with UNDEFINED, a cart left out).
Napi::Value NewCommOrNull(Napi::Env env, MPI_Comm comm) {
  if (comm == MPI_COMM_NULL) return env.Null();
  return Handle(env, AddComm(comm));
}

Napi::Value Size(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  int size = 0;
  if (!GetComm(info[0], &comm) || !Check(info.Env(), MPI_Comm_size(comm, &size))) return Napi::Value();
  return Napi::Number::New(info.Env(), size);
}

Napi::Value Rank(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  int rank = 0;
  if (!GetComm(info[0], &comm) || !Check(info.Env(), MPI_Comm_rank(comm, &rank))) return Napi::Value();
  return Napi::Number::New(info.Env(), rank);
}

Napi::Value Dup(const Napi::CallbackInfo& info) {
  MPI_Comm comm, dup = MPI_COMM_NULL;
  if (!GetComm(info[0], &comm) || !Check(info.Env(), MPI_Comm_dup(comm, &dup))) return Napi::Value();
  return NewCommOrNull(info.Env(), dup);
}

// split(comm, color, key): color UNDEFINED gives null.
Napi::Value Split(const Napi::CallbackInfo& info) {
  MPI_Comm comm, part = MPI_COMM_NULL;
  int color, key;
  if (!GetComm(info[0], &comm) || !ToInt(info[1], "color", &color) || !ToInt(info[2], "key", &key)) {
    return Napi::Value();
  }
  if (!Check(info.Env(), MPI_Comm_split(comm, color, key, &part))) return Napi::Value();
  return NewCommOrNull(info.Env(), part);
}

// splitShared(comm, key): the ranks that can share memory, that is one communicator per node.
Napi::Value SplitShared(const Napi::CallbackInfo& info) {
  MPI_Comm comm, part = MPI_COMM_NULL;
  int key;
  if (!GetComm(info[0], &comm) || !ToInt(info[1], "key", &key)) return Napi::Value();
  if (!Check(info.Env(), MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, key, MPI_INFO_NULL, &part))) {
    return Napi::Value();
  }
  return NewCommOrNull(info.Env(), part);
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  int handle;
  if (!GetComm(info[0], &comm) || !ToInt(info[0], "comm", &handle)) return Napi::Value();
  if (handle < 2) {
    ThrowMpiError(info.Env(), MPI_ERR_COMM, "COMM_WORLD and COMM_SELF cannot be freed");
    return Napi::Value();
  }
  if (!Check(info.Env(), MPI_Comm_free(&comm))) return Napi::Value();
  comms[static_cast<size_t>(handle)] = MPI_COMM_NULL;
  return info.Env().Undefined();
}

// compare(a, b): MPI_IDENT, MPI_CONGRUENT, MPI_SIMILAR or MPI_UNEQUAL as the strings the API gives.
Napi::Value Compare(const Napi::CallbackInfo& info) {
  MPI_Comm a, b;
  int result = MPI_UNEQUAL;
  if (!GetComm(info[0], &a) || !GetComm(info[1], &b) || !Check(info.Env(), MPI_Comm_compare(a, b, &result))) {
    return Napi::Value();
  }
  const char* name = result == MPI_IDENT ? "ident"
                     : result == MPI_CONGRUENT ? "congruent"
                     : result == MPI_SIMILAR ? "similar"
                                             : "unequal";
  return Napi::String::New(info.Env(), name);
}

Napi::Value GetName(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  char name[MPI_MAX_OBJECT_NAME + 1] = {0};
  int length = 0;
  if (!GetComm(info[0], &comm) || !Check(info.Env(), MPI_Comm_get_name(comm, name, &length))) return Napi::Value();
  return Napi::String::New(info.Env(), name, static_cast<size_t>(length));
}

Napi::Value SetName(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  if (!GetComm(info[0], &comm)) return Napi::Value();
  if (!info[1].IsString()) {
    ThrowTypeError(info.Env(), "name must be a string");
    return Napi::Value();
  }
  std::string name = info[1].As<Napi::String>().Utf8Value();
  // MPI would truncate a longer name anyway; cut it here, at a character boundary, so that it stays valid UTF-8.
  if (name.size() >= MPI_MAX_OBJECT_NAME) {
    size_t end = MPI_MAX_OBJECT_NAME - 1;
    while (end > 0 && (static_cast<unsigned char>(name[end]) & 0xC0) == 0x80) end--;
    name.resize(end);
  }
  if (!Check(info.Env(), MPI_Comm_set_name(comm, name.c_str()))) return Napi::Value();
  return info.Env().Undefined();
}

// Reads a JS array of ints (dims, periods, coords); false with a TypeError thrown otherwise.
bool ToIntVector(const Napi::Value& value, const char* name, std::vector<int>* out) {
  if (!value.IsArray()) {
    std::string message = std::string(name) + " must be an array of integers";
    ThrowTypeError(value.Env(), message.c_str());
    return false;
  }
  Napi::Array array = value.As<Napi::Array>();
  out->resize(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) {
    if (!ToInt(array.Get(i), name, &(*out)[i])) return false;
  }
  return true;
}

Napi::Value ToArray(Napi::Env env, const std::vector<int>& values) {
  Napi::Array array = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); i++) array.Set(static_cast<uint32_t>(i), values[i]);
  return array;
}

// cartCreate(comm, dims, periods (0/1 ints), reorder): null on ranks left out of the grid.
Napi::Value CartCreate(const Napi::CallbackInfo& info) {
  MPI_Comm comm, cart = MPI_COMM_NULL;
  std::vector<int> dims, periods;
  bool reorder = false;
  if (!GetComm(info[0], &comm) || !ToIntVector(info[1], "dims", &dims) || !ToIntVector(info[2], "periods", &periods) ||
      !ToBool(info[3], &reorder)) {
    return Napi::Value();
  }
  if (periods.size() != dims.size()) {
    ThrowTypeError(info.Env(), "periods must have one entry per dimension");
    return Napi::Value();
  }
  if (!Check(info.Env(), MPI_Cart_create(comm, static_cast<int>(dims.size()), dims.data(), periods.data(), reorder,
                                         &cart))) {
    return Napi::Value();
  }
  return NewCommOrNull(info.Env(), cart);
}

// cartGet(comm) -> { dims, periods, coords }
Napi::Value CartGet(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  int ndims = 0;
  if (!GetComm(info[0], &comm) || !Check(info.Env(), MPI_Cartdim_get(comm, &ndims))) return Napi::Value();
  std::vector<int> dims(ndims), periods(ndims), coords(ndims);
  if (!Check(info.Env(), MPI_Cart_get(comm, ndims, dims.data(), periods.data(), coords.data()))) return Napi::Value();
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("dims", ToArray(info.Env(), dims));
  result.Set("periods", ToArray(info.Env(), periods));
  result.Set("coords", ToArray(info.Env(), coords));
  return result;
}

// cartShift(comm, direction, disp) -> [source, dest]
Napi::Value CartShift(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  int direction, disp, source = 0, dest = 0;
  if (!GetComm(info[0], &comm) || !ToInt(info[1], "direction", &direction) || !ToInt(info[2], "disp", &disp) ||
      !Check(info.Env(), MPI_Cart_shift(comm, direction, disp, &source, &dest))) {
    return Napi::Value();
  }
  return ToArray(info.Env(), {source, dest});
}

// cartRank(comm, coords) -> rank
Napi::Value CartRank(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  std::vector<int> coords;
  int rank = 0;
  if (!GetComm(info[0], &comm) || !ToIntVector(info[1], "coords", &coords)) return Napi::Value();
  int ndims = 0;
  if (!Check(info.Env(), MPI_Cartdim_get(comm, &ndims))) return Napi::Value();
  if (coords.size() != static_cast<size_t>(ndims)) {
    ThrowTypeError(info.Env(), "coords must have one entry per dimension");
    return Napi::Value();
  }
  if (!Check(info.Env(), MPI_Cart_rank(comm, coords.data(), &rank))) return Napi::Value();
  return Napi::Number::New(info.Env(), rank);
}

// dimsCreate(nnodes, dims) -> dims with its zeros filled in
Napi::Value DimsCreate(const Napi::CallbackInfo& info) {
  int nnodes;
  std::vector<int> dims;
  if (!MpiUsable(info.Env()) || !ToInt(info[0], "nnodes", &nnodes) || !ToIntVector(info[1], "dims", &dims)) {
    return Napi::Value();
  }
  if (!Check(info.Env(), MPI_Dims_create(nnodes, static_cast<int>(dims.size()), dims.data()))) return Napi::Value();
  return ToArray(info.Env(), dims);
}

}  // namespace

bool RefuseComm(napi_env env, double handle) {
  int index = -1;
  if (MpiUsable(env) && ToInt(env, handle, "comm", &index)) {
    ThrowMpiError(env, MPI_ERR_COMM, "invalid communicator: it has been freed");
  }
  return false;
}

bool GetComm(const Napi::Value& handle, MPI_Comm* out) {
  double number = NAN;  // not a number: refused as "comm must be an integer"
  napi_get_value_double(handle.Env(), handle, &number);
  return GetComm(handle.Env(), number, out);
}

int AddComm(MPI_Comm comm) {
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);  // inherited from the parent, but say it where it matters
  for (size_t i = 2; i < comms.size(); i++) {
    if (comms[i] == MPI_COMM_NULL) {
      comms[i] = comm;
      return static_cast<int>(i);
    }
  }
  comms.push_back(comm);
  return static_cast<int>(comms.size() - 1);
}

void InitComm(Napi::Env env, Napi::Object exports) {
  comms = {MPI_COMM_WORLD, MPI_COMM_SELF};
  Export(env, exports, "commSize", Size);
  Export(env, exports, "commRank", Rank);
  Export(env, exports, "commDup", Dup);
  Export(env, exports, "commSplit", Split);
  Export(env, exports, "commSplitShared", SplitShared);
  Export(env, exports, "commFree", Free);
  Export(env, exports, "commCompare", Compare);
  Export(env, exports, "commGetName", GetName);
  Export(env, exports, "commSetName", SetName);
  Export(env, exports, "cartCreate", CartCreate);
  Export(env, exports, "cartGet", CartGet);
  Export(env, exports, "cartShift", CartShift);
  Export(env, exports, "cartRank", CartRank);
  Export(env, exports, "dimsCreate", DimsCreate);
}

}  // namespace mpi4js
