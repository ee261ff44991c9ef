#include "broker/service/request_service.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/crypto/random.h"
#include "broker/service/call.h"
#include "broker/service/clock.h"
#include "broker/service/config.h"
#include "broker/service/notice.h"
#include "broker/service/policy_registry.h"
#include "broker/service/request_ids.h"
#include "broker/service/request_spec.h"
#include "broker/service/request_state.h"
#include "broker/service/validate.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

using accord::v1::ConsentRequest;
using accord::v1::ConsentRequestSpec;
using accord::v1::ConsentRequestState;
constexpr ConsentRequestState kDraft = accord::v1::CONSENT_REQUEST_STATE_DRAFT;
constexpr ConsentRequestState kPending =
    accord::v1::CONSENT_REQUEST_STATE_PENDING_APPROVAL;
constexpr ConsentRequestState kOpen = accord::v1::CONSENT_REQUEST_STATE_OPEN;
constexpr ConsentRequestState kClosed =
    accord::v1::CONSENT_REQUEST_STATE_CLOSED;
constexpr ConsentRequestState kRejected =
    accord::v1::CONSENT_REQUEST_STATE_REJECTED;

absl::Status NoSuchRequest(absl::string_view id) {
  return absl::NotFoundError(
      absl::StrCat("request_id: no consent request '", id, "'"));
}

absl::Status Busy(absl::string_view id) {
  return absl::AbortedError(absl::StrCat(
      "consent request '", id, "' is being changed by another call; retry"));
}

// Whether the caller may see (and act on) the request: its partner, the
// dataset's producer, the operator.
bool Visible(const Caller& caller, const ConsentRequest& r) {
  switch (caller.principal.role()) {
    case accord::v1::ROLE_OPERATOR:
      return true;
    case accord::v1::ROLE_PARTNER:
      return r.partner() == caller.principal.id();
    case accord::v1::ROLE_PRODUCER:
      return r.producer() == caller.principal.id();
    default:
      return false;
  }
}

// The stored request if the caller may see it, else NOT_FOUND.
absl::StatusOr<ConsentRequest> Load(const Env& env, const Caller& caller,
                                    const std::string& id) {
  auto r = env.store->GetConsentRequest(id);
  if (absl::IsNotFound(r.status()) || (r.ok() && !Visible(caller, *r))) {
    return NoSuchRequest(id);
  }
  return r;
}

bool HasProposal(const ConsentRequest& r) {
  return !r.proposed().dataset_id().empty();
}

// The version a pending proposal would become.
uint32_t NextVersion(const ConsentRequest& r) { return r.version() + 1; }

// Commits `ws` holding `request`; once durable, releases `claim` and
// answers with the request at its new revision, the answer `client`
// records for retries (request_ids.h).
grpc::ServerUnaryReactor* CommitRequest(
    const Env& env, const Call& call, KeyClaims::Claim claim,
    store::WriteSet ws, ConsentRequest request,
    accord::v1::ConsentRequestResponse* response, const ClientRequest& client) {
  ws.PutConsentRequest(request);
  ws.set_deadline(call.deadline());
  accord::v1::ConsentRequestResponse answer;
  *answer.mutable_request() = std::move(request);
  auto complete = [](accord::v1::ConsentRequestResponse* out,
                     const store::CommitResult& committed) {
    ConsentRequest* r = out->mutable_request();
    r->set_revision(committed.revision);
    for (auto& e : *r->mutable_events()) {
      if (e.revision() == 0) e.set_revision(committed.revision);
    }
    out->set_revision(committed.revision);
  };
  client.Record(ws, answer, complete);
  env.store->Commit(std::move(ws),
                    [call, response, claim = std::move(claim), complete,
                     answer = std::move(answer)](
                        absl::StatusOr<store::CommitResult> committed) mutable {
                      if (!committed.ok()) {
                        return (void)call.FinishReleasing(claim,
                                                          committed.status());
                      }
                      claim.Release();
                      *response = std::move(answer);
                      complete(response, *committed);
                      call.Finish(absl::OkStatus());
                    });
  return call.reactor();
}

