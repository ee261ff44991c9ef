#ifndef ACCORD_BROKER_SERVICE_KEY_RING_H_
#define ACCORD_BROKER_SERVICE_KEY_RING_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "accord/v1/admin.pb.h"
#include "broker/crypto/signing_key.h"
#include "broker/service/clock.h"

namespace accord::service {

// When keys move between states.
struct KeySchedule {
  // A new key is published this long before it signs, so verifiers that
  // cache the JWKS for at most this long know it before they see it.
  int64_t prepublish_seconds = 600;
  // A retired key stays published this long, at least the longest grant
  // lifetime, so every grant it signed expires before it leaves.
  int64_t retention_seconds = 86400;
};

// What a ring's keys sign, which decides their file names and whether a
// retired key ever leaves the published set.
struct KeyRingKind {
  // Key files are `<file_prefix><kid>.pem`.
  absl::string_view file_prefix;
  // Names the ring in errors ("grant-signing key ring").
  absl::string_view name;
  // Retired keys stay published for ever: what they signed never expires.
  bool keep_retired;
};

// Grants expire, so a retired grant key leaves after the retention time.
inline constexpr KeyRingKind kGrantKeys{"grant-", "grant-signing", false};
// Consent receipts are kept by citizens for as long as they like and must
// still verify after any number of rotations (RFC 8725 §3.12: a key of its
// own, so a receipt is never mistaken for a grant): every receipt key ever
// used stays published.
inline constexpr KeyRingKind kReceiptKeys{"receipt-", "receipt-signing", true};

// Signing keys: one primary key signs, every published key verifies. Each
// key is a PEM file `<prefix><kid>.pem` (mode 0600) in one directory;
// `ring.json` there (mode 0600 too) records each key's state and times.
// Keys move on their
// own as time passes: a PENDING key becomes PRIMARY at its promotion time
// (the old primary becomes RETIRED), and a RETIRED key leaves the published
// set after the retention time, unless the ring keeps retired keys.
// Thread-safe.
class KeyRing {
 public:
  // Loads the ring of `dir`. With `create_if_missing`, a directory without
  // `ring.json` (created if absent, mode 0700) gets a new ES256 primary key.
  // Errors: NOT_FOUND (no ring and not asked to create), FAILED_PRECONDITION
  // (unreadable or too permissive key file, inconsistent ring.json, or key
  // files of this kind without a ring.json: a partial ring, never replaced),
  // never including key bytes.
  static absl::StatusOr<std::unique_ptr<KeyRing>> Open(const std::string& dir,
                                                       const KeyRingKind& kind,
                                                       bool create_if_missing,
                                                       KeySchedule schedule,
                                                       const Clock* clock);

  // The key that signs now.
  std::shared_ptr<const crypto::SigningKey> Primary() ABSL_LOCKS_EXCLUDED(mu_);

  // Generates a key of `alg`, publishes it at once and schedules its
  // promotion after the pre-publication delay. Errors: FAILED_PRECONDITION
  // while another rotation is pending; INTERNAL if the key cannot be saved.
  absl::StatusOr<accord::v1::KeyInfo> Rotate(crypto::Algorithm alg)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The published keys (pending, primary, retired within retention or, for a
  // ring that keeps retired keys, every retired key) as an RFC 7517 JWK Set.
  std::string JwksJson() ABSL_LOCKS_EXCLUDED(mu_);

  // Seconds a verifier may cache the JWKS: the pre-publication delay.
  int64_t CacheMaxAgeSeconds() const { return schedule_.prepublish_seconds; }

  std::vector<accord::v1::KeyInfo> List() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    std::shared_ptr<const crypto::SigningKey> key;
    accord::v1::KeyState state;
    int64_t created_at = 0;
    int64_t promote_at = 0;  // PENDING: when it becomes primary
    int64_t retired_at = 0;  // RETIRED: when it stopped signing
  };
  KeyRing(std::string dir, const KeyRingKind& kind, KeySchedule schedule,
          const Clock* clock)
      : dir_(std::move(dir)), kind_(kind), schedule_(schedule), clock_(clock) {}

  // Applies every state change due at `now`; persists when one happened.
  void Advance(int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Save() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AddNewKey(crypto::Algorithm alg, accord::v1::KeyState state,
                         int64_t now, int64_t promote_at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t NextChange() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::string KeyPath(absl::string_view kid) const;

  const std::string dir_;
  const KeyRingKind kind_;
  const KeySchedule schedule_;
  const Clock* const clock_;
  absl::Mutex mu_;
  std::vector<Entry> keys_ ABSL_GUARDED_BY(mu_);
  // Unix seconds of the next scheduled change; read without the lock on the
  // signing path.
  std::atomic<int64_t> next_change_{0};
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_KEY_RING_H_
