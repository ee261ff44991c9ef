#ifndef ACCORD_BROKER_SERVICE_IDENTITY_H_
#define ACCORD_BROKER_SERVICE_IDENTITY_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "accord/v1/common.pb.h"

// Who a client certificate is: trust domains of certificate URIs, and the
// roles pinned by certificate fingerprint.
namespace accord::service {

// Operators and auditors hold the keys to the whole broker and its history:
// they are pinned by the SHA-256 of their certificate (certificate_sha256),
// never identified by a URI that any certificate of the CA could carry.
bool IsPinnedRole(accord::v1::Role role);

// Checks a configured trust domain: printable ASCII without spaces, and
// either `scheme://authority` (no path, e.g. `spiffe://accord.example`) or
// a URN prefix `urn:...` not ending in `:`. Returns OK or INVALID_ARGUMENT
// naming trust_domain. The empty string is accepted (no URI trusted).
absl::Status CheckTrustDomain(absl::string_view trust_domain);

// True when `uri` lies under `trust_domain` (checked by CheckTrustDomain):
// for `scheme://authority` it must start with `scheme://authority/` and
// have a path after it (so `spiffe://accord.example.evil/x` and
// `spiffe://accord.example:1/x` are outside); for a URN prefix it must
// start with the prefix followed by `:` and more. False for an empty trust
// domain: no URI is trusted then.
bool UnderTrustDomain(absl::string_view uri, absl::string_view trust_domain);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_IDENTITY_H_
