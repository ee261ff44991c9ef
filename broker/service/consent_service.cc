#include "broker/service/consent_service.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/crypto/random.h"
#include "broker/service/audit_events.h"
#include "broker/service/call.h"
#include "broker/service/clock.h"
#include "broker/service/config.h"
#include "broker/service/consent_changes.h"
#include "broker/service/domain_metrics.h"
#include "broker/service/history_proofs.h"
#include "broker/service/key_ring.h"
#include "broker/service/limits.h"
#include "broker/service/policy_registry.h"
#include "broker/service/receipt.h"
#include "broker/service/request_ids.h"
#include "broker/service/revocations.h"
#include "broker/service/validate.h"
#include "broker/store/store.h"
#include "policy/decide.h"

namespace accord::service {
namespace {

using accord::v1::Consent;
using accord::v1::ConsentState;

constexpr size_t kMaxConsentIdBytes = kMaxRecordIdBytes;
constexpr char kGiveConsentMethod[] = "/accord.v1.ConsentService/GiveConsent";
constexpr char kWithdrawConsentMethod[] =
    "/accord.v1.ConsentService/WithdrawConsent";

bool SameRecipient(const accord::v1::Recipient& a,
                   const accord::v1::Recipient& b) {
  return a.partner() == b.partner() && a.category() == b.category();
}

// Consent ids are the broker's own: base64url, at most 64 bytes.
absl::Status CheckConsentId(const std::string& id) {
  if (id.empty() || id.size() > kMaxConsentIdBytes) {
    return absl::InvalidArgumentError("consent_id: required, at most 64 bytes");
  }
  for (char ch : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-' &&
        ch != '_') {
      return absl::InvalidArgumentError(
          "consent_id: only base64url characters are allowed");
    }
  }
  return absl::OkStatus();
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
      return absl::InvalidArgumentError(
          absl::StrCat("recipient.category: '", r.category(),
                       "' is not a partner category"));
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      "recipient: a partner or a category is required");
}

// The subject's consent for the same dataset, purpose and recipient (and
// of the same kind: consent or objection), if any.
absl::StatusOr<std::optional<Consent>> FindSame(const Env& env,
                                                const std::string& subject,
                                                const Consent& wanted) {
  return FindConsent(env, subject, wanted.dataset_id(), [&](const Consent& c) {
    return c.purpose() == wanted.purpose() &&
           SameRecipient(c.recipient(), wanted.recipient()) &&
           c.objection() == wanted.objection();
  });
}

// The fields of a GiveConsent without `request`: dataset_id, purpose and
// `channel` (the request's, defaulted) are ids.
absl::Status CheckGiveIds(const accord::v1::GiveConsentRequest& request,
                          const std::string& channel) {
  if (absl::Status s = CheckId("dataset_id", request.dataset_id()); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckId("purpose", request.purpose()); !s.ok()) {
    return s;
  }
  return CheckId("channel", channel);
}

// The current policy of the dataset a consent is given for, once the
// recipient and purpose are known and the policy could ever permit the
// purpose to the recipient on the basis of consent or objection. The
// errors are GiveConsent's (consent_service.h); the policy's own problems
// are told to `caller` only as PolicyErrorFor says.
absl::StatusOr<std::shared_ptr<const DatasetPolicy>> PolicyToConsentTo(
    const Env& env, const accord::v1::GiveConsentRequest& request,
    const accord::v1::Principal& caller) {
  auto directory = env.policies->Directory();
  if (!directory.ok()) return directory.status();
  if (absl::Status s = CheckRecipient(request.recipient(), **directory);
      !s.ok()) {
    return s;
  }
  if (!env.policies->taxonomy().Contains(request.purpose())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "purpose: '", request.purpose(), "' is not in the taxonomy"));
  }
  auto current = env.policies->Current(request.dataset_id());
  if (!current.ok()) return PolicyErrorFor(current.status(), caller);
  const DatasetPolicy& policy = **current;
  const policy::LegalBasis basis = policy.compiled.legal_basis();
  if (policy.info.classification != policy::Classification::kPersonal ||
      (basis != policy::LegalBasis::kConsent &&
       basis != policy::LegalBasis::kLegitimateInterestOptOut)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "dataset '", request.dataset_id(),
        "' is not processed on the basis of consent or objection"));
  }
  if (absl::Status s = policy::CouldEverPermit(
          policy.compiled, request.purpose(), request.recipient().partner(),
          request.recipient().category());
      !s.ok()) {
    return s;
  }
  return current;
}

