#include "broker/service/consent_service.h"

#include "absl/strings/str_cat.h"
#include "broker/crypto/random.h"
#include "broker/http/metrics.h"
#include "broker/service/audit_events.h"
#include "broker/service/call.h"
#include "broker/service/clock.h"
#include "broker/service/config.h"
#include "broker/service/key_ring.h"
#include "broker/service/policy_registry.h"
#include "broker/service/receipt.h"
#include "broker/service/validate.h"
#include "broker/store/store.h"
#include "policy/decide.h"

namespace accord::service {
namespace {

using accord::v1::Consent;
using accord::v1::ConsentState;

constexpr int64_t kMaxGrantLookback = 24 * 3600;

// A consent whose expiry has passed reads as EXPIRED.
void ApplyExpiry(Consent& c, int64_t now) {
  if (c.state() == accord::v1::CONSENT_STATE_GIVEN && c.expires_at() != 0 &&
      c.expires_at() <= now) {
    c.set_state(accord::v1::CONSENT_STATE_EXPIRED);
  }
}

std::string Channel(const std::string& requested) {
  return requested.empty() ? "grpc" : requested;
}

absl::Status CheckRecipient(const accord::v1::Recipient& r,
                            const policy::Directory& directory) {
  if (r.has_partner()) {
    if (absl::Status s = CheckId("recipient.partner", r.partner()); !s.ok()) {
      return s;
    }
    if (!directory.principal_categories.contains(r.partner())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "recipient.partner: '", r.partner(), "' is not a known partner"));
    }
    return absl::OkStatus();
  }
  if (r.has_category()) {
    const auto& cats = directory.categories;
    if (std::find(cats.begin(), cats.end(), r.category()) == cats.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "recipient.category: '", r.category(), "' is not a partner category"));
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      "recipient: a partner or a category is required");
}

}  // namespace

grpc::ServerUnaryReactor* ConsentServiceImpl::GiveConsent(
    grpc::CallbackServerContext* context,
    const accord::v1::GiveConsentRequest* request,
    accord::v1::GiveConsentResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/GiveConsent");
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (absl::Status s = CheckId("dataset_id", request->dataset_id()); !s.ok()) {
    return call.Finish(s);
  }
  if (absl::Status s = CheckId("purpose", request->purpose()); !s.ok()) {
    return call.Finish(s);
  }
  const std::string channel = Channel(request->channel());
  if (absl::Status s = CheckId("channel", channel); !s.ok()) {
    return call.Finish(s);
  }
  const int64_t now = env_.clock->NowSeconds();
  if (request->expires_at() != 0 && request->expires_at() <= now) {
    return call.Finish(
        absl::InvalidArgumentError("expires_at: must be in the future"));
  }
  auto directory = env_.policies->Directory();
  if (!directory.ok()) return call.Finish(directory.status());
  if (absl::Status s = CheckRecipient(request->recipient(), **directory);
      !s.ok()) {
    return call.Finish(s);
  }
  if (!env_.policies->taxonomy().Contains(request->purpose())) {
    return call.Finish(absl::InvalidArgumentError(absl::StrCat(
        "purpose: '", request->purpose(), "' is not in the taxonomy")));
  }
  auto current = env_.policies->Current(request->dataset_id());
  if (!current.ok()) return call.Finish(current.status());
  const DatasetPolicy& policy = **current;
  const policy::LegalBasis basis = policy.compiled.legal_basis();
  if (policy.info.classification != policy::Classification::kPersonal ||
      (basis != policy::LegalBasis::kConsent &&
       basis != policy::LegalBasis::kLegitimateInterestOptOut)) {
    return call.Finish(absl::FailedPreconditionError(absl::StrCat(
        "dataset '", request->dataset_id(),
        "' is not processed on the basis of consent or objection")));
  }
  if (absl::Status s = policy::CouldEverPermit(
          policy.compiled, request->purpose(), request->recipient().partner(),
          request->recipient().category());
      !s.ok()) {
    return call.Finish(s);
  }

  Consent consent;
  consent.set_id(crypto::RandomId());
  consent.set_subject(caller->subject);
  consent.set_dataset_id(request->dataset_id());
  consent.set_purpose(request->purpose());
  *consent.mutable_recipient() = request->recipient();
  *consent.mutable_notice() = policy.ref;
  consent.set_legal_basis(basis == policy::LegalBasis::kConsent
                              ? accord::v1::LEGAL_BASIS_CONSENT
                              : accord::v1::LEGAL_BASIS_LEGITIMATE_INTEREST_OPT_OUT);
  consent.set_objection(basis == policy::LegalBasis::kLegitimateInterestOptOut);
  consent.set_given_at(now);
  consent.set_expires_at(request->expires_at());
  consent.set_state(accord::v1::CONSENT_STATE_GIVEN);
  accord::v1::ConsentEvent* event = consent.add_events();
  event->set_state(accord::v1::CONSENT_STATE_GIVEN);
  event->set_at(now);
  event->set_actor("subject");
  event->set_channel(channel);

  auto receipt = SignReceipt(*env_.keys->Primary(), env_.config->grant_issuer,
                             policy.dataset.producer(), consent, now);
  if (!receipt.ok()) return call.Finish(receipt.status());
  store::WriteSet ws;
  ws.PutConsent(consent);
  ws.AddAuditEvent(
      ConsentChangeEvent(consent, accord::v1::CONSENT_STATE_GIVEN, now));
  *response->mutable_consent() = consent;
  response->set_receipt(*std::move(receipt));
  http::Metrics* metrics = env_.metrics;
  env_.store->Commit(std::move(ws),
                     [call, response, metrics, event = http::ConsentEvent::kGiven](
                         absl::StatusOr<store::CommitResult> r) {
                       if (!r.ok()) {
                         response->Clear();
                         return (void)call.Finish(r.status());
                       }
                       metrics->RecordConsentEvent(event);
                       response->set_revision(r->revision);
                       auto* events = response->mutable_consent()->mutable_events();
                       events->Mutable(events->size() - 1)
                           ->set_revision(r->revision);
                       call.Finish(absl::OkStatus());
                     });
  return call.reactor();
}

