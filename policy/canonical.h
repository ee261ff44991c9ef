#ifndef ACCORD_POLICY_CANONICAL_H_
#define ACCORD_POLICY_CANONICAL_H_

// The canonical encoding a policy version's content hash is computed over.

#include <string>

#include "policy/model.h"

namespace accord::policy {

// Returns canonical JSON for `policy`: keys sorted, no insignificant
// whitespace, defaults written out, durations in seconds, times in Unix
// seconds, unordered lists sorted and deduplicated; rules keep their order
// (it is the order of reasons). The same policy written in YAML or JSON,
// with any key order, gives identical bytes. The caller hashes it with
// SHA-256. Never fails.
std::string CanonicalEncoding(const Policy& policy);

}  // namespace accord::policy

#endif  // ACCORD_POLICY_CANONICAL_H_
