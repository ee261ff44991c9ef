#ifndef ACCORD_BROKER_SERVICE_KEY_RING_H_
#define ACCORD_BROKER_SERVICE_KEY_RING_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "accord/v1/admin.pb.h"
#include "broker/crypto/signing_key.h"

namespace accord::service {

// The grant-signing keys: one primary key signs, every published key
// verifies. Keys are PEM files `grant-<kid>.pem` (mode 0600) in one
// directory; the primary is named by the file `primary` there.
class KeyRing {
 public:
  // Loads every key of `dir`. With `create_if_missing`, an empty directory
  // gets a new ES256 primary key. Errors: NOT_FOUND (no key and not asked
  // to create), FAILED_PRECONDITION (unreadable or too permissive key file,
  // unknown primary), never including key bytes.
  static absl::StatusOr<std::unique_ptr<KeyRing>> Open(const std::string& dir,
                                                       bool create_if_missing);

  // The key that signs new grants and receipts.
  std::shared_ptr<const crypto::SigningKey> Primary() const
      ABSL_LOCKS_EXCLUDED(mu_);

  // The public keys as an RFC 7517 JWK Set.
  std::string JwksJson() const ABSL_LOCKS_EXCLUDED(mu_);

  std::vector<accord::v1::KeyInfo> List() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    std::shared_ptr<const crypto::SigningKey> key;
    accord::v1::KeyState state;
    int64_t created_at;
  };
  explicit KeyRing(std::string dir) : dir_(std::move(dir)) {}

  const std::string dir_;
  mutable absl::Mutex mu_;
  std::vector<Entry> keys_ ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_KEY_RING_H_
