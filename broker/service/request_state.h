#ifndef ACCORD_BROKER_SERVICE_REQUEST_STATE_H_
#define ACCORD_BROKER_SERVICE_REQUEST_STATE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "accord/v1/consent.pb.h"
#include "accord/v1/requests.pb.h"
#include "broker/store/write_set.h"

namespace accord::service {

// The rules of a consent request's lifecycle shared by the partner-side
// service (request_service.h) and the citizen-side calls of
// ConsentService.

// Appends an event {state, at, actor, reason, version} to `request`, and
// its audit event to `ws`, without changing the request's state (a change
// proposed to an OPEN request).
void RecordEvent(accord::v1::ConsentRequest& request,
                 accord::v1::ConsentRequestState state, absl::string_view actor,
                 absl::string_view reason, uint32_t version, int64_t now,
                 store::WriteSet& ws);

// Sets the request's state, then records the event as RecordEvent.
void Transition(accord::v1::ConsentRequest& request,
                accord::v1::ConsentRequestState state, absl::string_view actor,
                absl::string_view reason, uint32_t version, int64_t now,
                store::WriteSet& ws);

// An event about the request's proposal: the request takes `state`,
// unless it is OPEN, when the proposal is a change to the open version,
// which stays open (RecordEvent).
void ProposalEvent(accord::v1::ConsentRequest& request,
                   accord::v1::ConsentRequestState state,
                   absl::string_view actor, absl::string_view reason,
                   uint32_t version, int64_t now, store::WriteSet& ws);

// An OPEN request whose `closes_at` has passed is CLOSED by the broker:
// records that transition in `request` and `ws`. Returns whether it did.
bool CloseIfEnded(accord::v1::ConsentRequest& request, int64_t now,
                  store::WriteSet& ws);

// Whether citizens may answer the request at `now`: OPEN, opened, not
// ended.
bool Answerable(const accord::v1::ConsentRequest& request, int64_t now);

// What a citizen may see of a request: no proposed change, no events, no
// rejection reason; CLOSED when it has ended.
accord::v1::ConsentRequest CitizenView(const accord::v1::ConsentRequest& r,
                                       int64_t now);

// Whether a citizen whose answer to the request is `answer` (null: none)
// must answer it now: it is answerable, and they have not answered its
// current version.
bool NeedsAnswer(const accord::v1::ConsentRequest& request,
                 const accord::v1::Consent* answer, int64_t now);

// Checks a citizen's answer against the request as stored: FAILED_
// PRECONDITION when the request cannot be answered now, or "the notice
// changed" when the version or hash is not the current one;
// INVALID_ARGUMENT naming the field for a malformed answer.
absl::Status CheckAnswer(const accord::v1::RequestAnswer& answer,
                         const accord::v1::ConsentRequest& request,
                         int64_t now);

// INVALID_ARGUMENT naming `field` unless `id` looks like a request id
// (base64url, 1..64 bytes).
absl::Status CheckRequestId(absl::string_view field, absl::string_view id);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_REQUEST_STATE_H_
