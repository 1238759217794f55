// Nonblocking point-to-point requests and progress: starting them, testing all pending ones in one MPI_Testsome per
// poll, cancelling them, and cleaning up whatever is still pending when MPI is finalized.
#include "request.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <new>
#include <sched.h>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "args.h"
#include "comm.h"
#include "datatype.h"
#include "environment.h"
#include "op.h"
#include "p2p.h"
#include "status.h"

namespace mpi4js {
namespace {

// A completion record in the shared array: the request's id, then its status in StatusField order.
constexpr int kCompletionFields = 1 + kStatusFields;

struct Slot {
  bool live = false;
  bool cancellable = false;  // MPI may cancel it: a point-to-point request not yet matched by a probe
  int position = -1;         // its index in `active` while MPI works on it; -1 while it waits for a probe match
  bool send = false;         // an isend (TestAtStart)
  // A value receive waits for a message with MPI_Improbe, then receives exactly that message's size.
  MPI_Comm comm = MPI_COMM_NULL;
  int source = 0, tag = 0;
  std::unique_ptr<uint8_t[]> payload;  // the matched message, handed to JS by takePayload once received
  size_t payloadBytes = 0;
  // A buffer receive (irecv) while MPI has it: comm, source and tag above are its envelope (CheckSelfSend).
  bool posted = false;
  bool matched = false;   // known to have taken a message, even if no poll has seen it complete yet
  bool truncated = false; // that message was cut to `capacity` (CheckSelfSend): it completes with MPI_ERR_TRUNCATE
  size_t capacity = 0;    // bytes
  uint64_t sequence = 0;  // posting order
};

std::vector<Slot> slots;       // by id
std::vector<int> freeIds;      // ids to reuse, so the TypeScript table stays small and dense
std::vector<MPI_Request> active;  // compact: exactly what MPI_Testsome tests
std::vector<int> activeIds;       // activeIds[i] is the id of active[i]
std::vector<int> probing;         // value receives waiting for a message, in the order they were posted
std::vector<int> indices;         // MPI_Testsome's outputs, kept between polls to avoid allocating
std::vector<MPI_Status> statuses;
std::vector<int> finished;
// Only Open MPI needs these (CheckSelfSend).
[[maybe_unused]] uint64_t receivesPosted = 0;  // the sequence of the last irecv

// Whether the entry of postedReceives still stands for a receive that no message is known to have taken.
bool StillPosted(const std::pair<int, uint64_t>& entry) {
  if (static_cast<size_t>(entry.first) >= slots.size()) return false;
  const Slot& slot = slots[entry.first];
  return slot.live && slot.posted && slot.sequence == entry.second && !slot.matched && slot.position >= 0;
}

// Drops the entries at the front of postedReceives that no longer stand for a receive there for a message.
void DropStaleFront() {
  while (!postedReceives.empty() && !StillPosted(postedReceives.front())) postedReceives.pop_front();
}

// Completion records go to a Float64Array owned by the TypeScript layer, which keeps room for one record per
// pending request; a poll never writes more than `capacity` records.
Napi::Reference<Napi::Float64Array> completionsRef;
double* completions = nullptr;
size_t capacity = 0;
size_t written = 0;

// How long a spinning poll that has seen completions goes on waiting for the next one (Progress). Messages of a
// window arrive well under a microsecond apart; a lone request completes with nothing left pending, and so never
// waits this long.
constexpr std::chrono::nanoseconds kLinger{2000};

int NewSlot(bool cancellable) {
  int id;
  if (freeIds.empty()) {
    id = static_cast<int>(slots.size());
    slots.emplace_back();
  } else {
    id = freeIds.back();
    freeIds.pop_back();
  }
  slots[id].live = true;
  slots[id].cancellable = cancellable;
  return id;
}

void Release(int id) {
  slots[id] = Slot();
  freeIds.push_back(id);
}

void Activate(int id, MPI_Request request) {
  slots[id].position = static_cast<int>(active.size());
  active.push_back(request);
  activeIds.push_back(id);
}

// Removes active[position] by moving the last entry into its place.
void Deactivate(int position) {
  int last = static_cast<int>(active.size()) - 1;
  slots[activeIds[position]].position = -1;
  if (position != last) {
    active[position] = active[last];
    activeIds[position] = activeIds[last];
    slots[activeIds[position]].position = position;
  }
  active.pop_back();
  activeIds.pop_back();
}

// Records that request `id` finished with `status` (its MPI_ERROR set). A value receive keeps its slot, and so its
// payload, until takePayload; any other slot is free at once.
void Complete(int id, MPI_Status status) {
  if (slots[id].truncated && status.MPI_ERROR == MPI_SUCCESS) status.MPI_ERROR = MPI_ERR_TRUNCATE;
  StoreStatus(status, completions + written * kCompletionFields + 1);
  completions[written * kCompletionFields] = id;
  written++;
  if (status.MPI_ERROR != MPI_SUCCESS || !slots[id].payload) Release(id);
  // Keep the oldest filed receive a live one, so that in a ping-pong the list is empty again once the receive is
  // done and the next send skips CheckSelfSend altogether.
  DropStaleFront();
}

// Receives the message a probe matched into a buffer of exactly its size.
int StartMatchedReceive(napi_env env, int id, MPI_Message* message, const MPI_Status& probed) {
  MPI_Count bytes = 0;
  MPI_Get_elements_x(&probed, MPI_BYTE, &bytes);
  if (bytes == MPI_UNDEFINED || bytes < 0) bytes = 0;
  Slot& slot = slots[id];
  slot.payload.reset(new (std::nothrow) uint8_t[bytes > 0 ? static_cast<size_t>(bytes) : 1]);
  if (!slot.payload) return MPI_ERR_NO_MEM;
  slot.payloadBytes = static_cast<size_t>(bytes);
  CountedType counted;
  if (!counted.Set(env, slot.payloadBytes, MPI_BYTE)) {
    napi_value ignored;  // the failure is reported through the request, not thrown from the poll
    napi_get_and_clear_last_exception(env, &ignored);
    return MPI_ERR_TYPE;
  }
  MPI_Request request;
  int rc = MPI_Imrecv(slot.payload.get(), counted.count, counted.type, message, &request);
  if (rc != MPI_SUCCESS) return rc;
  slot.cancellable = false;  // a matched message can no longer be cancelled
  Activate(id, request);
  return MPI_SUCCESS;
}

// The (source, tag) patterns of the value receives a pass of MatchProbes found no message for. A message may arrive
// during the pass: a later receive must not probe for what an earlier one would have matched, or it would take that
// message out of order. Indexed so that the check costs a few lookups, not a scan of the receives.
class Unmatched {
 public:
  void Clear() {
    exact_.clear();
    byTag_.clear();
    bySource_.clear();
    byComm_.clear();
  }

