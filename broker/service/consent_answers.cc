// ConsentService's calls on consent requests: a citizen lists, reads,
// accepts or refuses them, and exports every consent record.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "broker/crypto/random.h"
#include "broker/service/audit_events.h"
#include "broker/service/call.h"
#include "broker/service/clock.h"
#include "broker/service/config.h"
#include "broker/service/consent_changes.h"
#include "broker/service/consent_records.h"
#include "broker/service/consent_service.h"
#include "broker/service/key_ring.h"
#include "broker/service/policy_registry.h"
#include "broker/service/receipt.h"
#include "broker/service/request_ids.h"
#include "broker/service/request_state.h"
#include "broker/service/validate.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

using accord::v1::Consent;
using accord::v1::ConsentState;

// The subject's answer (consent or refusal) to a consent request, if any.
absl::StatusOr<std::optional<Consent>> FindAnswer(
    const Env& env, const std::string& subject, const std::string& dataset_id,
    const std::string& request_id) {
  return FindConsent(env, subject, dataset_id, [&](const Consent& c) {
    return c.request_id() == request_id;
  });
}

// Request id -> the subject's answer to it, over all their records.
absl::StatusOr<absl::flat_hash_map<std::string, Consent>> AnswersOf(
    const Env& env, const std::string& subject) {
  auto all = AllConsentsOf(env, subject);
  if (!all.ok()) return all.status();
  absl::flat_hash_map<std::string, Consent> answers;
  for (Consent& c : *all) {
    if (!c.request_id().empty()) answers[c.request_id()] = std::move(c);
  }
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

// What a consent request fixes may be repeated in the answer, never
// changed: its dataset, purpose and partner (`partner`).
absl::Status CheckRepeatsRequest(const accord::v1::GiveConsentRequest& give,
                                 const accord::v1::ConsentRequestSpec& spec,
                                 const std::string& partner) {
  if (!give.dataset_id().empty() && give.dataset_id() != spec.dataset_id()) {
    return absl::InvalidArgumentError(
        "dataset_id: differs from the consent request's");
  }
  if (!give.purpose().empty() && give.purpose() != spec.purpose()) {
    return absl::InvalidArgumentError(
        "purpose: differs from the consent request's");
  }
  if (give.has_recipient() && (give.recipient().partner() != partner ||
                               give.recipient().has_category())) {
    return absl::InvalidArgumentError(
        "recipient: differs from the consent request's partner");
  }
  return absl::OkStatus();
}

// What an answer to a consent request is checked against and records.
struct AnswerTerms {
  // The request answered, as published.
  accord::v1::ConsentRequest request;
  // The current policy of its dataset.
  std::shared_ptr<const DatasetPolicy> policy;
  // Unix seconds of the answer.
  int64_t now = 0;
  // When a consent given now ends: the request's consent duration, or the
  // answer's earlier `expires_at`.
  int64_t expires_at = 0;
  // The answer's channel, defaulted.
  std::string channel;
};

// Checks `give` (GiveConsent with `request`, or a refusal put in the same
// shape) against the current version of the consent request it answers and
// the dataset's current policy. Errors: INVALID_ARGUMENT naming the field;
// NOT_FOUND for a request never published; FAILED_PRECONDITION when the
// version or notice is not the current one, the request is not open, or
// the dataset is no longer processed on the basis of consent.
absl::StatusOr<AnswerTerms> CheckAnswerTerms(
    const Env& env, const accord::v1::GiveConsentRequest& give) {
  const accord::v1::RequestAnswer& answer = give.request();
  if (absl::Status s =
          CheckRequestId("request.request_id", answer.request_id());
      !s.ok()) {
    return s;
  }
  AnswerTerms terms;
  terms.channel = Channel(give.channel());
  if (absl::Status s = CheckId("channel", terms.channel); !s.ok()) return s;
  auto r = PublishedRequest(env, answer.request_id());
  if (!r.ok()) return r.status();
  terms.request = *std::move(r);
  const int64_t now = env.clock->NowSeconds();
  terms.now = now;
  if (absl::Status s = CheckAnswer(answer, terms.request, now); !s.ok()) {
    return s;
  }
  const accord::v1::ConsentRequestSpec& spec = terms.request.current();
  if (absl::Status s = CheckRepeatsRequest(give, spec, terms.request.partner());
      !s.ok()) {
    return s;
  }
  terms.expires_at = now + spec.consent_duration_seconds();
  if (give.expires_at() != 0) {
    if (give.expires_at() <= now || give.expires_at() > terms.expires_at) {
      return absl::InvalidArgumentError(
          "expires_at: must be in the future and within the request's "
          "consent duration");
    }
    terms.expires_at = give.expires_at();
  }
  auto current = env.policies->Current(spec.dataset_id());
  if (!current.ok()) {
    // The caller is a citizen's app: the policy's problems are not its.
    return PolicyErrorFor(current.status(), accord::v1::Principal());
  }
  terms.policy = *std::move(current);
  if (terms.policy->compiled.legal_basis() != policy::LegalBasis::kConsent) {
    return absl::FailedPreconditionError(
        absl::StrCat("dataset '", spec.dataset_id(),
                     "' is no longer processed on the basis of consent"));
  }
  return terms;
}

// The record an answer to `request` changes: the subject's `existing` one
// as stored, without its events (its expiry recorded first, into `ws`,
// when it has passed; `*was_given` whether it was GIVEN), or a new record
// for `subject` naming the request.
Consent AnswerRecord(std::optional<Consent> existing,
                     const std::string& subject,
                     const accord::v1::ConsentRequest& request,
                     const accord::v1::ConsentRequestSpec& spec, int64_t now,
                     store::WriteSet& ws, bool* was_given) {
  Consent consent;
  if (existing.has_value()) {
    consent = *std::move(existing);
    RecordExpiry(consent, now, ws);
    *was_given = consent.state() == accord::v1::CONSENT_STATE_GIVEN;
  } else {
    consent.set_id(crypto::RandomId());
    consent.set_subject(subject);
    consent.set_dataset_id(spec.dataset_id());
    consent.set_purpose(spec.purpose());
    consent.mutable_recipient()->set_partner(request.partner());
    consent.set_request_id(request.id());
  }
  return consent;
}

// Makes `consent` the answer to the version of `terms`: what that version
// says, and a new event GIVEN (`accept`) or REFUSED. Returns that state.
ConsentState SetAnswer(Consent& consent, const AnswerTerms& terms,
                       bool accept) {
  const accord::v1::ConsentRequest& r = terms.request;
  consent.set_request_version(r.version());
  consent.set_notice_hash(r.notice_hash());
  *consent.mutable_fields() = r.current().fields();
  *consent.mutable_notice() = terms.policy->ref;
  consent.set_legal_basis(accord::v1::LEGAL_BASIS_CONSENT);
  const ConsentState state = accept ? accord::v1::CONSENT_STATE_GIVEN
                                    : accord::v1::CONSENT_STATE_REFUSED;
  if (accept) {
    consent.set_given_at(terms.now);
    consent.set_expires_at(terms.expires_at);
  } else {
    consent.set_expires_at(0);
  }
  AddEvent(consent, state, terms.now, "subject", terms.channel);
  return state;
}

}  // namespace