grpc::ServerUnaryReactor* ConsentServiceImpl::WithdrawConsent(
    grpc::CallbackServerContext* context,
    const accord::v1::WithdrawConsentRequest* request,
    accord::v1::WithdrawConsentResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/WithdrawConsent");
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (request->consent_id().empty() || request->consent_id().size() > 64) {
    return call.Finish(absl::InvalidArgumentError("consent_id: required"));
  }
  const std::string channel = Channel(request->channel());
  if (absl::Status s = CheckId("channel", channel); !s.ok()) {
    return call.Finish(s);
  }
  auto consent = env_.store->GetConsent(request->consent_id());
  if (!consent.ok() || consent->subject() != caller->subject) {
    if (!consent.ok() && !absl::IsNotFound(consent.status())) {
      return call.Finish(consent.status());
    }
    return call.Finish(absl::NotFoundError(
        absl::StrCat("consent_id: no consent '", request->consent_id(), "'")));
  }
  const int64_t now = env_.clock->NowSeconds();
  auto dataset = env_.store->GetDataset(consent->dataset_id());
  const std::string controller = dataset.ok() ? dataset->producer() : "";
  if (consent->state() == accord::v1::CONSENT_STATE_WITHDRAWN) {
    // Idempotent: the same answer, with a receipt of the current state.
    auto receipt = SignReceipt(*env_.keys->Primary(), env_.config->grant_issuer,
                               controller, *consent, now);
    if (!receipt.ok()) return call.Finish(receipt.status());
    *response->mutable_consent() = *consent;
    response->set_receipt(*std::move(receipt));
    response->set_revision(env_.store->revision());
    return call.Finish(absl::OkStatus());
  }
  consent->set_state(accord::v1::CONSENT_STATE_WITHDRAWN);
  accord::v1::ConsentEvent* event = consent->add_events();
  event->set_state(accord::v1::CONSENT_STATE_WITHDRAWN);
  event->set_at(now);
  event->set_actor("subject");
  event->set_channel(channel);
  auto receipt = SignReceipt(*env_.keys->Primary(), env_.config->grant_issuer,
                             controller, *consent, now);
  if (!receipt.ok()) return call.Finish(receipt.status());

  store::WriteSet ws;
  ws.PutConsent(*consent);
  ws.AddAuditEvent(
      ConsentChangeEvent(*consent, accord::v1::CONSENT_STATE_WITHDRAWN, now));
  // Grants still valid that name the subject for this dataset are revoked.
  auto grant_ids = env_.store->GrantIdsForSubjectAndDataset(
      consent->subject(), consent->dataset_id(), now - kMaxGrantLookback);
  if (!grant_ids.ok()) return call.Finish(grant_ids.status());
  if (!grant_ids->empty()) {
    accord::v1::Revocation revocation;
    for (const std::string& id : *grant_ids) revocation.add_grant_ids(id);
    revocation.set_cause("consent_withdrawn");
    ws.AddRevocation(revocation);
  }
  *response->mutable_consent() = *consent;
  response->set_receipt(*std::move(receipt));
  http::Metrics* metrics = env_.metrics;
  env_.store->Commit(std::move(ws),
                     [call, response, metrics, event = http::ConsentEvent::kWithdrawn](
                         absl::StatusOr<store::CommitResult> r) {
                       if (!r.ok()) {
                         response->Clear();
                         return (void)call.Finish(r.status());
                       }
                       metrics->RecordConsentEvent(event);
                       response->set_revision(r->revision);
                       auto* events = response->mutable_consent()->mutable_events();
                       events->Mutable(events->size() - 1)
                           ->set_revision(r->revision);
                       call.Finish(absl::OkStatus());
                     });
  return call.reactor();
}