// The record a GiveConsent changes: the caller's `existing` one as stored
// (without its events), renewed (its expiry recorded first, into `ws`,
// when it has passed), or `wanted` with a new id.
Consent ConsentToGive(std::optional<Consent> existing, Consent wanted,
                      int64_t now, store::WriteSet& ws) {
  Consent consent;
  if (existing.has_value()) {
    // Giving again renews: same record, a new GIVEN event, expiry and notice.
    consent = *std::move(existing);
    RecordExpiry(consent, now, ws);
  } else {
    consent = std::move(wanted);
    consent.set_id(crypto::RandomId());
  }
  return consent;
}

}  // namespace

std::string ConsentServiceImpl::Controller(const Consent& c) const {
  auto dataset = env_.store->GetDataset(c.dataset_id());
  return dataset.ok() ? dataset->producer() : "";
}

template <typename Response>
grpc::ServerUnaryReactor* ConsentServiceImpl::CommitChange(
    const Call& call, store::WriteSet ws, Response* response,
    KeyClaims::Claim claim, ConsentEvent event, const ClientRequest& client) {
  ws.set_deadline(call.deadline());
  auto complete = [](Response* out, const store::CommitResult& r) {
    out->set_revision(r.revision);
    StampNewEvents(out->mutable_consent(), r.revision);
  };
  client.Record(ws, *response, complete);
  env_.store->Commit(std::move(ws),
                     [this, call, response, claim = std::move(claim), complete,
                      event](absl::StatusOr<store::CommitResult> r) mutable {
                       claim.Release();
                       if (!r.ok()) {
                         response->Clear();
                         return (void)call.Finish(r.status());
                       }
                       if (env_.revocations != nullptr)
                         env_.revocations->Notify(r->revision);
                       env_.domain_metrics->RecordConsentEvent(event);
                       complete(response, *r);
                       call.Finish(absl::OkStatus());
                     });
  return call.reactor();
}

// consent_answers.cc commits through it too.
template grpc::ServerUnaryReactor* ConsentServiceImpl::CommitChange(
    const Call&, store::WriteSet, accord::v1::GiveConsentResponse*,
    KeyClaims::Claim, ConsentEvent, const ClientRequest&);