accord::v1::ThresholdedCount Thresholded(uint64_t count, uint32_t k) {
  accord::v1::ThresholdedCount out;
  if (count >= k) {
    out.set_count(count);
    out.set_at_least_threshold(true);
    out.set_text(absl::StrCat(count));
  } else {
    out.set_text(absl::StrCat("< ", k));
  }
  return out;
}

}  // namespace

absl::StatusOr<ConsentRequestServiceImpl::Held> ConsentRequestServiceImpl::Hold(
    const Caller& caller, const std::string& id, bool own) {
  Held held;
  held.claim = claims_.Take(id);
  if (!held.claim.held()) return Busy(id);
  auto stored = Load(env_, caller, id);
  if (!stored.ok()) return stored.status();
  if (own && stored->partner() != caller.principal.id()) {
    return NoSuchRequest(id);
  }
  held.request = *std::move(stored);
  return held;
}

grpc::ServerUnaryReactor* ConsentRequestServiceImpl::PutConsentRequest(
    grpc::CallbackServerContext* context,
    const accord::v1::PutConsentRequestRequest* request,
    accord::v1::ConsentRequestResponse* response) {
  constexpr char kMethod[] =
      "/accord.v1.ConsentRequestService/PutConsentRequest";
  Call call(env_, context, kMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  auto client = ClientRequest::Find(env_, *caller, kMethod, *request, response);
  if (!client.ok()) return call.Finish(client.status());
  if (client->replayed()) return call.Finish(absl::OkStatus());
  const ConsentRequestSpec& spec = request->spec();
  if (!request->request_id().empty()) {
    if (absl::Status s = CheckRequestId("request_id", request->request_id());
        !s.ok()) {
      return call.Finish(s);
    }
  }
  if (absl::Status s = CheckId("spec.dataset_id", spec.dataset_id()); !s.ok()) {
    return call.Finish(s);
  }
  auto dataset = env_.store->GetDataset(spec.dataset_id());
  if (absl::IsNotFound(dataset.status())) {
    return call.Finish(absl::NotFoundError(
        absl::StrCat("spec.dataset_id: no dataset '", spec.dataset_id(), "'")));
  }
  if (!dataset.ok()) return call.Finish(dataset.status());
  const int64_t now = env_.clock->NowSeconds();
  if (absl::Status s =
          CheckRequestSpec(spec, *dataset, env_.policies->taxonomy(), now);
      !s.ok()) {
    return call.Finish(s);
  }
  const std::string actor = caller->principal.id();
  store::WriteSet ws;
  if (request->request_id().empty()) {
    ConsentRequest created;
    created.set_id(crypto::RandomId());
    created.set_partner(actor);
    created.set_producer(dataset->producer());
    created.set_oldest_honoured_version(1);
    *created.mutable_proposed() = spec;
    Transition(created, kDraft, actor, "", 1, now, ws);
    KeyClaims::Claim claim = claims_.Take(created.id());
    return CommitRequest(env_, call, std::move(claim), std::move(ws),
                         std::move(created), response, *client);
  }
  auto held = Hold(*caller, request->request_id(), /*own=*/true);
  if (!held.ok()) return call.Finish(held.status());
  KeyClaims::Claim claim = std::move(held->claim);
  ConsentRequest r = std::move(held->request);
  CloseIfEnded(r, now, ws);
  if (r.state() == kClosed) {
    return call.FinishReleasing(
        claim, absl::FailedPreconditionError(absl::StrCat(
                   "request_id: request '", r.id(), "' is closed")));
  }
  const std::string& dataset_id =
      HasProposal(r) ? r.proposed().dataset_id() : r.current().dataset_id();
  if (spec.dataset_id() != dataset_id) {
    return call.FinishReleasing(
        claim, absl::InvalidArgumentError(
                   absl::StrCat("spec.dataset_id: request '", r.id(),
                                "' stays on dataset '", dataset_id, "'")));
  }
  if (r.state() == kOpen && SameSpec(spec, r.current())) {
    return call.FinishReleasing(
        claim, absl::InvalidArgumentError(
                   "spec: the same as the open version; nothing to change"));
  }
  *r.mutable_proposed() = spec;
  r.set_proposed_submitted(false);
  ProposalEvent(r, kDraft, actor, "", NextVersion(r), now, ws);
  return CommitRequest(env_, call, std::move(claim), std::move(ws),
                       std::move(r), response, *client);
}

grpc::ServerUnaryReactor* ConsentRequestServiceImpl::SubmitConsentRequest(
    grpc::CallbackServerContext* context,
    const accord::v1::SubmitConsentRequestRequest* request,
    accord::v1::ConsentRequestResponse* response) {
  constexpr char kMethod[] =
      "/accord.v1.ConsentRequestService/SubmitConsentRequest";
  Call call(env_, context, kMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  auto client = ClientRequest::Find(env_, *caller, kMethod, *request, response);
  if (!client.ok()) return call.Finish(client.status());
  if (client->replayed()) return call.Finish(absl::OkStatus());
  if (absl::Status s = CheckRequestId("request_id", request->request_id());
      !s.ok()) {
    return call.Finish(s);
  }
  auto held = Hold(*caller, request->request_id(), /*own=*/true);
  if (!held.ok()) return call.Finish(held.status());
  KeyClaims::Claim claim = std::move(held->claim);
  ConsentRequest r = std::move(held->request);
  const std::string actor = caller->principal.id();
  const int64_t now = env_.clock->NowSeconds();
  store::WriteSet ws;
  CloseIfEnded(r, now, ws);
  if (!HasProposal(r) || r.proposed_submitted() || r.state() == kPending ||
      r.state() == kClosed) {
    return call.FinishReleasing(
        claim,
        absl::FailedPreconditionError(absl::StrCat(
            "request_id: request '", r.id(), "' (",
            ConsentRequestState_Name(r.state()), ") has no draft to submit")));
  }
  auto dataset = env_.store->GetDataset(r.proposed().dataset_id());
  if (!dataset.ok()) return call.FinishReleasing(claim, dataset.status());
  if (absl::Status s = CheckRequestSpec(r.proposed(), *dataset,
                                        env_.policies->taxonomy(), now);
      !s.ok()) {
    return call.FinishReleasing(claim, s);
  }
  r.set_proposed_submitted(r.state() == kOpen);
  ProposalEvent(r, kPending, actor, "", NextVersion(r), now, ws);
  return CommitRequest(env_, call, std::move(claim), std::move(ws),
                       std::move(r), response, *client);
}

grpc::ServerUnaryReactor* ConsentRequestServiceImpl::ReviewConsentRequest(
    grpc::CallbackServerContext* context,
    const accord::v1::ReviewConsentRequestRequest* request,
    accord::v1::ConsentRequestResponse* response) {
  constexpr char kMethod[] =
      "/accord.v1.ConsentRequestService/ReviewConsentRequest";
  Call call(env_, context, kMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  auto client = ClientRequest::Find(env_, *caller, kMethod, *request, response);
  if (!client.ok()) return call.Finish(client.status());
  if (client->replayed()) return call.Finish(absl::OkStatus());
  if (absl::Status s = CheckRequestId("request_id", request->request_id());
      !s.ok()) {
    return call.Finish(s);
  }
  if (!request->approve() || !request->reason().empty()) {
    if (absl::Status s =
            CheckText("reason", request->reason(), kMaxReasonBytes);
        !s.ok()) {
      return call.Finish(s);
    }
  }
  auto held = Hold(*caller, request->request_id(), /*own=*/false);
  if (!held.ok()) return call.Finish(held.status());
  KeyClaims::Claim claim = std::move(held->claim);
  ConsentRequest r = std::move(held->request);
  const std::string actor = caller->principal.id();
  const int64_t now = env_.clock->NowSeconds();
  store::WriteSet ws;
  CloseIfEnded(r, now, ws);
  const bool pending =
      r.state() == kPending || (r.state() == kOpen && r.proposed_submitted());
  if (!pending) {
    return call.FinishReleasing(
        claim, absl::FailedPreconditionError(
                   absl::StrCat("request_id: request '", r.id(), "' (",
                                ConsentRequestState_Name(r.state()),
                                ") has nothing awaiting review")));
  }
  const uint32_t version = NextVersion(r);
  if (!request->approve()) {
    r.set_proposed_submitted(false);
    r.set_rejection_reason(request->reason());
    ProposalEvent(r, kRejected, actor, request->reason(), version, now, ws);
    return CommitRequest(env_, call, std::move(claim), std::move(ws),
                         std::move(r), response, *client);
  }
  const ConsentRequestSpec& spec = r.proposed();
  auto policy = env_.policies->Current(spec.dataset_id());
  if (!policy.ok()) return call.FinishReleasing(claim, policy.status());
  const accord::v1::Dataset& dataset = (*policy)->dataset;
  if (absl::Status s =
          CheckRequestSpec(spec, dataset, env_.policies->taxonomy(), now);
      !s.ok()) {
    return call.FinishReleasing(claim,
                                absl::FailedPreconditionError(s.message()));
  }
  auto directory = env_.policies->Directory();
  if (!directory.ok()) return call.FinishReleasing(claim, directory.status());
  auto partner = (*directory)->principal_categories.find(r.partner());
  if (partner == (*directory)->principal_categories.end()) {
    return call.FinishReleasing(
        claim, absl::FailedPreconditionError(absl::StrCat(
                   "partner '", r.partner(), "' is no longer a partner")));
  }
  if (absl::Status s =
          CheckSpecAgainstPolicy((*policy)->compiled, r.partner(),
                                 partner->second, spec, env_.clock->Now());
      !s.ok()) {
    return call.FinishReleasing(claim, s);
  }
  NoticeSource source;
  source.request = &r;
  source.spec = &spec;
  source.version = version;
  source.partner_category = partner->second;
  source.dataset = &dataset;
  source.policy = (*policy)->ref;
  source.taxonomy = &env_.policies->taxonomy();
  auto notice = BuildNotice(source);
  if (!notice.ok()) return call.FinishReleasing(claim, notice.status());
  *r.mutable_current() = spec;
  r.clear_proposed();
  r.set_proposed_submitted(false);
  r.clear_rejection_reason();
  r.set_version(version);
  r.set_notice(std::move(notice->json));
  r.set_notice_hash(std::move(notice->hash));
  r.set_renewal_required(version > 1 && request->renewal_required());
  if (r.renewal_required()) r.set_oldest_honoured_version(version);
  Transition(r, kOpen, actor, request->reason(), version, now, ws);
  return CommitRequest(env_, call, std::move(claim), std::move(ws),
                       std::move(r), response, *client);
}

grpc::ServerUnaryReactor* ConsentRequestServiceImpl::CloseConsentRequest(
    grpc::CallbackServerContext* context,
    const accord::v1::CloseConsentRequestRequest* request,
    accord::v1::ConsentRequestResponse* response) {
  constexpr char kMethod[] =
      "/accord.v1.ConsentRequestService/CloseConsentRequest";
  Call call(env_, context, kMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  auto client = ClientRequest::Find(env_, *caller, kMethod, *request, response);
  if (!client.ok()) return call.Finish(client.status());
  if (client->replayed()) return call.Finish(absl::OkStatus());
  if (absl::Status s = CheckRequestId("request_id", request->request_id());
      !s.ok()) {
    return call.Finish(s);
  }
  if (absl::Status s =
          CheckLength("reason", request->reason(), kMaxReasonBytes);
      !s.ok()) {
    return call.Finish(s);
  }
  auto held = Hold(*caller, request->request_id(), /*own=*/false);
  if (!held.ok()) return call.Finish(held.status());
  KeyClaims::Claim claim = std::move(held->claim);
  ConsentRequest r = std::move(held->request);
  const int64_t now = env_.clock->NowSeconds();
  store::WriteSet ws;
  if (!CloseIfEnded(r, now, ws)) {
    if (r.state() != kOpen) {
      return call.FinishReleasing(
          claim, absl::FailedPreconditionError(absl::StrCat(
                     "request_id: request '", r.id(), "' is not open (",
                     ConsentRequestState_Name(r.state()), ")")));
    }
    Transition(r, kClosed, caller->principal.id(), request->reason(),
               r.version(), now, ws);
  }
  return CommitRequest(env_, call, std::move(claim), std::move(ws),
                       std::move(r), response, *client);
}

grpc::ServerUnaryReactor* ConsentRequestServiceImpl::GetConsentRequest(
    grpc::CallbackServerContext* context,
    const accord::v1::GetConsentRequestRequest* request,
    accord::v1::ConsentRequestResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentRequestService/GetConsentRequest",
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
        auto stored = Load(env_, caller, request->request_id());
        if (!stored.ok()) return call.Finish(stored.status());
        ConsentRequest r = *std::move(stored);
        store::WriteSet ws;
        KeyClaims::Claim claim = claims_.Take(r.id());
        // An ended request is recorded CLOSED now, when nothing else is
        // changing it; otherwise by that change.
        if (claim.held() && CloseIfEnded(r, env_.clock->NowSeconds(), ws)) {
          return CommitRequest(env_, call, std::move(claim), std::move(ws),
                               std::move(r), response, ClientRequest());
        }
        *response->mutable_request() = std::move(r);
        return call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* ConsentRequestServiceImpl::ListConsentRequests(
    grpc::CallbackServerContext* context,
    const accord::v1::ListConsentRequestsRequest* request,
    accord::v1::ListConsentRequestsResponse* response) {
  Call call(env_, context,
            "/accord.v1.ConsentRequestService/ListConsentRequests", *request);
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
        auto page =
            env_.store->ListConsentRequests(request->page_token(), limit);
        if (!page.ok()) return call.Finish(page.status());
        const int64_t now = env_.clock->NowSeconds();
        for (ConsentRequest& r : page->records) {
          if (!Visible(caller, r)) continue;
          const std::string& dataset_id = r.current().dataset_id().empty()
                                              ? r.proposed().dataset_id()
                                              : r.current().dataset_id();
          if (!request->dataset_id().empty() &&
              dataset_id != request->dataset_id()) {
            continue;
          }
          // Listed as it is now; the CLOSED transition of an ended request
          // is recorded by its next read or change.
          if (r.state() == kOpen && r.current().closes_at() <= now) {
            r.set_state(kClosed);
          }
          if (request->state() !=
                  accord::v1::CONSENT_REQUEST_STATE_UNSPECIFIED &&
              r.state() != request->state()) {
            continue;
          }
          *response->add_requests() = std::move(r);
        }
        response->set_next_page_token(page->next_cursor);
        return call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* ConsentRequestServiceImpl::GetConsentRequestStats(
    grpc::CallbackServerContext* context,
    const accord::v1::GetConsentRequestStatsRequest* request,
    accord::v1::GetConsentRequestStatsResponse* response) {
  Call call(env_, context,
            "/accord.v1.ConsentRequestService/GetConsentRequestStats",
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
        auto r = Load(env_, caller, request->request_id());
        if (!r.ok()) return call.Finish(r.status());
        const int64_t now = env_.clock->NowSeconds();
        uint64_t accepted = 0, refused = 0, withdrawn = 0, live = 0;
        std::string cursor;
        do {
          auto page = env_.store->ListAnswersOfRequest(r->id(), cursor, 1000);
          if (!page.ok()) return call.Finish(page.status());
          for (const accord::v1::Consent& c : page->records) {
            switch (c.state()) {
              case accord::v1::CONSENT_STATE_REFUSED:
                ++refused;
                continue;
              case accord::v1::CONSENT_STATE_WITHDRAWN:
                ++withdrawn;
                break;
              case accord::v1::CONSENT_STATE_GIVEN:
                if ((c.expires_at() == 0 || c.expires_at() > now) &&
                    c.request_version() >= r->oldest_honoured_version()) {
                  ++live;
                }
                break;
              default:
                break;
            }
            ++accepted;
          }
          cursor = page->next_cursor;
        } while (!cursor.empty());
        const uint32_t k = env_.config->request_count_threshold;
        response->set_request_id(r->id());
        response->set_version(r->version());
        response->set_threshold(k);
        *response->mutable_accepted() = Thresholded(accepted, k);
        *response->mutable_refused() = Thresholded(refused, k);
        *response->mutable_withdrawn() = Thresholded(withdrawn, k);
        *response->mutable_live() = Thresholded(live, k);
        return call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

}  // namespace accord::service
