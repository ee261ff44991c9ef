#ifndef ACCORD_BROKER_SERVICE_CITIZEN_KEYS_H_
#define ACCORD_BROKER_SERVICE_CITIZEN_KEYS_H_

// The public keys of one citizen issuer.
//  - With a jwks_file: read once at start, never fetched, never changed.
//  - By URL (no jwks_file): discovered from the provider
//    (oidc_discovery.h) by Refresh, which only the key refresher's thread
//    calls; gRPC handler threads read the current set and ask for a
//    refresh (WantRefresh), and never wait for the network. The set starts
//    empty (nothing is fetched at start), is loaded again once older than
//    its clamped max-age, and, when a token named a kid it does not hold,
//    as soon as kRefreshFloor has passed since the last load (so made-up
//    kids cost at most one fetch per issuer every kRefreshFloor). Each load
//    replaces the whole set: a key the provider no longer publishes is
//    dropped, and its kid is remembered as withdrawn. A kid asked about
//    that a load begun after the question still lacks is "not published".

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/crypto/jwks.h"
#include "broker/jwks/jwks_source.h"
#include "broker/service/config.h"

namespace accord::service {

class CitizenKeys {
 public:
  // Least time between two loads of one issuer's keys, whatever asks.
  static constexpr absl::Duration kRefreshFloor = absl::Seconds(10);
  // Withdrawn kids, and kids asked about, remembered per issuer (each set
  // is cleared when full).
  static constexpr size_t kMaxRememberedKids = 1024;

  // From `issuer.jwks_file`, read now (FAILED_PRECONDITION naming the file
  // when it cannot be read or parsed); or, without one, by URL: nothing is
  // fetched yet (INVALID_ARGUMENT when the issuer is not an https URL).
  static absl::StatusOr<std::unique_ptr<CitizenKeys>> Open(
      const CitizenIssuer& issuer);
  // By URL over any loader, with a settable clock (tests).
  static absl::StatusOr<std::unique_ptr<CitizenKeys>> FromLoader(
      std::string issuer, jwks::JwksLoader loader, jwks::NowFunction now);

  CitizenKeys(const CitizenKeys&) = delete;
  CitizenKeys& operator=(const CitizenKeys&) = delete;

  const std::string& issuer() const { return issuer_; }
  // True for an issuer discovered by URL.
  bool discovered() const { return source_ != nullptr; }

  // The current set: empty until a first load succeeded. Never null; a new
  // pointer after each load.
  std::shared_ptr<const crypto::Jwks> Current() const;
  // True once keys are there (always for a jwks_file).
  bool loaded() const;
  // What to make of a token under `kid`, which the current set lacks:
  enum class Missing {
    kPending,       // keys not loaded yet, or no load has begun since the
                    // kid was first asked about: a load is now wanted
    kWithdrawn,     // an earlier set of this issuer held it
    kNotPublished,  // a load begun after it was first asked about lacks it
  };
  Missing Lookup(absl::string_view kid) ABSL_LOCKS_EXCLUDED(mu_);

  // Asks for a load as soon as the floor allows. Returns at once; the
  // refresher does the load.
  void WantRefresh() { wanted_.store(true, std::memory_order_relaxed); }
  bool refresh_wanted() const {
    return wanted_.load(std::memory_order_relaxed);
  }

  // The refresher's thread only (blocks on the network): loads the set
  // when a load is wanted and the floor allows, or when it is stale. Logs
  // one line for each load that changed the set or failed. Returns true
  // when it loaded a new set.
  bool Refresh() ABSL_LOCKS_EXCLUDED(mu_);

  // The error of the last load, OK when it succeeded (or none was tried).
  absl::Status last_error() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  CitizenKeys(std::string issuer, std::shared_ptr<const crypto::Jwks> fixed,
              std::unique_ptr<jwks::JwksSource> source, jwks::NowFunction now)
      : issuer_(std::move(issuer)),
        fixed_(std::move(fixed)),
        source_(std::move(source)),
        now_(std::move(now)) {}

  // After a load begun at `began` replaced `before`: remembers the kids it
  // dropped and when the set was loaded, and clears the last error. Returns
  // true when the previous load had failed.
  bool NoteLoad(const crypto::Jwks& before, const crypto::Jwks& after,
                absl::Time began) ABSL_LOCKS_EXCLUDED(mu_);

  const std::string issuer_;
  // The jwks_file's set; null for an issuer by URL.
  const std::shared_ptr<const crypto::Jwks> fixed_;
  // The discovered set; null for a jwks_file.
  const std::unique_ptr<jwks::JwksSource> source_;
  const jwks::NowFunction now_;
  std::atomic<bool> wanted_{false};
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> withdrawn_ ABSL_GUARDED_BY(mu_);
  // Kids the current set lacks that tokens named -> when first asked.
  absl::flat_hash_map<std::string, absl::Time> asked_ ABSL_GUARDED_BY(mu_);
  // When the load of the current set began.
  absl::Time loaded_from_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CITIZEN_KEYS_H_
