#ifndef ACCORD_BROKER_SERVICE_REVOCATIONS_H_
#define ACCORD_BROKER_SERVICE_REVOCATIONS_H_

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "accord/v1/trust.pb.h"

namespace accord::store {
class Store;
}  // namespace accord::store

namespace accord::service {

// Who may see one revoked grant: the partner it was issued to and the
// producer of its dataset (empty when the grant cannot be read).
struct GrantOwner {
  std::string partner;
  std::string producer;
};

// A committed revocation with the owner of each of its grant ids (same
// order), so that each watcher is shown only the grants in its scope.
struct OwnedRevocation {
  accord::v1::Revocation revocation;
  std::vector<GrantOwner> owners;
};

// At most `limit` revocations committed after `revision`, oldest first,
// with their owners: the one read of revocations for the hub and for a
// stream's replay. Errors: the store's.
absl::StatusOr<std::vector<OwnedRevocation>> ReadOwnedRevocations(
    const store::Store& store, uint64_t revision, size_t limit);

// Fans committed revocations out to the open WatchRevocations streams.
// Write paths call Notify after a commit holding a revocation; one thread
// of the hub reads the new revocations from the store, in revision order,
// and hands them to every subscriber. Thread-safe.
class RevocationHub {
 public:
  class Subscriber {
   public:
    virtual ~Subscriber() = default;
    // New revocations, oldest first, each with its revision. Runs on the
    // hub's thread; must not block and must not call the hub.
    virtual void Deliver(const std::vector<OwnedRevocation>& batch) = 0;
    // The hub is closing: no Deliver follows. Same rules as Deliver.
    virtual void Closed() = 0;
  };

  // Follows the store from its current revision. `store` outlives the hub.
  explicit RevocationHub(store::Store* store);
  ~RevocationHub();  // Close()
  RevocationHub(const RevocationHub&) = delete;
  RevocationHub& operator=(const RevocationHub&) = delete;

  // A commit at `revision` may hold revocations. Cheap and non-blocking:
  // callable from the store's commit callbacks.
  void Notify(uint64_t revision) ABSL_LOCKS_EXCLUDED(mu_);

  // Adds `s`: it gets every revocation committed after the hub's cursor at
  // this moment. Returns false when the hub is closed. Revocations at or
  // below the revision a subscriber replayed from the store may be delivered
  // again; subscribers drop them by revision.
  bool Subscribe(Subscriber* s) ABSL_LOCKS_EXCLUDED(mu_);
  // Removes `s`; once it returns, no Deliver or Closed call for `s` runs or
  // follows.
  void Unsubscribe(Subscriber* s) ABSL_LOCKS_EXCLUDED(mu_);

  // Tells every subscriber Closed, refuses new ones, stops the thread.
  // Idempotent.
  void Close() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  store::Store* const store_;
  absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // The highest revision notified, and the revision read up to.
  uint64_t target_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t cursor_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_set<Subscriber*> subscribers_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_REVOCATIONS_H_
