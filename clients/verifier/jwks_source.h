#ifndef ACCORD_CLIENTS_VERIFIER_JWKS_SOURCE_H_
#define ACCORD_CLIENTS_VERIFIER_JWKS_SOURCE_H_

// Where a grant verifier gets the broker's public keys: a JWKS file or a
// JWKS URL (the broker's /.well-known/jwks.json), loaded once and loaded
// again when a token names a kid the cached set does not hold, never more
// often than a configured floor so that a flood of tokens with made-up kids
// cannot turn into a flood of fetches.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/crypto/jwks.h"

namespace accord::verifier {

// Returns the current time. Tests pass a settable one.
using NowFunction = std::function<absl::Time()>;

// Reads the JWKS text from somewhere: OK with the text, or the error.
using JwksLoader = std::function<absl::StatusOr<std::string>()>;

// A cached, refreshable JWK set. Thread-safe.
class JwksSource {
 public:
  struct Options {
    // Least time between two loads, successful or not (the first load is
    // never held back).
    absl::Duration min_refresh_interval = absl::Seconds(30);
    // Bound on one HTTP fetch.
    absl::Duration fetch_timeout = absl::Seconds(5);
    NowFunction now = absl::Now;
  };

  // `location` is an "http://host:port/path" URL (plain HTTP: use it on
  // loopback or a trusted network, or copy the JWKS to a file) or a file
  // path. Loads the set once. Returns the source; INVALID_ARGUMENT naming
  // the URL part at fault (https URLs included: no TLS here); the load error
  // (NOT_FOUND for a missing file, UNAVAILABLE / DEADLINE_EXCEEDED for an
  // unreachable URL, FAILED_PRECONDITION for an HTTP status other than 200,
  // INVALID_ARGUMENT for a body that is not a usable JWKS, naming the key at
  // fault).
  static absl::StatusOr<std::unique_ptr<JwksSource>> Open(
      absl::string_view location, Options options);
  static absl::StatusOr<std::unique_ptr<JwksSource>> Open(
      absl::string_view location) {
    return Open(location, Options());
  }

  // A source over any loader (for tests and custom transports). Loads once;
  // returns the source or the first load's error.
  static absl::StatusOr<std::unique_ptr<JwksSource>> FromLoader(
      JwksLoader loader, Options options);

  // The cached set. Never null.
  std::shared_ptr<const crypto::Jwks> Current() const ABSL_LOCKS_EXCLUDED(mu_);

  // Called after a token named an unknown kid. Loads the set again unless
  // the last load was less than min_refresh_interval ago. Returns true when
  // a new set was loaded, false when the floor held the load back; or the
  // load error (the cached set stays in use).
  absl::StatusOr<bool> RefreshAfterUnknownKid()
      ABSL_LOCKS_EXCLUDED(load_mu_, mu_);

  // How many loads were attempted so far (the first one included).
  int64_t load_count() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  JwksSource(JwksLoader loader, Options options)
      : loader_(std::move(loader)), options_(std::move(options)) {}

  // Loads and installs the set. Returns OK or the load/parse error.
  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(load_mu_)
      ABSL_LOCKS_EXCLUDED(mu_);

  const JwksLoader loader_;
  const Options options_;
  // Held for a whole load so concurrent refreshes do one load, not many.
  absl::Mutex load_mu_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const crypto::Jwks> jwks_ ABSL_GUARDED_BY(mu_);
  absl::Time last_load_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t loads_ ABSL_GUARDED_BY(mu_) = 0;
};

// Loaders for the two kinds of location. `LoadJwksFile` reads a file of at
// most 1 MiB (NOT_FOUND / INVALID_ARGUMENT naming the path).
// `FetchJwksUrl` GETs the URL (errors as JwksSource::Open).
absl::StatusOr<std::string> LoadJwksFile(const std::string& path);
absl::StatusOr<std::string> FetchJwksUrl(absl::string_view url,
                                         absl::Duration timeout);

}  // namespace accord::verifier

#endif  // ACCORD_CLIENTS_VERIFIER_JWKS_SOURCE_H_