grpc::ServerUnaryReactor* ConsentServiceImpl::ListConsents(
    grpc::CallbackServerContext* context,
    const accord::v1::ListConsentsRequest* request,
    accord::v1::ListConsentsResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/ListConsents");
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  uint32_t limit;
  if (absl::Status s = CheckPageSize(request->page_size(), &limit); !s.ok()) {
    return call.Finish(s);
  }
  if (!request->dataset_id().empty()) {
    if (absl::Status s = CheckId("dataset_id", request->dataset_id()); !s.ok()) {
      return call.Finish(s);
    }
  }
  if (absl::Status s = call.AwaitFreshness(request->at_least_as_fresh());
      !s.ok()) {
    return call.Finish(s);
  }
  auto page = env_.store->ListConsentsBySubject(
      caller->subject, request->dataset_id(), request->page_token(), limit);
  if (!page.ok()) return call.Finish(page.status());
  const int64_t now = env_.clock->NowSeconds();
  for (auto& c : page->records) {
    ApplyExpiry(c, now);
    *response->add_consents() = std::move(c);
  }
  response->set_next_page_token(page->next_cursor);
  return call.Finish(absl::OkStatus());
}

grpc::ServerUnaryReactor* ConsentServiceImpl::GetConsent(
    grpc::CallbackServerContext* context,
    const accord::v1::GetConsentRequest* request,
    accord::v1::GetConsentResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/GetConsent");
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (request->consent_id().empty() || request->consent_id().size() > 64) {
    return call.Finish(absl::InvalidArgumentError("consent_id: required"));
  }
  if (absl::Status s = call.AwaitFreshness(request->at_least_as_fresh());
      !s.ok()) {
    return call.Finish(s);
  }
  auto consent = env_.store->GetConsent(request->consent_id());
  if (!consent.ok() || consent->subject() != caller->subject) {
    if (!consent.ok() && !absl::IsNotFound(consent.status())) {
      return call.Finish(consent.status());
    }
    return call.Finish(absl::NotFoundError(
        absl::StrCat("consent_id: no consent '", request->consent_id(), "'")));
  }
  ApplyExpiry(*consent, env_.clock->NowSeconds());
  *response->mutable_consent() = *std::move(consent);
  return call.Finish(absl::OkStatus());
}

grpc::ServerUnaryReactor* ConsentServiceImpl::GetAccessHistory(
    grpc::CallbackServerContext* context,
    const accord::v1::GetAccessHistoryRequest* request,
    accord::v1::GetAccessHistoryResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/GetAccessHistory");
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  uint32_t limit;
  if (absl::Status s = CheckPageSize(request->page_size(), &limit); !s.ok()) {
    return call.Finish(s);
  }
  auto page = env_.store->ListGrantsBySubject(caller->subject,
                                              request->page_token(), limit);
  if (!page.ok()) return call.Finish(page.status());
  for (const store::GrantRecord& g : page->records) {
    accord::v1::AccessRecord* r = response->add_records();
    r->set_grant_id(g.id());
    r->set_issued_at(g.issued_at());
    r->set_partner(g.partner());
    r->set_dataset_id(g.dataset_id());
    r->set_purpose(g.purpose());
    *r->mutable_fields() = g.fields();
    r->set_log_index(g.log_index());
  }
  response->set_next_page_token(page->next_cursor);
  return call.Finish(absl::OkStatus());
}

}  // namespace accord::service
