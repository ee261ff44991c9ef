#include "broker/service/request_state.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/service/audit_events.h"

namespace accord::service {

void Transition(accord::v1::ConsentRequest& request,
                accord::v1::ConsentRequestState state, absl::string_view actor,
                absl::string_view reason, uint32_t version, int64_t now,
                store::WriteSet& ws) {
  request.set_state(state);
  RecordEvent(request, state, actor, reason, version, now, ws);
}

void RecordEvent(accord::v1::ConsentRequest& request,
                 accord::v1::ConsentRequestState state, absl::string_view actor,
                 absl::string_view reason, uint32_t version, int64_t now,
                 store::WriteSet& ws) {
  accord::v1::ConsentRequestEvent* e = request.add_events();
  e->set_state(state);
  e->set_at(now);
  e->set_actor(std::string(actor));
  e->set_reason(std::string(reason));
  e->set_version(version);
  ws.AddAuditEvent(ConsentRequestChangeEvent(actor, request, *e));
}

void ProposalEvent(accord::v1::ConsentRequest& request,
                   accord::v1::ConsentRequestState state,
                   absl::string_view actor, absl::string_view reason,
                   uint32_t version, int64_t now, store::WriteSet& ws) {
  if (request.state() == accord::v1::CONSENT_REQUEST_STATE_OPEN) {
    RecordEvent(request, state, actor, reason, version, now, ws);
  } else {
    Transition(request, state, actor, reason, version, now, ws);
  }
}

bool CloseIfEnded(accord::v1::ConsentRequest& request, int64_t now,
                  store::WriteSet& ws) {
  if (request.state() != accord::v1::CONSENT_REQUEST_STATE_OPEN ||
      request.current().closes_at() > now) {
    return false;
  }
  Transition(request, accord::v1::CONSENT_REQUEST_STATE_CLOSED, "broker",
             "end date reached", request.version(), now, ws);
  return true;
}

bool Answerable(const accord::v1::ConsentRequest& request, int64_t now) {
  return request.state() == accord::v1::CONSENT_REQUEST_STATE_OPEN &&
         request.current().opens_at() <= now &&
         request.current().closes_at() > now;
}

accord::v1::ConsentRequest CitizenView(const accord::v1::ConsentRequest& r,
                                       int64_t now) {
  accord::v1::ConsentRequest v = r;
  v.clear_proposed();
  v.clear_proposed_submitted();
  v.clear_events();
  v.clear_rejection_reason();
  if (v.state() == accord::v1::CONSENT_REQUEST_STATE_OPEN &&
      v.current().closes_at() <= now) {
    v.set_state(accord::v1::CONSENT_REQUEST_STATE_CLOSED);
  }
  return v;
}

bool NeedsAnswer(const accord::v1::ConsentRequest& request,
                 const accord::v1::Consent* answer, int64_t now) {
  return Answerable(request, now) &&
         (answer == nullptr || answer->request_version() < request.version());
}

absl::Status CheckRequestId(absl::string_view field, absl::string_view id) {
  if (id.empty() || id.size() > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": required, at most 64 bytes"));
  }
  for (char ch : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-' &&
        ch != '_') {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": only base64url characters are allowed"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckAnswer(const accord::v1::RequestAnswer& answer,
                         const accord::v1::ConsentRequest& request,
                         int64_t now) {
  if (!Answerable(request, now)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "request.request_id: request '", request.id(),
        "' is not open for answers (",
        request.state() == accord::v1::CONSENT_REQUEST_STATE_OPEN &&
                request.current().opens_at() > now
            ? "not open yet"
            : accord::v1::ConsentRequestState_Name(
                  request.current().closes_at() <= now &&
                          request.state() ==
                              accord::v1::CONSENT_REQUEST_STATE_OPEN
                      ? accord::v1::CONSENT_REQUEST_STATE_CLOSED
                      : request.state()),
        ")"));
  }
  if (answer.version() != request.version() ||
      answer.notice_hash() != request.notice_hash()) {
    return absl::FailedPreconditionError(
        absl::StrCat("request.notice_hash: the notice changed; show version ",
                     request.version(), " and ask again"));
  }
  return absl::OkStatus();
}

}  // namespace accord::service