grpc::ServerUnaryReactor* ConsentServiceImpl::Answer(
    const Call& call, const std::string& subject,
    const accord::v1::GiveConsentRequest& give, bool accept,
    accord::v1::GiveConsentResponse* response, const ClientRequest& client) {
  auto terms = CheckAnswerTerms(env_, give);
  if (!terms.ok()) return call.Finish(terms.status());
  const accord::v1::ConsentRequest& r = terms->request;
  const accord::v1::ConsentRequestSpec& spec = r.current();
  const int64_t now = terms->now;
  KeyClaims::Claim claim = subjects_.Take(subject);
  if (!claim.held()) return call.Finish(ConsentsBusy());
  auto existing = FindAnswer(env_, subject, spec.dataset_id(), r.id());
  if (!existing.ok()) return call.FinishReleasing(claim, existing.status());
  store::WriteSet ws;
  bool was_given = false;
  Consent consent =
      AnswerRecord(*std::move(existing), subject, r, spec, now, ws, &was_given);
  const ConsentState state = SetAnswer(consent, *terms, accept);
  auto receipt =
      SignReceipt(*env_.receipt_keys->Primary(), env_.config->grant_issuer,
                  terms->policy->dataset.producer(), consent, now);
  if (!receipt.ok()) return call.FinishReleasing(claim, receipt.status());
  PutChange(ws, consent, state, now);
  // Refusing what one had accepted ends the grants that relied on it.
  if (!accept && was_given) {
    if (absl::Status s =
            RevokeSubjectGrants(env_, ws, consent, now, "consent_refused");
        !s.ok()) {
      return call.FinishReleasing(claim, s);
    }
  }
  *response->mutable_consent() = std::move(consent);
  response->set_receipt(*std::move(receipt));
  return CommitChange(call, std::move(ws), response, std::move(claim),
                      accept ? ConsentEvent::kGiven : ConsentEvent::kRefused,
                      client);
}

