#ifndef ACCORD_BROKER_SERVICE_BROKER_INIT_H_
#define ACCORD_BROKER_SERVICE_BROKER_INIT_H_

// `accord-broker init`: what a broker outside dev mode needs before its
// first start, besides its TLS material.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/service/clock.h"
#include "broker/service/config.h"

namespace accord::service {

struct InitOptions {
  // PEM certificate of the first operator, who is pinned by its SHA-256.
  std::string operator_cert_file;
  // The operator principal's id.
  std::string operator_id = "operator";
};

struct InitResult {
  // One sentence per thing created, in order; empty when all was in place.
  std::vector<std::string> created;
  // The first operator's principal id: registered now, or found.
  std::string operator_id;
};

// Creates what is missing of, in this order: the grant-signing key ring
// (keys_dir: ring.json and grant-<kid>.pem), the receipt-signing key ring
// (keys_dir/receipts), the Ed25519 checkpoint key (keys_dir/checkpoint.key),
// the pseudonym secret (pseudonym_secret_file, 32 random bytes), the store
// (data_dir/db) and in it the first operator, pinned by the SHA-256 of
// `options.operator_cert_file`, with an audit event. Files get mode 0600,
// the directories it creates 0700. It replaces nothing, and checks
// everything before it writes anything:
//  - existing key material must load as the broker loads it (readable,
//    mode 0600, the right kind of key, 32 bytes of secret at least, a
//    ring.json whose key files exist); key files of a ring without its
//    ring.json are a partial ring;
//  - beside an existing store, a missing grant ring, checkpoint key or
//    pseudonym secret is refused (new ones would orphan the store's grants,
//    checkpoints and pseudonyms); a missing receipt ring is created
//    (receipts are signed afresh at every read);
//  - a data_dir/db that is not empty must be a store;
//  - the certificate must parse and be valid now. When it is registered as
//    an operator already, there is nothing to do for it; otherwise it may
//    belong to no principal, the store may hold no operator (later ones are
//    added with `accord admin principal add`) and the id must be free.
// Run with the broker stopped: the store admits one process at a time.
// Errors: INVALID_ARGUMENT (dev mode, no certificate, a bad id);
// FAILED_PRECONDITION naming the file or the rule at fault; the store's
// errors.
absl::StatusOr<InitResult> InitBroker(const BrokerConfig& config,
                                      const InitOptions& options,
                                      const Clock* clock);

// Usage text of `accord-broker init --help`.
std::string InitUsage();

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_BROKER_INIT_H_
