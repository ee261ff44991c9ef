#ifndef ACCORD_BROKER_STORE_REVISION_WAITERS_H_
#define ACCORD_BROKER_STORE_REVISION_WAITERS_H_

#include <cstdint>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace accord::store {

// Callbacks waiting for the store to reach a revision, each bounded by a
// deadline. Nobody blocks: a waiter is a callback, run once, on the
// waiters' own thread, when the revision is reached, when its deadline
// passes or when the store closes. One thread serves every waiter, so a
// callback must be short (a decision and a reply are fine; no blocking
// wait). Thread-safe.
class RevisionWaiters {
 public:
  using Done = absl::AnyInvocable<void(absl::Status)>;

  // Starts at `revision`; at most `max_waiters` callbacks wait at once.
  RevisionWaiters(uint64_t revision, size_t max_waiters);
  ~RevisionWaiters();  // Close()
  RevisionWaiters(const RevisionWaiters&) = delete;
  RevisionWaiters& operator=(const RevisionWaiters&) = delete;

  // Runs `done(OK)` on the calling thread, at once, when `revision` is
  // reached already. Otherwise `done` runs later on the waiters' thread
  // with OK once Advance reaches `revision`; DEADLINE_EXCEEDED once
  // `deadline` passes first; UNAVAILABLE when closed first. At once, on the
  // calling thread: RESOURCE_EXHAUSTED when `max_waiters` callbacks wait
  // already, UNAVAILABLE when closed.
  void Wait(uint64_t revision, absl::Time deadline, Done done)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The store reached `revision` (never goes back). Cheap: wakes the
  // waiters' thread when a callback is due; runs none itself.
  void Advance(uint64_t revision) ABSL_LOCKS_EXCLUDED(mu_);

  // Callbacks waiting now.
  size_t waiting() const ABSL_LOCKS_EXCLUDED(mu_);

  // Fails every waiting callback with UNAVAILABLE and stops the thread.
  // Idempotent.
  void Close() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  using Key = std::pair<uint64_t, uint64_t>;  // revision, sequence
  struct Waiter {
    absl::Time deadline;
    Done done;
  };

  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  const size_t max_waiters_;
  mutable absl::Mutex mu_;
  uint64_t revision_ ABSL_GUARDED_BY(mu_);
  uint64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::map<Key, Waiter> by_revision_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<absl::Time, Key>> by_deadline_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace accord::store

#endif  // ACCORD_BROKER_STORE_REVISION_WAITERS_H_
