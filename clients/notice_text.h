#ifndef ACCORD_CLIENTS_NOTICE_TEXT_H_
#define ACCORD_CLIENTS_NOTICE_TEXT_H_

// A consent request as a person reads it, in French or English: what
// `accord request show` and `accord consent answer` print.

#include <string>

#include "absl/status/statusor.h"
#include "accord/v1/requests.pb.h"
#include "policy/language.h"

namespace accord::client {

// The request in words, one item per line: its id, version and state, then
// title, project, public benefit, partner, purpose, fields (with their
// descriptions), how long a consent lasts, the duties, the responsible, the
// dates and the notice hash. The texts come from the broker's notice
// (ConsentRequest.notice, what a citizen accepts) where it has them, else
// from the version's spec: `current`, or `proposed` before the first
// approval. An English text missing from the notice or the spec is shown in
// French.
std::string NoticeText(const accord::v1::ConsentRequest& request,
                       policy::Language language);

// The lowercase hex SHA-256 of `request.notice()`, the hash an answer to the
// notice sends. Returns it, or FAILED_PRECONDITION when the request carries
// no notice (not approved yet), DATA_LOSS when the hash differs from
// `request.notice_hash()` (the notice received is not the one the broker
// hashed).
absl::StatusOr<std::string> NoticeHash(
    const accord::v1::ConsentRequest& request);

// The state in words: "ouverte" / "open", "en attente d'approbation" /
// "pending approval", ...
std::string StateText(accord::v1::ConsentRequestState state,
                      policy::Language language);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_NOTICE_TEXT_H_
