#ifndef ACCORD_BROKER_SERVICE_GRANT_ISSUER_H_
#define ACCORD_BROKER_SERVICE_GRANT_ISSUER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/crypto/signing_key.h"
#include "broker/service/caller.h"
#include "broker/service/decider.h"
#include "broker/service/grant_claims.h"
#include "broker/store/records.pb.h"

namespace accord::service {

// A signed grant and the record the store keeps of it.
struct IssuedGrant {
  store::GrantRecord record;
  std::string token;
};

// Signs one grant per slice of at most `max_subjects_per_grant` subjects
// (one grant when the dataset names no subjects) with `key`. The claims are
// those of docs/architecture.md ("Access grant"), written by
// GrantClaimsWriter. Errors: the signer's (INTERNAL); nothing is issued.
absl::StatusOr<std::vector<IssuedGrant>> IssueGrants(
    const crypto::SigningKey& key, const GrantOrder& order,
    const AccessAnswer& answer);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_GRANT_ISSUER_H_
