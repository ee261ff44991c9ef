#ifndef ACCORD_BROKER_JWKS_JWKS_SOURCE_H_
#define ACCORD_BROKER_JWKS_JWKS_SOURCE_H_

// A set of public keys kept fresh from where it is published: a JWKS file,
// a JWKS URL (over HTTPS with a pinned CA) or any loader. The grant verifier
// (clients/verifier) gets the broker's keys this way (from
// /.well-known/jwks.json or TrustService.GetVerificationKeys); the broker
// gets a citizen identity provider's keys the same way. The set is loaded once,
// then loaded again:
//  - when its age exceeds the max-age its loader reported (the HTTP
//    Cache-Control header), so keys the broker withdrew stop verifying;
//  - when a token names a kid the cached set does not hold;
// and never more often than a configured floor, so that a flood of tokens
// with made-up kids cannot turn into a flood of fetches. Each load replaces
// the whole set: a key missing from the new document is dropped.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace accord::crypto {
class Jwks;
}  // namespace accord::crypto

namespace accord::jwks {

// Returns the current time. Tests pass a settable one.
using NowFunction = std::function<absl::Time()>;

// One load of a JWK set.
struct JwksDocument {
  // Lets a loader return just the text.
  JwksDocument(std::string json_text) : json(std::move(json_text)) {}  // NOLINT
  JwksDocument(std::string json_text, std::optional<absl::Duration> age)
      : json(std::move(json_text)), max_age(age) {}

  std::string json;
  // How long the set may be used before it is loaded again; nullopt: until
  // a token names an unknown kid.
  std::optional<absl::Duration> max_age;
};

// Reads the JWKS from somewhere: OK with the document, or the error.
using JwksLoader = std::function<absl::StatusOr<JwksDocument>()>;

// A cached, refreshable JWK set. Thread-safe.
class JwksSource {
 public:
  struct Options {
    // Least time between two loads, successful or not (the first load is
    // never held back). Also bounds reloads when max-age is shorter.
    absl::Duration min_refresh_interval = absl::Seconds(30);
    // Bound on connecting, and on each read, of one HTTP(S) fetch.
    absl::Duration fetch_timeout = absl::Seconds(5);
    // https:// URLs: the PEM file of the CA certificates that may sign the
    // server's certificate (pinned: nothing else is trusted). Required for
    // https unless `use_system_roots`.
    std::string ca_file;
    // https:// URLs without `ca_file`: trust the system's CA store.
    bool use_system_roots = false;
    // Plain http:// is refused unless this is set, and then only towards a
    // loopback host (127.0.0.0/8, [::1], localhost).
    bool allow_loopback_http = false;
    NowFunction now = absl::Now;
  };

  // `location` is an "https://host[:port]/path" URL, an "http://" URL on
  // loopback (with `allow_loopback_http`), or a file path. Loads the set
  // once. Returns the source, or:
  //  - INVALID_ARGUMENT naming the URL part or option at fault: a scheme
  //    other than http/https, a malformed host, port or path, http without
  //    `allow_loopback_http` or towards a host that is not loopback, https
  //    with neither `ca_file` nor `use_system_roots`;
  //  - the load error: NOT_FOUND for a missing file or CA file; UNAVAILABLE
  //    for an unreachable URL or a TLS failure; UNAUTHENTICATED when the
  //    server's certificate does not verify against the CA or names another
  //    host; DEADLINE_EXCEEDED when connecting took longer than
  //    `fetch_timeout`, UNAVAILABLE when a read did;
  //    FAILED_PRECONDITION for an HTTP status other than 200;
  //    INVALID_ARGUMENT for a body over 1 MiB or that is not a usable JWKS,
  //    naming the key at fault.
  static absl::StatusOr<std::unique_ptr<JwksSource>> Open(
      absl::string_view location, Options options);
  static absl::StatusOr<std::unique_ptr<JwksSource>> Open(
      absl::string_view location) {
    return Open(location, Options());
  }

  // A source over any loader (for tests and other transports). Loads once;
  // returns the source, INVALID_ARGUMENT for a null loader, or the first
  // load's error.
  static absl::StatusOr<std::unique_ptr<JwksSource>> FromLoader(
      JwksLoader loader, Options options);

