#include "environment.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "args.h"
#include "p2p.h"
#include "status.h"

namespace mpi4js {

bool mpiFinalized = false;

namespace {

napi_env ownerEnv = nullptr;  // MPI belongs to the environment (thread) that loaded the addon first
bool initializedHere = false;  // MPI_Init_thread was ours, so MPI_Finalize is ours too
std::vector<void (*)()> beforeFinalize;

// MPI_Finalize waits for the other ranks on both MPIs. A rank that ends early while its peers wait for it
// would then hang without a word: after a while, say what it is waiting for (once), and keep waiting.
void FinalizeWithNotice() {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size == 1) {
    MPI_Finalize();
    return;
  }
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::thread notice([&] {
    std::unique_lock<std::mutex> lock(mutex);
    if (finished.wait_for(lock, std::chrono::seconds(10), [&] { return done; })) return;
    std::string text = "[mpi4js] rank " + std::to_string(rank) + " of " + std::to_string(size) +
                       ": this rank has ended and MPI_Finalize is waiting for the other ranks to end too; if they are "
                       "waiting for this rank, the job will not end by itself\n";
    ssize_t ignored = write(2, text.data(), text.size());
    (void)ignored;
  });
#if defined(MPICH)
  // MPICH 4.0 over UCX's TCP transport can hang in MPI_Finalize after one-way traffic (seen with Debian's MPICH
  // 4.0.2 and UCX 1.13 in 4 of 8 runs of a plain C program; never with a barrier first).
  MPI_Barrier(MPI_COMM_WORLD);
#endif
  MPI_Finalize();
  {
    std::lock_guard<std::mutex> lock(mutex);
    done = true;
  }
  finished.notify_one();
  notice.join();
}

void FinalizeMpi() {
  if (mpiFinalized) return;
  for (auto hook : beforeFinalize) hook();
  mpiFinalized = true;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (initializedHere && !finalized) FinalizeWithNotice();
}

// Runs when the Node environment is torn down: a natural exit, or after an uncaught exception. A script that calls
// process.exit() skips this; the TypeScript layer finalizes from process.on('exit') for that case.
void CleanupHook(void*) {
  FinalizeMpi();
  ResetMpiErrorClass();
  ResetStatus();
  ResetEnvelope();
}

Napi::Value Finalize(const Napi::CallbackInfo& info) {
  FinalizeMpi();
  return info.Env().Undefined();
}

// abandon(): the process is ending in failure. MPI_Finalize would wait for peers that may be waiting for this
// rank, so skip it: the launcher sees a rank end without finalizing and ends the job. Later calls throw as usual.
Napi::Value Abandon(const Napi::CallbackInfo& info) {
  mpiFinalized = true;
  return info.Env().Undefined();
}

// A rank ended by SIGINT, SIGTERM or SIGHUP dies by the signal (Node's default), and both launchers then end the
// whole job; but MPICH's names only the pid. reportSignals() makes each rank say who it is first, from a handler that
// is async-signal-safe and then hands the signal on to the handler it replaced (Node's, which resets the terminal and
// re-raises). This is native on purpose: a JS listener could not run while the rank is blocked inside MPI, and its
// presence would stop Node from dying by the signal at all.
constexpr int kReportedSignals[] = {SIGINT, SIGTERM, SIGHUP};
constexpr const char* kSignalNames[] = {"SIGINT", "SIGTERM", "SIGHUP"};
constexpr int kSignalCount = sizeof(kReportedSignals) / sizeof(kReportedSignals[0]);
struct sigaction replacedActions[kSignalCount];
char signalNotices[kSignalCount][128];
size_t signalNoticeLengths[kSignalCount];

void ReportSignal(int signal, siginfo_t* info, void* context) {
  for (int i = 0; i < kSignalCount; i++) {
    if (kReportedSignals[i] != signal) continue;
    ssize_t ignored = write(2, signalNotices[i], signalNoticeLengths[i]);
    (void)ignored;
    const struct sigaction& replaced = replacedActions[i];
    // SA_RESETHAND has already restored the default action: raising again ends the process by this signal.
    if ((replaced.sa_flags & SA_SIGINFO) != 0 && replaced.sa_sigaction != nullptr) {
      replaced.sa_sigaction(signal, info, context);
    } else if (replaced.sa_handler != SIG_DFL && replaced.sa_handler != SIG_IGN) {
      replaced.sa_handler(signal);
    }
    raise(signal);
  }
}

// reportSignals(): called once by the TS layer in jobs of more than one rank, when the program listens for none of
// these signals itself. A signal that is ignored (nohup) stays ignored.
Napi::Value ReportSignals(const Napi::CallbackInfo& info) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  for (int i = 0; i < kSignalCount; i++) {
    struct sigaction current;
    if (sigaction(kReportedSignals[i], nullptr, &current) != 0 || current.sa_handler == SIG_IGN) continue;
    int length = snprintf(signalNotices[i], sizeof(signalNotices[i]), "[mpi4js] rank %d of %d: ended by %s\n", rank,
                          size, kSignalNames[i]);
    signalNoticeLengths[i] = length > 0 ? static_cast<size_t>(length) : 0;
    replacedActions[i] = current;
    struct sigaction report {};
    report.sa_sigaction = ReportSignal;
    report.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigemptyset(&report.sa_mask);
    sigaction(kReportedSignals[i], &report, nullptr);
  }
  return info.Env().Undefined();
}