grpc::ServerUnaryReactor* ConsentServiceImpl::GiveConsent(
    grpc::CallbackServerContext* context,
    const accord::v1::GiveConsentRequest* request,
    accord::v1::GiveConsentResponse* response) {
  Call call(env_, context, kGiveConsentMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  auto client = ClientRequest::Find(env_, *caller, kGiveConsentMethod, *request,
                                    response);
  if (!client.ok()) return call.Finish(client.status());
  if (client->replayed()) return call.Finish(absl::OkStatus());
  if (request->has_request()) {
    return Answer(call, caller->subject, *request, /*accept=*/true, response,
                  *client);
  }
  const std::string channel = Channel(request->channel());
  if (absl::Status s = CheckGiveIds(*request, channel); !s.ok()) {
    return call.Finish(s);
  }
  const int64_t now = env_.clock->NowSeconds();
  if (request->expires_at() < 0 ||
      (request->expires_at() != 0 && request->expires_at() <= now)) {
    return call.Finish(
        absl::InvalidArgumentError("expires_at: must be in the future"));
  }
  auto current = PolicyToConsentTo(env_, *request, caller->principal);
  if (!current.ok()) return call.Finish(current.status());
  const DatasetPolicy& policy = **current;
  const policy::LegalBasis basis = policy.compiled.legal_basis();

  Consent wanted;
  wanted.set_subject(caller->subject);
  wanted.set_dataset_id(request->dataset_id());
  wanted.set_purpose(request->purpose());
  *wanted.mutable_recipient() = request->recipient();
  wanted.set_objection(basis == policy::LegalBasis::kLegitimateInterestOptOut);

  const std::string subject = caller->subject;
  KeyClaims::Claim claim = subjects_.Take(subject);
  if (!claim.held()) return call.Finish(ConsentsBusy());
  auto existing = FindSame(env_, subject, wanted);
  if (!existing.ok()) return call.FinishReleasing(claim, existing.status());
  store::WriteSet ws;
  Consent consent =
      ConsentToGive(*std::move(existing), std::move(wanted), now, ws);
  *consent.mutable_notice() = policy.ref;
  consent.set_legal_basis(
      basis == policy::LegalBasis::kConsent
          ? accord::v1::LEGAL_BASIS_CONSENT
          : accord::v1::LEGAL_BASIS_LEGITIMATE_INTEREST_OPT_OUT);
  consent.set_given_at(now);
  consent.set_expires_at(request->expires_at());
  AddEvent(consent, accord::v1::CONSENT_STATE_GIVEN, now, "subject", channel);

  auto receipt =
      SignReceipt(*env_.receipt_keys->Primary(), env_.config->grant_issuer,
                  policy.dataset.producer(), consent, now);
  if (!receipt.ok()) return call.FinishReleasing(claim, receipt.status());
  PutChange(ws, consent, accord::v1::CONSENT_STATE_GIVEN, now);
  // An objection excludes the subject at once: grants naming them end.
  if (consent.objection()) {
    if (absl::Status s =
            RevokeSubjectGrants(env_, ws, consent, now, "objection");
        !s.ok()) {
      return call.FinishReleasing(claim, s);
    }
  }
  *response->mutable_consent() = std::move(consent);
  response->set_receipt(*std::move(receipt));
  return CommitChange(call, std::move(ws), response, std::move(claim),
                      ConsentEvent::kGiven, *client);
}

grpc::ServerUnaryReactor* ConsentServiceImpl::WithdrawConsent(
    grpc::CallbackServerContext* context,
    const accord::v1::WithdrawConsentRequest* request,
    accord::v1::WithdrawConsentResponse* response) {
  Call call(env_, context, kWithdrawConsentMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  auto client = ClientRequest::Find(env_, *caller, kWithdrawConsentMethod,
                                    *request, response);
  if (!client.ok()) return call.Finish(client.status());
  if (client->replayed()) return call.Finish(absl::OkStatus());
  if (absl::Status s = CheckConsentId(request->consent_id()); !s.ok()) {
    return call.Finish(s);
  }
  const std::string channel = Channel(request->channel());
  if (absl::Status s = CheckId("channel", channel); !s.ok()) {
    return call.Finish(s);
  }
  const std::string subject = caller->subject;
  KeyClaims::Claim claim = subjects_.Take(subject);
  if (!claim.held()) return call.Finish(ConsentsBusy());
  // The record as stored: the answer carries the events this call adds.
  auto consent = env_.store->GetConsentHead(request->consent_id());
  if (!consent.ok() || consent->subject() != subject) {
    claim.Release();
    if (!consent.ok() && !absl::IsNotFound(consent.status())) {
      return call.Finish(consent.status());
    }
    return call.Finish(absl::NotFoundError(
        absl::StrCat("consent_id: no consent '", request->consent_id(), "'")));
  }
  const int64_t now = env_.clock->NowSeconds();
  const std::string controller = Controller(*consent);
  if (consent->state() == accord::v1::CONSENT_STATE_WITHDRAWN) {
    // Idempotent: the same answer, with a receipt of the current state.
    claim.Release();
    auto receipt =
        SignReceipt(*env_.receipt_keys->Primary(), env_.config->grant_issuer,
                    controller, *consent, now);
    if (!receipt.ok()) return call.Finish(receipt.status());
    *response->mutable_consent() = *consent;
    response->set_receipt(*std::move(receipt));
    response->set_revision(env_.store->revision());
    return call.Finish(absl::OkStatus());
  }
  store::WriteSet ws;
  RecordExpiry(*consent, now, ws);
  AddEvent(*consent, accord::v1::CONSENT_STATE_WITHDRAWN, now, "subject",
           channel);
  auto receipt =
      SignReceipt(*env_.receipt_keys->Primary(), env_.config->grant_issuer,
                  controller, *consent, now);
  if (!receipt.ok()) return call.FinishReleasing(claim, receipt.status());
  PutChange(ws, *consent, accord::v1::CONSENT_STATE_WITHDRAWN, now);
  // Withdrawing a consent ends the grants that relied on it; withdrawing an
  // objection only lets the subject be included again.
  if (!consent->objection()) {
    if (absl::Status s =
            RevokeSubjectGrants(env_, ws, *consent, now, "consent_withdrawn");
        !s.ok()) {
      return call.FinishReleasing(claim, s);
    }
  }
  *response->mutable_consent() = *std::move(consent);
  response->set_receipt(*std::move(receipt));
  return CommitChange(call, std::move(ws), response, std::move(claim),
                      ConsentEvent::kWithdrawn, *client);
}

grpc::ServerUnaryReactor* ConsentServiceImpl::ListConsents(
    grpc::CallbackServerContext* context,
    const accord::v1::ListConsentsRequest* request,
    accord::v1::ListConsentsResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/ListConsents", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  uint32_t limit;
  if (absl::Status s =
          CheckPage(request->page_size(), request->page_token(), &limit);
      !s.ok()) {
    return call.Finish(s);
  }
  if (!request->dataset_id().empty()) {
    if (absl::Status s = CheckId("dataset_id", request->dataset_id());
        !s.ok()) {
      return call.Finish(s);
    }
  }
  call.AfterFreshness(
      request->at_least_as_fresh(),
      [this, call, request, response, limit,
       caller = *std::move(caller)]() -> grpc::ServerUnaryReactor* {
        const std::string subject = caller.subject;
        // Holding the subject lets expiries found here be recorded; when
        // another change is in flight they are only reported, and recorded
        // later.
        KeyClaims::Claim claim = subjects_.Take(subject);
        auto page = env_.store->ListConsentsBySubject(
            subject, request->dataset_id(), request->page_token(), limit);
        if (!page.ok()) return call.FinishReleasing(claim, page.status());
        const int64_t now = env_.clock->NowSeconds();
        store::WriteSet ws;
        std::vector<int> expired;  // indices in the response
        for (auto& c : page->records) {
          if (RecordExpiry(c, now)) {
            expired.push_back(response->consents_size());
            PutChange(ws, c, accord::v1::CONSENT_STATE_EXPIRED, now);
          }
          *response->add_consents() = std::move(c);
        }
        response->set_next_page_token(page->next_cursor);
        if (!claim.held() || expired.empty()) {
          return call.FinishReleasing(claim, absl::OkStatus());
        }
        DomainMetrics* metrics = env_.domain_metrics;
        env_.store->Commit(
            std::move(ws), [call, response, metrics, claim = std::move(claim),
                            expired = std::move(expired)](
                               absl::StatusOr<store::CommitResult> r) mutable {
              claim.Release();
              if (!r.ok()) {
                response->Clear();
                return (void)call.Finish(r.status());
              }
              for (int i : expired) {
                metrics->RecordConsentEvent(ConsentEvent::kExpired);
                Consent* c = response->mutable_consents(i);
                StampNewEvents(c, r->revision);
              }
              call.Finish(absl::OkStatus());
            });
        return call.reactor();
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* ConsentServiceImpl::GetConsent(
    grpc::CallbackServerContext* context,
    const accord::v1::GetConsentRequest* request,
    accord::v1::GetConsentResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/GetConsent", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (absl::Status s = CheckConsentId(request->consent_id()); !s.ok()) {
    return call.Finish(s);
  }
  call.AfterFreshness(
      request->at_least_as_fresh(),
      [this, call, request, response,
       caller = *std::move(caller)]() -> grpc::ServerUnaryReactor* {
        const std::string subject = caller.subject;
        KeyClaims::Claim claim = subjects_.Take(subject);
        auto consent = env_.store->GetConsent(request->consent_id());
        if (!consent.ok() || consent->subject() != subject) {
          claim.Release();
          if (!consent.ok() && !absl::IsNotFound(consent.status())) {
            return call.Finish(consent.status());
          }
          return call.Finish(absl::NotFoundError(absl::StrCat(
              "consent_id: no consent '", request->consent_id(), "'")));
        }
        const int64_t now = env_.clock->NowSeconds();
        const bool expired = RecordExpiry(*consent, now);
        auto receipt = SignReceipt(*env_.receipt_keys->Primary(),
                                   env_.config->grant_issuer,
                                   Controller(*consent), *consent, now);
        if (!receipt.ok()) return call.FinishReleasing(claim, receipt.status());
        response->set_receipt(*std::move(receipt));
        if (!claim.held() || !expired) {
          claim.Release();
          *response->mutable_consent() = *std::move(consent);
          return call.Finish(absl::OkStatus());
        }
        store::WriteSet ws;
        PutChange(ws, *consent, accord::v1::CONSENT_STATE_EXPIRED, now);
        *response->mutable_consent() = *std::move(consent);
        DomainMetrics* metrics = env_.domain_metrics;
        env_.store->Commit(
            std::move(ws), [call, response, metrics, claim = std::move(claim)](
                               absl::StatusOr<store::CommitResult> r) mutable {
              claim.Release();
              if (!r.ok()) {
                response->Clear();
                return (void)call.Finish(r.status());
              }
              metrics->RecordConsentEvent(ConsentEvent::kExpired);
              StampNewEvents(response->mutable_consent(), r->revision);
              call.Finish(absl::OkStatus());
            });
        return call.reactor();
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* ConsentServiceImpl::GetAccessHistory(
    grpc::CallbackServerContext* context,
    const accord::v1::GetAccessHistoryRequest* request,
    accord::v1::GetAccessHistoryResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/GetAccessHistory",
            *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  uint32_t limit;
  if (absl::Status s =
          CheckPage(request->page_size(), request->page_token(), &limit);
      !s.ok()) {
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
  // Each record with its log entry, inclusion proof and the caller's own
  // opening (history_proofs.h).
  response->set_subject(caller->subject);
  if (absl::Status proofs = AttachHistoryProofs(env_, response); !proofs.ok()) {
    return call.Finish(proofs);
  }
  response->set_next_page_token(page->next_cursor);
  return call.Finish(absl::OkStatus());
}

}  // namespace accord::service