  void Add(const Slot& slot) {
    exact_.emplace(slot.comm, slot.source, slot.tag);
    byTag_.emplace(slot.comm, slot.tag);
    bySource_.emplace(slot.comm, slot.source);
    byComm_.insert(slot.comm);
  }

  // Whether a message `slot` would match could also match one of the patterns.
  bool Overlaps(const Slot& slot) const {
    if (byComm_.count(slot.comm) == 0) return false;
    const bool anySource = slot.source == MPI_ANY_SOURCE, anyTag = slot.tag == MPI_ANY_TAG;
    if (anySource && anyTag) return true;
    if (anySource) return byTag_.count({slot.comm, slot.tag}) + byTag_.count({slot.comm, MPI_ANY_TAG}) > 0;
    if (anyTag) return bySource_.count({slot.comm, slot.source}) + bySource_.count({slot.comm, MPI_ANY_SOURCE}) > 0;
    for (int source : {slot.source, static_cast<int>(MPI_ANY_SOURCE)}) {
      for (int tag : {slot.tag, static_cast<int>(MPI_ANY_TAG)}) {
        if (exact_.count({slot.comm, source, tag}) > 0) return true;
      }
    }
    return false;
  }

 private:
  std::set<std::tuple<MPI_Comm, int, int>> exact_;
  std::set<std::pair<MPI_Comm, int>> byTag_, bySource_;
  std::set<MPI_Comm> byComm_;
};
Unmatched unmatched;

// Probes for the messages of pending value receives, oldest first, so that they match in the order posted.
void MatchProbes(napi_env env) {
  size_t kept = 0;
  unmatched.Clear();
  for (size_t i = 0; i < probing.size(); i++) {
    int id = probing[i];
    Slot& slot = slots[id];
    int flag = 0;
    MPI_Message message;
    MPI_Status status;
    int rc = written < capacity && !unmatched.Overlaps(slot)
                 ? MPI_Improbe(slot.source, slot.tag, slot.comm, &flag, &message, &status)
                 : MPI_SUCCESS;
    if (rc == MPI_SUCCESS && !flag) {
      unmatched.Add(slot);
      probing[kept++] = id;
      continue;
    }
    if (rc == MPI_SUCCESS) rc = StartMatchedReceive(env, id, &message, status);
    if (rc != MPI_SUCCESS) {
      status.MPI_ERROR = rc;
      Complete(id, status);
    }
  }
  probing.resize(kept);
}

// One MPI_Testsome over the pending requests; returns its error code unless that is only about single requests.
int TestActive() {
  int count = static_cast<int>(std::min(active.size(), capacity - written));
  if (count == 0) return MPI_SUCCESS;
  indices.resize(count);
  // Zeroed for the same reason as in StartedRequest: MPICH leaves parts of a completed send's status unset.
  statuses.assign(count, MPI_Status{});
  int outcount = 0;
  int rc = MPI_Testsome(count, active.data(), &outcount, indices.data(), statuses.data());
  if (rc != MPI_SUCCESS && rc != MPI_ERR_IN_STATUS) return rc;
  if (outcount == MPI_UNDEFINED || outcount <= 0) return MPI_SUCCESS;
  finished.resize(outcount);
  for (int i = 0; i < outcount; i++) finished[i] = activeIds[indices[i]];
  // Removing from the end first keeps every position still to be removed valid.
  std::sort(indices.begin(), indices.begin() + outcount, std::greater<int>());
  for (int i = 0; i < outcount; i++) Deactivate(indices[i]);
  for (int i = 0; i < outcount; i++) {
    // MPI sets the MPI_ERROR field of the statuses only when it returns MPI_ERR_IN_STATUS.
    if (rc == MPI_SUCCESS) statuses[i].MPI_ERROR = MPI_SUCCESS;
    Complete(finished[i], statuses[i]);
  }
  return MPI_SUCCESS;
}

// Drops every pending request: cancels what MPI can cancel, gives that a moment to complete, frees the rest. Used
// before MPI_Finalize, so that finalize neither waits for nor complains about requests nobody will complete.
void DropAll() {
  probing.clear();
  postedReceives.clear();
  for (size_t i = 0; i < active.size(); i++) {
    if (slots[activeIds[i]].cancellable) MPI_Cancel(&active[i]);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  int all = active.empty() ? 1 : 0;
  while (!all && std::chrono::steady_clock::now() < deadline) {
    if (MPI_Testall(static_cast<int>(active.size()), active.data(), &all, MPI_STATUSES_IGNORE) != MPI_SUCCESS) break;
  }
  for (MPI_Request& request : active) {
    if (request != MPI_REQUEST_NULL) MPI_Request_free(&request);
  }
  active.clear();
  activeIds.clear();
  slots.clear();
  freeIds.clear();
}

// The id argument of a function on one request: a live slot, else a TypeError.
bool GetId(const Napi::Value& value, int* id) {
  if (!ToInt(value, "id", id)) return false;
  if (*id >= 0 && static_cast<size_t>(*id) < slots.size() && slots[*id].live) return true;
  ThrowTypeError(value.Env(), "id must be the id of a pending request");
  return false;
}

// Above this size a message goes by rendezvous in both MPIs' shared-memory and TCP paths, so a send cannot be
// complete the moment it starts, nor a receive (its data has yet to be pulled). Testing such a request at once only
// disturbs the transfer: a window of 64 one-MiB isends + irecvs each way ran at 19.5 GB/s instead of 27.6 GB/s in a C
// program that tested each request after starting it (Open MPI, here).
constexpr size_t kMayCompleteAtStart = 16 * 1024;

// Whether to test a small request the moment it starts: when nothing else is pending, or for a send when the one
// other pending request is a receive (posted ahead of the send, as in a ping-pong). Such a request often completes at
// once and costs no poll. In a window the next poll tests all the requests in one MPI_Testsome, and a test per request
// mostly fails and costs a full MPI progress pass each: 64 one-KiB isends took 57 us to start with the tests (4 of 64
// completed there), 38 us without; testing the first two or four of each window still cost 15-20% of the 1 KiB
// window bandwidth (1100 against 1350 MB/s).
bool TestAtStart(const BufferView& buf, bool send) {
  if (buf.bytes > kMayCompleteAtStart) return false;
  const size_t others = active.size() + probing.size();
  // The one other is a receive: a value receive waiting for its match, or an active request that is no isend.
  return others == 0 || (send && others == 1 && (active.empty() || !slots[activeIds[0]].send));
}

// Files the irecv `id` for CheckSelfSend, which only Open MPI needs.
void NotePosted(int id, const Message& m) {
#if defined(OPEN_MPI)
  Slot& slot = slots[id];
  slot.posted = true;
  slot.comm = m.comm;
  slot.source = m.peer;
  slot.tag = m.tag;
  slot.capacity = m.buf.bytes;
  slot.sequence = ++receivesPosted;
  // Entries go stale as receives complete; drop them once they outnumber what is pending, so that a program that
  // never sends to itself does not grow the list for ever.
  if (postedReceives.size() >= 2 * active.size() + 64) {
    postedReceives.erase(std::remove_if(postedReceives.begin(), postedReceives.end(),
                                        [](const auto& entry) { return !StillPosted(entry); }),
                         postedReceives.end());
  }
  postedReceives.emplace_back(id, slot.sequence);
#else
  (void)id;
  (void)m;
#endif
}

// isend(buf), envelope (comm, dest, tag) -> id or kCompletedAtStart
napi_value Isend(napi_env env, napi_callback_info info) {
  Message m;
  MPI_Request request;
  if (!ReadMessage(env, info, "dest", &m)) return nullptr;
  CountedType shortened;
  const CountedType* counted = SelfSendCount(env, m.comm, m.peer, m.tag, m.buf.bytes, m.counted, &shortened);
  if (counted == nullptr) return nullptr;
  int rc = MPI_Isend(m.buf.data, counted->count, counted->type, m.peer, m.tag, m.comm, &request);
  return StartedRequest(env, rc, request, true, TestAtStart(m.buf, true), true);
}

// irecv(buf), envelope (comm, source, tag) -> id or kCompletedAtStart
napi_value Irecv(napi_env env, napi_callback_info info) {
  Message m;
  MPI_Request request;
  if (!ReadMessage(env, info, "source", &m)) return nullptr;
  if (m.peer == MPI_PROC_NULL) {
    // Complete at once with the status MPI defines for it, which MPICH 4.0's MPI_Test does not fill in.
    MPI_Status status;
    status.MPI_SOURCE = MPI_PROC_NULL;
    status.MPI_TAG = MPI_ANY_TAG;
    status.MPI_ERROR = MPI_SUCCESS;
    MPI_Status_set_elements(&status, MPI_BYTE, 0);
    MPI_Status_set_cancelled(&status, 0);
    StoreStatus(status);
    return Napi::Number::New(env, kCompletedAtStart);
  }
  int rc = MPI_Irecv(m.buf.data, m.counted.count, m.counted.type, m.peer, m.tag, m.comm, &request);
  int id = -1;
  Napi::Value started = StartedRequest(env, rc, request, true, TestAtStart(m.buf, false), false, &id);
  if (id >= 0) NotePosted(id, m);
  return started;
}

// irecvBytes(comm, source, tag) -> id: a receive of one whole message of any size, matched by the next polls.
Napi::Value IrecvBytes(const Napi::CallbackInfo& info) {
  MPI_Comm comm;
  int source, tag;
  if (!GetComm(info[0], &comm) || !ToInt(info[1], "source", &source) || !ToInt(info[2], "tag", &tag)) {
    return Napi::Value();
  }
  int id = NewSlot(true);
  slots[id].comm = comm;
  slots[id].source = source;
  slots[id].tag = tag;
  probing.push_back(id);
  return Napi::Number::New(info.Env(), id);
}

// progress(spinNanoseconds) -> number of completion records written, or [that number, error]. Tests every pending request; when none has
// completed, tries again until the spin time is over, so that a reply a few microseconds away is caught without
// another turn of the event loop.
Napi::Value Progress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double spin = 0;
  if (!MpiUsable(env)) return Napi::Value();
  if (napi_get_value_double(env, info[0], &spin) != napi_ok) {
    ThrowTypeError(env, "spin must be a number");
    return Napi::Value();
  }
  written = 0;
  auto now = std::chrono::steady_clock::now();
  const auto deadline = now + std::chrono::nanoseconds(static_cast<int64_t>(spin));
  auto lastCompletion = now;
  for (;;) {
    const size_t before = written;
    if (!probing.empty()) MatchProbes(env);
    int rc = active.empty() ? MPI_SUCCESS : TestActive();
    if (rc != MPI_SUCCESS) {
      // Not an error of one request but of the call: nothing pending can be trusted to complete any more.
      DropAll();
      ThrowMpiError(env, rc);
      return Napi::Value();
    }
    if (spin <= 0 || (active.empty() && probing.empty()) || written == capacity) break;
    now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    // Once something has completed, go on only while more keeps completing: the rest of a window of messages
    // arriving one after another is then handed over in one call rather than one call (and one JS turn) each.
    if (written > before) lastCompletion = now;
    if (written > 0 && now - lastCompletion >= kLinger) break;
  }
  // Nothing to do: give the core away for a moment. On a machine with more ranks (or other work) than cores, the
  // peer whose message this rank waits for may be the very process waiting for this core.
  if (written == 0 && spin <= 0) sched_yield();
  Napi::Number count = Napi::Number::New(env, static_cast<double>(written));
  // A user op's function threw while MPI_Testsome ran a nonblocking reduction: which one cannot be told, so the
  // TypeScript layer fails every reduction with a user op that was in flight.
  if (!RethrowUserOpError(env)) return count;
  napi_value error = nullptr;
  napi_get_and_clear_last_exception(env, &error);
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, count);
  result.Set(1u, Napi::Value(env, error));
  return result;
}

// takePayload(id) -> Buffer: the message a completed value receive received (no copy).
Napi::Value TakePayload(const Napi::CallbackInfo& info) {
  int id;
  if (!GetId(info[0], &id)) return Napi::Value();
  Slot& slot = slots[id];
  if (!slot.payload || slot.position >= 0) {
    ThrowTypeError(info.Env(), "id must be the id of a completed value receive");
    return Napi::Value();
  }
  size_t bytes = slot.payloadBytes;
  uint8_t* data = slot.payload.release();
  Release(id);
  return Napi::Buffer<uint8_t>::New(info.Env(), data, bytes, [](Napi::Env, uint8_t* memory) { delete[] memory; });
}

// cancelRequest(id) -> whether the request is gone already: a value receive still waiting for its message is
// simply dropped; anything else is handed to MPI_Cancel and completes (cancelled or not) through a later poll.
Napi::Value CancelRequest(const Napi::CallbackInfo& info) {
  int id;
  if (!MpiUsable(info.Env()) || !GetId(info[0], &id)) return Napi::Value();
  Slot& slot = slots[id];
  if (slot.position < 0) {
    probing.erase(std::find(probing.begin(), probing.end(), id));
    Release(id);
    return Napi::Boolean::New(info.Env(), true);
  }
  if (slot.cancellable && !Check(info.Env(), MPI_Cancel(&active[slot.position]))) return Napi::Value();
  return Napi::Boolean::New(info.Env(), false);
}

// setCompletionArray(Float64Array): where progress() writes its records, kCompletionFields numbers each.
Napi::Value SetCompletionArray(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    ThrowTypeError(info.Env(), "completions must be a Float64Array");
    return Napi::Value();
  }
  Napi::Float64Array array = info[0].As<Napi::Float64Array>();
  completionsRef = Napi::Persistent(array);
  completions = array.Data();
  capacity = array.ElementLength() / kCompletionFields;
  return Napi::Value();
}