Napi::Value IsFinalized(const Napi::CallbackInfo& info) {
  int finalized = 0;
  MPI_Finalized(&finalized);
  return Napi::Boolean::New(info.Env(), finalized != 0 || mpiFinalized);
}

Napi::Value IsInitialized(const Napi::CallbackInfo& info) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  return Napi::Boolean::New(info.Env(), initialized != 0);
}

// Both launchers read a rank's stdout and stderr through pipes and forward them; MPICH's may end the job on an
// abort before it has read what the rank wrote last, and the message that says why the job died is lost (seen once
// in a CI run: an aborted job with an empty stderr). So before aborting, wait until the launcher has read what is in
// those pipes, or at most kDrainLimit when nobody reads them. A terminal or file needs no wait.
constexpr auto kDrainLimit = std::chrono::seconds(1);

bool PipeHoldsUnread(int fd) {
  struct stat info;
  int unread = 0;
  return fstat(fd, &info) == 0 && S_ISFIFO(info.st_mode) && ioctl(fd, FIONREAD, &unread) == 0 && unread > 0;
}

void LetLauncherReadOutput() {
  const auto deadline = std::chrono::steady_clock::now() + kDrainLimit;
  while ((PipeHoldsUnread(1) || PipeHoldsUnread(2)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

Napi::Value Abort(const Napi::CallbackInfo& info) {
  int code = 1;
  if (!ToInt(info[0], "code", &code)) return Napi::Value();
  LetLauncherReadOutput();
  if (!mpiFinalized) MPI_Abort(MPI_COMM_WORLD, code);
  // MPI_Abort does not return on either MPI; after finalize there is no job left to abort but this process.
  std::_Exit(code);
}

Napi::Value Wtime(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), MPI_Wtime()); }
Napi::Value Wtick(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), MPI_Wtick()); }

Napi::Value ProcessorName(const Napi::CallbackInfo& info) {
  if (!MpiUsable(info.Env())) return Napi::Value();
  char name[MPI_MAX_PROCESSOR_NAME + 1] = {0};
  int length = 0;
  if (!Check(info.Env(), MPI_Get_processor_name(name, &length))) return Napi::Value();
  return Napi::String::New(info.Env(), name, static_cast<size_t>(length));
}

