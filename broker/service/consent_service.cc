#include "broker/service/consent_service.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/crypto/random.h"
#include "broker/http/metrics.h"
#include "broker/service/audit_events.h"
#include "broker/service/call.h"
#include "broker/service/clock.h"
#include "broker/service/config.h"
#include "broker/service/consent_records.h"
#include "broker/service/history_proofs.h"
#include "broker/service/key_ring.h"
#include "broker/service/limits.h"
#include "broker/service/policy_registry.h"
#include "broker/service/receipt.h"
#include "broker/service/request_state.h"
#include "broker/service/revocations.h"
#include "broker/service/validate.h"
#include "broker/store/store.h"
#include "policy/decide.h"

namespace accord::service {
namespace {

using accord::v1::Consent;
using accord::v1::ConsentState;

constexpr size_t kMaxConsentIdBytes = kMaxRecordIdBytes;

std::string Channel(const std::string& requested) {
  return requested.empty() ? "grpc" : requested;
}

void AddEvent(Consent& c, ConsentState state, int64_t at,
              absl::string_view actor, absl::string_view channel) {
  c.set_state(state);
  accord::v1::ConsentEvent* event = c.add_events();
  event->set_state(state);
  event->set_at(at);
  event->set_actor(std::string(actor));
  event->set_channel(std::string(channel));
}

// A GIVEN consent whose expiry has passed gets its EXPIRED event, dated at
// the expiry, by the broker. Returns whether it changed.
bool RecordExpiry(Consent& c, int64_t now) {
  if (c.state() != accord::v1::CONSENT_STATE_GIVEN || c.expires_at() == 0 ||
      c.expires_at() > now) {
    return false;
  }
  AddEvent(c, accord::v1::CONSENT_STATE_EXPIRED, c.expires_at(), "broker",
           "expiry");
  return true;
}

// The events from index `first` on, appended by this write, get the
// revision it committed at.
void StampNewEvents(Consent* c, int first, uint64_t revision) {
  for (int i = first; i < c->events_size(); ++i) {
    c->mutable_events(i)->set_revision(revision);
  }
}

void PutChange(store::WriteSet& ws, const Consent& c, ConsentState state,
               int64_t now) {
  ws.PutConsent(c);
  ws.AddAuditEvent(ConsentChangeEvent(c, state, now));
}

bool SameRecipient(const accord::v1::Recipient& a,
                   const accord::v1::Recipient& b) {
  return a.partner() == b.partner() && a.category() == b.category();
}

// Consent ids are the broker's own: base64url, at most 64 bytes.
absl::Status CheckConsentId(const std::string& id) {
  if (id.empty() || id.size() > kMaxConsentIdBytes) {
    return absl::InvalidArgumentError(
        "consent_id: required, at most 64 bytes");
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

// Grants still valid that name the subject for the dataset are revoked:
// adds the revocation to `ws` when there are any.
absl::Status RevokeSubjectGrants(const Env& env, store::WriteSet& ws,
                                 const Consent& c, int64_t now,
                                 absl::string_view cause) {
  // No grant lives longer than max_grant_lifetime_seconds (DecideAccess
  // caps it), so older ones have expired; the skew covers a clock that
  // moved back.
  const int64_t lookback = int64_t{env.config->max_grant_lifetime_seconds} +
                           env.config->clock_skew_seconds;
  auto grant_ids = env.store->GrantIdsForSubjectAndDataset(
      c.subject(), c.dataset_id(), now - lookback);
  if (!grant_ids.ok()) return grant_ids.status();
  if (grant_ids->empty()) return absl::OkStatus();
  accord::v1::Revocation revocation;
  for (const std::string& id : *grant_ids) revocation.add_grant_ids(id);
  revocation.set_cause(std::string(cause));
  ws.AddRevocation(std::move(revocation));
  return absl::OkStatus();
}

// The subject's consent for the same dataset, purpose and recipient (and
// of the same kind: consent or objection), if any.
absl::StatusOr<std::optional<Consent>> FindSame(const Env& env,
                                                const std::string& subject,
                                                const Consent& wanted) {
  std::string cursor;
  do {
    auto page = env.store->ListConsentsBySubject(subject, wanted.dataset_id(),
                                                 cursor, 1000);
    if (!page.ok()) return page.status();
    for (Consent& c : page->records) {
      if (c.purpose() == wanted.purpose() &&
          SameRecipient(c.recipient(), wanted.recipient()) &&
          c.objection() == wanted.objection()) {
        return std::optional<Consent>(std::move(c));
      }
    }
    cursor = page->next_cursor;
  } while (!cursor.empty());
  return std::optional<Consent>();
}

// The subject's answer (consent or refusal) to a consent request, if any.
absl::StatusOr<std::optional<Consent>> FindAnswer(const Env& env,
                                                  const std::string& subject,
                                                  const std::string& dataset_id,
                                                  const std::string& request_id) {
  std::string cursor;
  do {
    auto page =
        env.store->ListConsentsBySubject(subject, dataset_id, cursor, 1000);
    if (!page.ok()) return page.status();
    for (Consent& c : page->records) {
      if (c.request_id() == request_id) {
        return std::optional<Consent>(std::move(c));
      }
    }
    cursor = page->next_cursor;
  } while (!cursor.empty());
  return std::optional<Consent>();
}

// Request id -> the subject's answer to it, over all their records.
absl::StatusOr<absl::flat_hash_map<std::string, Consent>> AnswersOf(
    const Env& env, const std::string& subject) {
  absl::flat_hash_map<std::string, Consent> answers;
  std::string cursor;
  do {
    auto page = env.store->ListConsentsBySubject(subject, "", cursor, 1000);
    if (!page.ok()) return page.status();
    for (Consent& c : page->records) {
      if (!c.request_id().empty()) answers[c.request_id()] = std::move(c);
    }
    cursor = page->next_cursor;
  } while (!cursor.empty());
  return answers;
}

// A request citizens can see: approved at least once.
absl::StatusOr<accord::v1::ConsentRequest> PublishedRequest(
    const Env& env, const std::string& id) {
  auto r = env.store->GetConsentRequest(id);
  if (absl::IsNotFound(r.status()) || (r.ok() && r->version() == 0)) {
    return absl::NotFoundError(
        absl::StrCat("request.request_id: no consent request '", id, "'"));
  }
  return r;
}

absl::Status Busy() {
  return absl::AbortedError(
      "another change to this citizen's consents is in progress; retry");
}

}  // namespace

bool ConsentServiceImpl::Claim(const std::string& subject) {
  absl::MutexLock l(&mu_);
  return busy_.insert(subject).second;
}

void ConsentServiceImpl::Release(const std::string& subject) {
  absl::MutexLock l(&mu_);
  busy_.erase(subject);
}

std::string ConsentServiceImpl::Controller(const Consent& c) const {
  auto dataset = env_.store->GetDataset(c.dataset_id());
  return dataset.ok() ? dataset->producer() : "";
}

template <typename Response>
grpc::ServerUnaryReactor* ConsentServiceImpl::CommitChange(
    const Call& call, store::WriteSet ws, Response* response,
    const std::string& subject, int first_new, http::ConsentEvent event) {
  ws.set_deadline(call.deadline());
  env_.store->Commit(
      std::move(ws), [this, call, response, subject, first_new,
                      event](absl::StatusOr<store::CommitResult> r) {
        Release(subject);
        if (!r.ok()) {
          response->Clear();
          return (void)call.Finish(r.status());
        }
        if (env_.revocations != nullptr) env_.revocations->Notify(r->revision);
        env_.metrics->RecordConsentEvent(event);
        response->set_revision(r->revision);
        StampNewEvents(response->mutable_consent(), first_new, r->revision);
        call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* ConsentServiceImpl::GiveConsent(
    grpc::CallbackServerContext* context,
    const accord::v1::GiveConsentRequest* request,
    accord::v1::GiveConsentResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/GiveConsent", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (request->has_request()) {
    return Answer(call, caller->subject, *request, /*accept=*/true, response);
  }
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
  if (request->expires_at() < 0 ||
      (request->expires_at() != 0 && request->expires_at() <= now)) {
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

  Consent wanted;
  wanted.set_subject(caller->subject);
  wanted.set_dataset_id(request->dataset_id());
  wanted.set_purpose(request->purpose());
  *wanted.mutable_recipient() = request->recipient();
  wanted.set_objection(basis == policy::LegalBasis::kLegitimateInterestOptOut);

  const std::string subject = caller->subject;
  if (!Claim(subject)) return call.Finish(Busy());
  auto existing = FindSame(env_, subject, wanted);
  if (!existing.ok()) {
    Release(subject);
    return call.Finish(existing.status());
  }
  store::WriteSet ws;
  Consent consent;
  int first_new = 0;
  if (existing->has_value()) {
    // Giving again renews: same record, a new GIVEN event, expiry and notice.
    consent = **std::move(existing);
    first_new = consent.events_size();
    if (RecordExpiry(consent, now)) {
      ws.AddAuditEvent(
          ConsentChangeEvent(consent, accord::v1::CONSENT_STATE_EXPIRED, now));
    }
  } else {
    consent = std::move(wanted);
    consent.set_id(crypto::RandomId());
  }
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
  if (!receipt.ok()) {
    Release(subject);
    return call.Finish(receipt.status());
  }
  PutChange(ws, consent, accord::v1::CONSENT_STATE_GIVEN, now);
  // An objection excludes the subject at once: grants naming them end.
  if (consent.objection()) {
    if (absl::Status s =
            RevokeSubjectGrants(env_, ws, consent, now, "objection");
        !s.ok()) {
      Release(subject);
      return call.Finish(s);
    }
  }
  *response->mutable_consent() = std::move(consent);
  response->set_receipt(*std::move(receipt));
  return CommitChange(call, std::move(ws), response, subject, first_new,
                      http::ConsentEvent::kGiven);
}

grpc::ServerUnaryReactor* ConsentServiceImpl::WithdrawConsent(
    grpc::CallbackServerContext* context,
    const accord::v1::WithdrawConsentRequest* request,
    accord::v1::WithdrawConsentResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/WithdrawConsent", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (absl::Status s = CheckConsentId(request->consent_id()); !s.ok()) {
    return call.Finish(s);
  }
  const std::string channel = Channel(request->channel());
  if (absl::Status s = CheckId("channel", channel); !s.ok()) {
    return call.Finish(s);
  }
  const std::string subject = caller->subject;
  if (!Claim(subject)) return call.Finish(Busy());
  auto consent = env_.store->GetConsent(request->consent_id());
  if (!consent.ok() || consent->subject() != subject) {
    Release(subject);
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
    Release(subject);
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
  const int first_new = consent->events_size();
  if (RecordExpiry(*consent, now)) {
    ws.AddAuditEvent(
        ConsentChangeEvent(*consent, accord::v1::CONSENT_STATE_EXPIRED, now));
  }
  AddEvent(*consent, accord::v1::CONSENT_STATE_WITHDRAWN, now, "subject",
           channel);
  auto receipt =
      SignReceipt(*env_.receipt_keys->Primary(), env_.config->grant_issuer,
                  controller, *consent, now);
  if (!receipt.ok()) {
    Release(subject);
    return call.Finish(receipt.status());
  }
  PutChange(ws, *consent, accord::v1::CONSENT_STATE_WITHDRAWN, now);
  // Withdrawing a consent ends the grants that relied on it; withdrawing an
  // objection only lets the subject be included again.
  if (!consent->objection()) {
    if (absl::Status s =
            RevokeSubjectGrants(env_, ws, *consent, now, "consent_withdrawn");
        !s.ok()) {
      Release(subject);
      return call.Finish(s);
    }
  }
  *response->mutable_consent() = *std::move(consent);
  response->set_receipt(*std::move(receipt));
  return CommitChange(call, std::move(ws), response, subject, first_new,
                      http::ConsentEvent::kWithdrawn);
}

grpc::ServerUnaryReactor* ConsentServiceImpl::ListConsents(
    grpc::CallbackServerContext* context,
    const accord::v1::ListConsentsRequest* request,
    accord::v1::ListConsentsResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/ListConsents", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  uint32_t limit;
  if (absl::Status s = CheckPage(request->page_size(), request->page_token(), &limit); !s.ok()) {
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
        const bool claimed = Claim(subject);
        auto page = env_.store->ListConsentsBySubject(
            subject, request->dataset_id(), request->page_token(), limit);
        if (!page.ok()) {
          if (claimed) Release(subject);
          return call.Finish(page.status());
        }
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
        if (!claimed || expired.empty()) {
          if (claimed) Release(subject);
          return call.Finish(absl::OkStatus());
        }
        http::Metrics* metrics = env_.metrics;
        env_.store->Commit(
            std::move(ws), [this, call, response, metrics, subject,
                            expired = std::move(expired)](
                               absl::StatusOr<store::CommitResult> r) {
              Release(subject);
              if (!r.ok()) {
                response->Clear();
                return (void)call.Finish(r.status());
              }
              for (int i : expired) {
                metrics->RecordConsentEvent(http::ConsentEvent::kExpired);
                Consent* c = response->mutable_consents(i);
                StampNewEvents(c, c->events_size() - 1, r->revision);
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
        const bool claimed = Claim(subject);
        auto consent = env_.store->GetConsent(request->consent_id());
        if (!consent.ok() || consent->subject() != subject) {
          if (claimed) Release(subject);
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
        if (!receipt.ok()) {
          if (claimed) Release(subject);
          return call.Finish(receipt.status());
        }
        response->set_receipt(*std::move(receipt));
        if (!claimed || !expired) {
          if (claimed) Release(subject);
          *response->mutable_consent() = *std::move(consent);
          return call.Finish(absl::OkStatus());
        }
        store::WriteSet ws;
        PutChange(ws, *consent, accord::v1::CONSENT_STATE_EXPIRED, now);
        const int first_new = consent->events_size() - 1;
        *response->mutable_consent() = *std::move(consent);
        http::Metrics* metrics = env_.metrics;
        env_.store->Commit(
            std::move(ws), [this, call, response, metrics, subject,
                            first_new](absl::StatusOr<store::CommitResult> r) {
              Release(subject);
              if (!r.ok()) {
                response->Clear();
                return (void)call.Finish(r.status());
              }
              metrics->RecordConsentEvent(http::ConsentEvent::kExpired);
              StampNewEvents(response->mutable_consent(), first_new,
                             r->revision);
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
  Call call(env_, context, "/accord.v1.ConsentService/GetAccessHistory", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  uint32_t limit;
  if (absl::Status s = CheckPage(request->page_size(), request->page_token(), &limit); !s.ok()) {
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
  // Each record with its log entry and inclusion proof (history_proofs.h).
  if (absl::Status proofs = AttachHistoryProofs(env_, response);
      !proofs.ok()) {
    return call.Finish(proofs);
  }
  response->set_next_page_token(page->next_cursor);
  return call.Finish(absl::OkStatus());
}

grpc::ServerUnaryReactor* ConsentServiceImpl::Answer(
    const Call& call, const std::string& subject,
    const accord::v1::GiveConsentRequest& give, bool accept,
    accord::v1::GiveConsentResponse* response) {
  const accord::v1::RequestAnswer& answer = give.request();
  if (absl::Status s = CheckRequestId("request.request_id", answer.request_id());
      !s.ok()) {
    return call.Finish(s);
  }
  const std::string channel = Channel(give.channel());
  if (absl::Status s = CheckId("channel", channel); !s.ok()) {
    return call.Finish(s);
  }
  auto r = PublishedRequest(env_, answer.request_id());
  if (!r.ok()) return call.Finish(r.status());
  const int64_t now = env_.clock->NowSeconds();
  if (absl::Status s = CheckAnswer(answer, *r, now); !s.ok()) {
    return call.Finish(s);
  }
  const accord::v1::ConsentRequestSpec& spec = r->current();
  // What the request fixes may be repeated, never changed.
  if (!give.dataset_id().empty() && give.dataset_id() != spec.dataset_id()) {
    return call.Finish(absl::InvalidArgumentError(
        "dataset_id: differs from the consent request's"));
  }
  if (!give.purpose().empty() && give.purpose() != spec.purpose()) {
    return call.Finish(absl::InvalidArgumentError(
        "purpose: differs from the consent request's"));
  }
  if (give.has_recipient() && (give.recipient().partner() != r->partner() ||
                                give.recipient().has_category())) {
    return call.Finish(absl::InvalidArgumentError(
        "recipient: differs from the consent request's partner"));
  }
  int64_t expires_at = now + spec.consent_duration_seconds();
  if (give.expires_at() != 0) {
    if (give.expires_at() <= now || give.expires_at() > expires_at) {
      return call.Finish(absl::InvalidArgumentError(
          "expires_at: must be in the future and within the request's "
          "consent duration"));
    }
    expires_at = give.expires_at();
  }
  auto current = env_.policies->Current(spec.dataset_id());
  if (!current.ok()) return call.Finish(current.status());
  const DatasetPolicy& policy = **current;
  if (policy.compiled.legal_basis() != policy::LegalBasis::kConsent) {
    return call.Finish(absl::FailedPreconditionError(
        absl::StrCat("dataset '", spec.dataset_id(),
                     "' is no longer processed on the basis of consent")));
  }
  if (!Claim(subject)) return call.Finish(Busy());
  auto existing = FindAnswer(env_, subject, spec.dataset_id(), r->id());
  if (!existing.ok()) {
    Release(subject);
    return call.Finish(existing.status());
  }
  store::WriteSet ws;
  Consent consent;
  int first_new = 0;
  bool was_given = false;
  if (existing->has_value()) {
    consent = **std::move(existing);
    first_new = consent.events_size();
    if (RecordExpiry(consent, now)) {
      ws.AddAuditEvent(
          ConsentChangeEvent(consent, accord::v1::CONSENT_STATE_EXPIRED, now));
    }
    was_given = consent.state() == accord::v1::CONSENT_STATE_GIVEN;
  } else {
    consent.set_id(crypto::RandomId());
    consent.set_subject(subject);
    consent.set_dataset_id(spec.dataset_id());
    consent.set_purpose(spec.purpose());
    consent.mutable_recipient()->set_partner(r->partner());
    consent.set_request_id(r->id());
  }
  consent.set_request_version(r->version());
  consent.set_notice_hash(r->notice_hash());
  *consent.mutable_fields() = spec.fields();
  *consent.mutable_notice() = policy.ref;
  consent.set_legal_basis(accord::v1::LEGAL_BASIS_CONSENT);
  const ConsentState state = accept ? accord::v1::CONSENT_STATE_GIVEN
                                    : accord::v1::CONSENT_STATE_REFUSED;
  if (accept) {
    consent.set_given_at(now);
    consent.set_expires_at(expires_at);
  } else {
    consent.set_expires_at(0);
  }
  AddEvent(consent, state, now, "subject", channel);
  auto receipt =
      SignReceipt(*env_.receipt_keys->Primary(), env_.config->grant_issuer,
                  policy.dataset.producer(), consent, now);
  if (!receipt.ok()) {
    Release(subject);
    return call.Finish(receipt.status());
  }
  PutChange(ws, consent, state, now);
  // Refusing what one had accepted ends the grants that relied on it.
  if (!accept && was_given) {
    if (absl::Status s =
            RevokeSubjectGrants(env_, ws, consent, now, "consent_refused");
        !s.ok()) {
      Release(subject);
      return call.Finish(s);
    }
  }
  *response->mutable_consent() = std::move(consent);
  response->set_receipt(*std::move(receipt));
  return CommitChange(call, std::move(ws), response, subject, first_new,
                      accept ? http::ConsentEvent::kGiven
                             : http::ConsentEvent::kRefused);
}

grpc::ServerUnaryReactor* ConsentServiceImpl::RefuseConsentRequest(
    grpc::CallbackServerContext* context,
    const accord::v1::RefuseConsentRequestRequest* request,
    accord::v1::GiveConsentResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/RefuseConsentRequest",
            *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  accord::v1::GiveConsentRequest give;
  *give.mutable_request() = request->request();
  give.set_channel(request->channel());
  return Answer(call, caller->subject, give, /*accept=*/false, response);
}

grpc::ServerUnaryReactor* ConsentServiceImpl::ListOpenRequests(
    grpc::CallbackServerContext* context,
    const accord::v1::ListOpenRequestsRequest* request,
    accord::v1::ListOpenRequestsResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/ListOpenRequests",
            *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  uint32_t limit;
  if (absl::Status s =
          CheckPage(request->page_size(), request->page_token(), &limit);
      !s.ok()) {
    return call.Finish(s);
  }
  call.AfterFreshness(
      request->at_least_as_fresh(),
      [this, call, request, response, limit,
       caller = *std::move(caller)]() -> grpc::ServerUnaryReactor* {
        auto answers = AnswersOf(env_, caller.subject);
        if (!answers.ok()) return call.Finish(answers.status());
        auto page = env_.store->ListConsentRequests(request->page_token(),
                                                    limit);
        if (!page.ok()) return call.Finish(page.status());
        const int64_t now = env_.clock->NowSeconds();
        for (const accord::v1::ConsentRequest& r : page->records) {
          if (!Answerable(r, now)) continue;
          accord::v1::OpenRequest* open = response->add_requests();
          *open->mutable_request() = CitizenView(r, now);
          auto answer = answers->find(r.id());
          const bool answered = answer != answers->end();
          if (answered) *open->mutable_answer() = answer->second;
          open->set_needs_answer(!answered || answer->second.request_version() <
                                                  r.version());
        }
        response->set_next_page_token(page->next_cursor);
        return call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* ConsentServiceImpl::GetOpenRequest(
    grpc::CallbackServerContext* context,
    const accord::v1::GetOpenRequestRequest* request,
    accord::v1::OpenRequest* response) {
  Call call(env_, context, "/accord.v1.ConsentService/GetOpenRequest",
            *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (absl::Status s = CheckRequestId("request_id", request->request_id());
      !s.ok()) {
    return call.Finish(s);
  }
  call.AfterFreshness(
      request->at_least_as_fresh(),
      [this, call, request, response,
       caller = *std::move(caller)]() -> grpc::ServerUnaryReactor* {
        auto r = PublishedRequest(env_, request->request_id());
        if (!r.ok()) return call.Finish(r.status());
        auto answer = FindAnswer(env_, caller.subject,
                                 r->current().dataset_id(), r->id());
        if (!answer.ok()) return call.Finish(answer.status());
        const int64_t now = env_.clock->NowSeconds();
        *response->mutable_request() = CitizenView(*r, now);
        if (answer->has_value()) *response->mutable_answer() = **answer;
        response->set_needs_answer(
            Answerable(*r, now) &&
            (!answer->has_value() ||
             (*answer)->request_version() < r->version()));
        return call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* ConsentServiceImpl::ExportConsentRecords(
    grpc::CallbackServerContext* context,
    const accord::v1::ExportConsentRecordsRequest* request,
    accord::v1::ExportConsentRecordsResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/ExportConsentRecords",
            *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  std::vector<Consent> consents;
  ConsentRecordsContext context_of;
  context_of.issuer = env_.config->grant_issuer;
  context_of.taxonomy = &env_.policies->taxonomy();
  std::string cursor;
  do {
    auto page = env_.store->ListConsentsBySubject(caller->subject, "", cursor,
                                                  1000);
    if (!page.ok()) return call.Finish(page.status());
    for (Consent& c : page->records) consents.push_back(std::move(c));
    cursor = page->next_cursor;
  } while (!cursor.empty());
  for (const Consent& c : consents) {
    if (!context_of.datasets.contains(c.dataset_id())) {
      auto dataset = env_.store->GetDataset(c.dataset_id());
      if (!dataset.ok()) return call.Finish(dataset.status());
      context_of.datasets.emplace(c.dataset_id(), *std::move(dataset));
    }
    if (!c.request_id().empty() &&
        !context_of.requests.contains(c.request_id())) {
      auto r = env_.store->GetConsentRequest(c.request_id());
      if (!r.ok()) return call.Finish(r.status());
      context_of.requests.emplace(c.request_id(),
                                  CitizenView(*r, env_.clock->NowSeconds()));
    }
  }
  auto document = ConsentRecordsDocument(consents, context_of,
                                         env_.clock->NowSeconds());
  if (!document.ok()) return call.Finish(document.status());
  response->set_document(*std::move(document));
  return call.Finish(absl::OkStatus());
}

}  // namespace accord::service
