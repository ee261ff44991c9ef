#ifndef ACCORD_BROKER_SERVICE_KEY_MATERIAL_H_
#define ACCORD_BROKER_SERVICE_KEY_MATERIAL_H_

// The broker's secrets besides its TLS files: the grant-signing key ring
// (keys_dir), the receipt-signing key ring (keys_dir/receipts), the Ed25519
// checkpoint key (keys_dir/checkpoint.key) and the pseudonym secret
// (pseudonym_secret_file). One way to load each and, when asked, to create
// it: the broker loads them at start (dev mode creates those of a new data
// directory), `accord-broker init` creates them.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "broker/crypto/signing_key.h"
#include "broker/service/clock.h"
#include "broker/service/config.h"
#include "broker/service/key_ring.h"

namespace accord::service {

// keys_dir/receipts: the receipt-signing ring.
std::string ReceiptKeysDir(const BrokerConfig& config);
// keys_dir/checkpoint.key: the key that signs the audit log's checkpoints.
std::string CheckpointKeyPath(const BrokerConfig& config);

// When keys move: published key_prepublish_seconds before they sign;
// retired keys outlive every grant they signed, clock skew included.
KeySchedule KeyScheduleOf(const BrokerConfig& config);

// KeyRing::Open of the grant ring (keys_dir) and of the receipt ring
// (ReceiptKeysDir), creating a missing one when `create`. Errors:
// KeyRing::Open's (NOT_FOUND when missing and not asked to create).
absl::StatusOr<std::unique_ptr<KeyRing>> OpenGrantKeys(
    const BrokerConfig& config, bool create, const Clock* clock);
absl::StatusOr<std::unique_ptr<KeyRing>> OpenReceiptKeys(
    const BrokerConfig& config, bool create, const Clock* clock);

// The checkpoint key; with `create`, a missing file gets a new Ed25519 key
// (mode 0600). Errors: SigningKey::ReadPemFile's (NOT_FOUND when missing,
// FAILED_PRECONDITION for a mode other than 0600, INVALID_ARGUMENT for what
// is no key); FAILED_PRECONDITION for a key that is not Ed25519.
absl::StatusOr<crypto::SigningKey> LoadCheckpointKey(const BrokerConfig& config,
                                                     bool create);

// The pseudonym secret: at least 32 bytes in a regular file of mode 0600.
// With `create`, a missing file gets 32 random bytes, written atomically
// and private from the start. Errors never hold the content: NOT_FOUND when
// missing; FAILED_PRECONDITION for another mode, fewer than 32 bytes, or a
// file that cannot be read or written.
absl::StatusOr<std::string> LoadPseudonymSecret(const BrokerConfig& config,
                                                bool create);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_KEY_MATERIAL_H_