// mpiErrorOf(code) -> the MpiError for an MPI error code, returned rather than thrown (a request rejects with it).
Napi::Value MpiErrorOf(const Napi::CallbackInfo& info) {
  int code;
  if (!ToInt(info[0], "code", &code)) return Napi::Value();
  ThrowMpiError(info.Env(), code);
  napi_value error = nullptr;
  napi_get_and_clear_last_exception(info.Env(), &error);
  return Napi::Value(info.Env(), error);
}

void Cleanup(void*) {
  completionsRef.Reset();
  completions = nullptr;
  capacity = 0;
}

}  // namespace

// An entry whose slot has since been released (its id perhaps reused, hence the sequence) or matched is stale, and
// dropped by CheckSelfSend's search or by NotePosted's compaction. Only Open MPI files any.
std::deque<std::pair<int, uint64_t>> postedReceives;

#if defined(OPEN_MPI)
const CountedType* CheckSelfSend(napi_env env, MPI_Comm comm, int dest, int tag, size_t bytes,
                                 const CountedType& counted, CountedType* shortened, OwnReceive* own) {
  int rank = MPI_PROC_NULL;
  if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS || dest != rank) return &counted;
  const auto couldMatch = [&](int source, int receiveTag) {
    return (source == rank || source == MPI_ANY_SOURCE) && (receiveTag == tag || receiveTag == MPI_ANY_TAG);
  };
  DropStaleFront();
  // MPI gives the message to the oldest posted receive it matches, unless that one has taken another message: one
  // that MPI has completed has. Either way a receive looked at here is not there for a later message to oneself.
  Slot* target = nullptr;
  for (const auto& entry : postedReceives) {
    if (!StillPosted(entry)) continue;
    Slot& slot = slots[entry.first];
    if (slot.comm != comm || !couldMatch(slot.source, slot.tag)) continue;
    int complete = 0;
    MPI_Request_get_status(active[slot.position], &complete, MPI_STATUS_IGNORE);
    slot.matched = true;
    if (!complete) {
      target = &slot;
      break;
    }
  }
  int source;
  size_t capacity;
  if (target != nullptr) {
    source = target->source;
    capacity = target->capacity;
  } else if (own != nullptr && couldMatch(own->source, own->tag)) {
    // sendrecv's own receive, unless a message already queued for it is what it will take.
    int queued = 0;
    MPI_Iprobe(own->source, own->tag, comm, &queued, MPI_STATUS_IGNORE);
    if (queued) return &counted;
    source = own->source;
    capacity = own->capacity;
  } else {
    return &counted;
  }
  if (capacity >= bytes) return &counted;
  // A receive from this rank can only be taking this message. One from ANY_SOURCE that is not complete may be taking
  // a message from another rank right now: cutting this message short for it could then lose the rest unnoticed.
  int size = 0;
  const bool certain = source == rank || (MPI_Comm_size(comm, &size) == MPI_SUCCESS && size == 1);
  if (certain && shortened->Set(env, capacity, MPI_BYTE)) {
    if (target != nullptr) target->truncated = true;
    else own->truncated = true;
    return shortened;
  }
  if (target != nullptr) target->matched = false;  // refused: the receive takes nothing from this send after all
  if (!certain) {
    char message[320];
    snprintf(message, sizeof(message),
             "message truncated: this rank's message of %zu bytes to itself would go into a receive of %zu bytes "
             "from ANY_SOURCE, so nothing was sent (Open MPI's self transport would write past that receive's "
             "buffer instead of failing it with MPI_ERR_TRUNCATE)",
             bytes, capacity);
    ThrowMpiError(env, MPI_ERR_TRUNCATE, message);
  }
  return nullptr;
}
#endif