  // A source over `loader` that loads nothing yet: its set is empty and
  // stale, so the first RefreshIfStale (or RefreshAfterUnknownKid) loads
  // it, and a failed load is retried after min_refresh_interval. For a
  // caller that must not wait for the network at start (the broker loads
  // citizen issuers' keys on a thread of its own). INVALID_ARGUMENT for a
  // null loader.
  static absl::StatusOr<std::unique_ptr<JwksSource>> Deferred(JwksLoader loader,
                                                              Options options);

  // The cached set (empty before the first successful load). Never null.
  std::shared_ptr<const crypto::Jwks> Keys() const ABSL_LOCKS_EXCLUDED(mu_) {
    return Current();
  }
  // True once a load has succeeded.
  bool loaded() const ABSL_LOCKS_EXCLUDED(mu_);

  // True when the cached set holds a key with this kid.
  bool HasKey(absl::string_view kid) const ABSL_LOCKS_EXCLUDED(mu_);
  // The kids of the cached set, in document order.
  std::vector<std::string> Kids() const ABSL_LOCKS_EXCLUDED(mu_);

  // Loads the set again when it is older than the max-age of its last
  // successful load and the last load is at least min_refresh_interval ago.
  // Returns true when a new set was loaded, false when none was due; or the
  // load error (the cached set stays in use and the load is retried after
  // the floor, so a broker that is briefly away does not stop verification).
  absl::StatusOr<bool> RefreshIfStale() ABSL_LOCKS_EXCLUDED(load_mu_, mu_);

  // Called after a token named an unknown kid. Loads the set again unless
  // the last load was less than min_refresh_interval ago. Returns true when
  // a new set was loaded, false when the floor held the load back; or the
  // load error (the cached set stays in use).
  absl::StatusOr<bool> RefreshAfterUnknownKid()
      ABSL_LOCKS_EXCLUDED(load_mu_, mu_);

  // How many loads were attempted so far (the first one included).
  int64_t load_count() const ABSL_LOCKS_EXCLUDED(mu_);

  // The cached set. Never null.
  std::shared_ptr<const crypto::Jwks> Current() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  JwksSource(JwksLoader loader, Options options)
      : loader_(std::move(loader)), options_(std::move(options)) {}

  // Loads and installs the set. Returns OK or the load/parse error.
  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(load_mu_)
      ABSL_LOCKS_EXCLUDED(mu_);
  // True when a stale set may be loaded again now.
  bool StaleAndDue() const ABSL_LOCKS_EXCLUDED(mu_);

  const JwksLoader loader_;
  const Options options_;
  // Held for a whole load so concurrent refreshes do one load, not many.
  absl::Mutex load_mu_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const crypto::Jwks> jwks_ ABSL_GUARDED_BY(mu_);
  absl::Time last_load_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // When the cached set must be loaded again (InfiniteFuture: no max-age).
  absl::Time stale_at_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  int64_t loads_ ABSL_GUARDED_BY(mu_) = 0;
  bool loaded_ ABSL_GUARDED_BY(mu_) = false;
};

// Reads a JWKS file of at most 1 MiB. Returns its text; NOT_FOUND /
// INVALID_ARGUMENT naming the path.
absl::StatusOr<std::string> LoadJwksFile(const std::string& path);

// GETs a JWKS URL under `options` (scheme rules, CA, timeout as
// JwksSource::Open). Returns the body with the max-age of its
// Cache-Control header, or the errors of JwksSource::Open.
absl::StatusOr<JwksDocument> FetchJwksUrl(absl::string_view url,
                                          const JwksSource::Options& options);

// The same GET for any JSON document of at most 1 MiB (an OpenID discovery
// document): FetchJwksUrl's rules and errors, whose messages begin with
// `label` and the URL instead of "jwks url" (the URL's own syntax errors
// still say "jwks url"). The body is returned unparsed.
absl::StatusOr<JwksDocument> FetchDocument(absl::string_view label,
                                           absl::string_view url,
                                           const JwksSource::Options& options);

}  // namespace accord::jwks

#endif  // ACCORD_BROKER_JWKS_JWKS_SOURCE_H_