Napi::Value LibraryVersion(const Napi::CallbackInfo& info) {
  char text[MPI_MAX_LIBRARY_VERSION_STRING + 1] = {0};
  int length = 0;
  if (!Check(info.Env(), MPI_Get_library_version(text, &length))) return Napi::Value();
  // Both MPIs end the string with a newline (and MPICH with its configure line); keep it as MPI gives it, trimmed.
  while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == ' ' || text[length - 1] == '\0')) length--;
  return Napi::String::New(info.Env(), text, static_cast<size_t>(length));
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  int major = 0, minor = 0;
  MPI_Get_version(&major, &minor);
  Napi::Object version = Napi::Object::New(info.Env());
  version.Set("major", major);
  version.Set("minor", minor);
  return version;
}

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) {
    ThrowTypeError(info.Env(), "MpiError must be a class");
    return Napi::Value();
  }
  SetMpiErrorClass(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

// The thread levels by the names MPI4JS_THREAD_LEVEL and queryThread() use.
struct ThreadLevelName {
  const char* name;
  int level;
};
const ThreadLevelName kThreadLevels[] = {{"single", MPI_THREAD_SINGLE},
                                         {"funneled", MPI_THREAD_FUNNELED},
                                         {"serialized", MPI_THREAD_SERIALIZED},
                                         {"multiple", MPI_THREAD_MULTIPLE}};

// The thread level to ask MPI for: MPI4JS_THREAD_LEVEL, else SINGLE. mpi4js makes every MPI call from the main JS
// thread (user ops and request progress included), and nothing else in Node calls MPI, so SINGLE holds. It is also
// the fastest: at any higher level Open MPI takes its matching locks on every send and receive (about 280 more
// instructions per send + recv pair here, callgrind). A program whose other native code calls MPI from its own
// threads sets MPI4JS_THREAD_LEVEL=multiple, as it would set mpi4py.rc.thread_level.
bool RequestedThreadLevel(Napi::Env env, int* level) {
  const char* name = std::getenv("MPI4JS_THREAD_LEVEL");
  if (name == nullptr || *name == '\0') return true;
  for (const ThreadLevelName& known : kThreadLevels) {
    if (std::strcmp(name, known.name) == 0) {
      *level = known.level;
      return true;
    }
  }
  Napi::Error::New(env, std::string("MPI4JS_THREAD_LEVEL must be single, funneled, serialized or multiple, not \"") +
                            name + "\"").ThrowAsJavaScriptException();
  return false;
}

// queryThread() -> the thread level MPI provides (MPI_Query_thread), by name.
Napi::Value QueryThread(const Napi::CallbackInfo& info) {
  int provided = MPI_THREAD_SINGLE;
  if (!MpiUsable(info.Env()) || !Check(info.Env(), MPI_Query_thread(&provided))) return Napi::Value();
  for (const ThreadLevelName& known : kThreadLevels) {
    if (known.level == provided) return Napi::String::New(info.Env(), known.name);
  }
  return Napi::String::New(info.Env(), "multiple");  // an MPI's own level above those: it allows at least that
}

void ExportConstants(Napi::Object exports) {
  exports.Set("ANY_SOURCE", MPI_ANY_SOURCE);
  exports.Set("ANY_TAG", MPI_ANY_TAG);
  exports.Set("PROC_NULL", MPI_PROC_NULL);
  exports.Set("UNDEFINED", MPI_UNDEFINED);
  exports.Set("family", kMpiFamily);
  int* tagUpperBound = nullptr;
  int found = 0;
  MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tagUpperBound, &found);
  exports.Set("TAG_UB", found ? *tagUpperBound : 32767);  // 32767 is the least the standard allows
}

}  // namespace

void OnBeforeFinalize(void (*hook)()) { beforeFinalize.push_back(hook); }

bool InitEnvironment(Napi::Env env, Napi::Object exports) {
  if (ownerEnv != nullptr && ownerEnv != static_cast<napi_env>(env)) {
    Napi::Error::New(env, "mpi4js can only be used from the main thread: MPI is already initialized there, and a "
                          "worker_thread cannot initialize it a second time")
        .ThrowAsJavaScriptException();
    return false;
  }
  ownerEnv = env;
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int requested = MPI_THREAD_SINGLE;
    if (!RequestedThreadLevel(env, &requested)) return false;
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, requested, &provided) != MPI_SUCCESS) {
      Napi::Error::New(env, "MPI_Init_thread failed").ThrowAsJavaScriptException();
      return false;
    }
    initializedHere = true;
  }
  // Errors come back as return codes and become MpiError exceptions; they never abort the job by themselves.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
  napi_add_env_cleanup_hook(env, CleanupHook, nullptr);

  ExportConstants(exports);
  ExportErrorClasses(env, exports);
  Export(env, exports, "setErrorClass", SetErrorClass);
  Export(env, exports, "finalize", Finalize);
  Export(env, exports, "abandon", Abandon);
  Export(env, exports, "reportSignals", ReportSignals);
  Export(env, exports, "isFinalized", IsFinalized);
  Export(env, exports, "isInitialized", IsInitialized);
  Export(env, exports, "abort", Abort);
  Export(env, exports, "wtime", Wtime);
  Export(env, exports, "queryThread", QueryThread);
  Export(env, exports, "wtick", Wtick);
  Export(env, exports, "processorName", ProcessorName);
  Export(env, exports, "libraryVersion", LibraryVersion);
  Export(env, exports, "version", Version);
  return true;
}

}  // namespace mpi4js