grpc::ServerUnaryReactor* ConsentServiceImpl::RefuseConsentRequest(
    grpc::CallbackServerContext* context,
    const accord::v1::RefuseConsentRequestRequest* request,
    accord::v1::GiveConsentResponse* response) {
  constexpr char kMethod[] = "/accord.v1.ConsentService/RefuseConsentRequest";
  Call call(env_, context, kMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  auto client = ClientRequest::Find(env_, *caller, kMethod, *request, response);
  if (!client.ok()) return call.Finish(client.status());
  if (client->replayed()) return call.Finish(absl::OkStatus());
  accord::v1::GiveConsentRequest give;
  *give.mutable_request() = request->request();
  give.set_channel(request->channel());
  return Answer(call, caller->subject, give, /*accept=*/false, response,
                *client);
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
        auto page =
            env_.store->ListConsentRequests(request->page_token(), limit);
        if (!page.ok()) return call.Finish(page.status());
        const int64_t now = env_.clock->NowSeconds();
        for (const accord::v1::ConsentRequest& r : page->records) {
          if (!Answerable(r, now)) continue;
          accord::v1::OpenRequest* open = response->add_requests();
          *open->mutable_request() = CitizenView(r, now);
          auto answer = answers->find(r.id());
          const Consent* answered =
              answer == answers->end() ? nullptr : &answer->second;
          if (answered != nullptr) *open->mutable_answer() = *answered;
          open->set_needs_answer(NeedsAnswer(r, answered, now));
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
        if (answer->has_value()) {
          // With its events, as ListOpenRequests gives it.
          auto full = env_.store->GetConsent((*answer)->id());
          if (!full.ok()) return call.Finish(full.status());
          *answer = *std::move(full);
        }
        const int64_t now = env_.clock->NowSeconds();
        *response->mutable_request() = CitizenView(*r, now);
        if (answer->has_value()) *response->mutable_answer() = **answer;
        response->set_needs_answer(
            NeedsAnswer(*r, answer->has_value() ? &**answer : nullptr, now));
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
  auto consents = AllConsentsOf(env_, caller->subject);
  if (!consents.ok()) return call.Finish(consents.status());
  ConsentRecordsContext context_of;
  context_of.issuer = env_.config->grant_issuer;
  context_of.taxonomy = &env_.policies->taxonomy();
  for (const Consent& c : *consents) {
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
  auto document =
      ConsentRecordsDocument(*consents, context_of, env_.clock->NowSeconds());
  if (!document.ok()) return call.Finish(document.status());
  response->set_document(*std::move(document));
  return call.Finish(absl::OkStatus());
}

}  // namespace accord::service