Napi::Value StartedRequest(Napi::Env env, int rc, MPI_Request request, bool cancellable, bool testNow, bool send,
                           int* startedId) {
  if (!Check(env, rc)) return Napi::Value();
  // Eager sends, and receives whose message is already there, are done now: report that without a table entry.
  int flag = 0;
  // Zeroed: MPICH 4.0 leaves a completed send's count and cancelled flag unset, and valgrind rightly objects when
  // StoreStatus reads them. Zero is "0 bytes, not cancelled, MPI_SUCCESS" on both MPIs.
  MPI_Status status{};
  if (testNow) rc = MPI_Test(&request, &flag, &status);
  if (rc != MPI_SUCCESS || flag) {
    status.MPI_ERROR = rc;
    StoreStatus(status);
    return Napi::Number::New(env, kCompletedAtStart);
  }
  int id = NewSlot(cancellable);
  slots[id].send = send;
  Activate(id, request);
  if (startedId != nullptr) *startedId = id;
  return Napi::Number::New(env, id);
}

void InitRequest(Napi::Env env, Napi::Object exports) {
  OnBeforeFinalize(DropAll);
  napi_add_env_cleanup_hook(env, Cleanup, nullptr);
  exports.Set("COMPLETION_FIELDS", Napi::Number::New(env, kCompletionFields));
  exports.Set("COMPLETED_AT_START", Napi::Number::New(env, kCompletedAtStart));
  Export(env, exports, "isend", Isend);
  Export(env, exports, "irecv", Irecv);
  Export(env, exports, "irecvBytes", IrecvBytes);
  Export(env, exports, "progress", Progress);
  Export(env, exports, "takePayload", TakePayload);
  Export(env, exports, "cancelRequest", CancelRequest);
  Export(env, exports, "setCompletionArray", SetCompletionArray);
  Export(env, exports, "mpiErrorOf", MpiErrorOf);
}

}  // namespace mpi4js
