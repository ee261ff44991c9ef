#ifndef ACCORD_CLIENTS_VERIFIER_REVOKED_GRANTS_H_
#define ACCORD_CLIENTS_VERIFIER_REVOKED_GRANTS_H_

// The grant ids a data service must no longer honour, as the broker's
// revocation stream reports them (RevocationWatcher fills it; GrantVerifier
// reads it). No gRPC here.
//
// Bounded: a revocation names grant ids only, not their expiry, so an entry
// is kept for the longest lifetime the broker gives a grant
// (`max_grant_lifetime`, the broker's max_grant_lifetime_seconds) after it
// arrived; by then the grant has expired and the lifetime check refuses it.
//
// Fail closed: while the stream is down a revocation may be missed, so after
// `max_staleness` without a stream (or before the first one), Check refuses.
// A stream counts as up once it delivered a revocation or stayed open for
// `settle` (the broker sends nothing on a stream it accepted until there is
// a revocation, and ends at once a stream it refuses).

#include <cstddef>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clients/verifier/key_source.h"

namespace accord::verifier {

// Thread-safe.
class RevokedGrants {
 public:
  struct Options {
    absl::Duration max_grant_lifetime = absl::Hours(24);
    absl::Duration max_staleness = absl::Seconds(30);
    absl::Duration settle = absl::Seconds(1);
    NowFunction now = absl::Now;
  };

  explicit RevokedGrants(Options options);

  // Records revoked grant ids (arrived now; the open stream is up), and
  // drops entries older than max_grant_lifetime.
  void Add(const std::vector<std::string>& grant_ids) ABSL_LOCKS_EXCLUDED(mu_);

  // A stream was opened.
  void StreamOpened() ABSL_LOCKS_EXCLUDED(mu_);
  // The open stream ended; revocations sent from now on are seen only once
  // a stream resumes.
  void StreamEnded() ABSL_LOCKS_EXCLUDED(mu_);

  // OK when `grant_id` may be honoured as far as revocations go;
  // PERMISSION_DENIED when it was revoked; UNAVAILABLE when the stream has
  // never been up, or has been down for longer than max_staleness.
  absl::Status Check(absl::string_view grant_id) const ABSL_LOCKS_EXCLUDED(mu_);

  // How many grant ids are held.
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void PruneLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool UpLocked(absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Time Now() const;

  const Options options_;
  mutable absl::Mutex mu_;
  // grant id -> when its revocation arrived.
  absl::flat_hash_map<std::string, absl::Time> revoked_ ABSL_GUARDED_BY(mu_);
  // The same entries in arrival order, for pruning from the front.
  std::deque<std::pair<absl::Time, std::string>> arrivals_ ABSL_GUARDED_BY(mu_);
  bool open_ ABSL_GUARDED_BY(mu_) = false;
  bool delivered_ ABSL_GUARDED_BY(mu_) = false;  // on the open stream
  absl::Time opened_at_ ABSL_GUARDED_BY(mu_);
  bool ever_up_ ABSL_GUARDED_BY(mu_) = false;
  // When the last stream that was up ended.
  absl::Time down_since_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace accord::verifier

#endif  // ACCORD_CLIENTS_VERIFIER_REVOKED_GRANTS_H_
