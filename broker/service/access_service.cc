#include "broker/service/access_service.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "broker/service/audit_events.h"
#include "broker/service/call.h"
#include "broker/service/clock.h"
#include "broker/service/freshness.h"
#include "broker/service/grant_flow.h"
#include "broker/service/limits.h"
#include "broker/service/rate_limiter.h"
#include "broker/service/request_ids.h"
#include "broker/service/revocations.h"
#include "broker/service/validate.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

constexpr int kMaxBatch = kMaxBatchRequests;

}  // namespace

grpc::ServerUnaryReactor* AccessServiceImpl::RequestGrant(
    grpc::CallbackServerContext* context,
    const accord::v1::RequestGrantRequest* request,
    accord::v1::RequestGrantResponse* response) {
  Call call(env_, context, "/accord.v1.AccessService/RequestGrant", *request);
  auto caller = call.Authenticate(SubjectCost(request->subjects_size()));
  if (!caller.ok()) return call.Finish(caller.status());
  // The decision may run after this handler returned (freshness.h).
  auto owned = std::make_shared<const Caller>(*std::move(caller));
  RunGrantRequest(
      env_, *owned, *request, response,
      [call, owned](absl::Status s) { call.Finish(s); }, call.deadline());
  return call.reactor();
}

grpc::ServerUnaryReactor* AccessServiceImpl::RequestGrants(
    grpc::CallbackServerContext* context,
    const accord::v1::RequestGrantsRequest* request,
    accord::v1::RequestGrantsResponse* response) {
  Call call(env_, context, "/accord.v1.AccessService/RequestGrants", *request);
  // Every request of the batch is charged, by the subjects it names.
  uint32_t cost = 0;
  uint64_t freshest = 0;
  for (const accord::v1::RequestGrantRequest& r : request->requests()) {
    cost += SubjectCost(r.subjects_size());
    freshest = std::max(freshest, r.at_least_as_fresh());
  }
  auto caller = call.Authenticate(std::max<uint32_t>(cost, 1));
  if (!caller.ok()) return call.Finish(caller.status());
  const int n = request->requests_size();
  if (n == 0 || n > kMaxBatch) {
    return call.Finish(absl::InvalidArgumentError(
        absl::StrCat("requests: 1..", kMaxBatch, " requests")));
  }
  for (int i = 0; i < n; ++i) response->add_results();
  auto owned = std::make_shared<const Caller>(*std::move(caller));
  // The batch waits once, for its freshest request; a revision too far
  // ahead refuses the whole call. Each request is then answered on its
  // own; the call finishes when the last one is durable.
  WhenFresh(*env_.store, freshest, call.deadline(),
            [this, call, owned, request, response, n](absl::Status fresh) {
              if (absl::IsInvalidArgument(fresh))
                return (void)call.Finish(fresh);
              auto remaining = std::make_shared<std::atomic<int>>(n);
              for (int i = 0; i < n; ++i) {
                accord::v1::RequestGrantsResult* result =
                    response->mutable_results(i);
                RunFreshGrantRequest(
                    env_, *owned, request->requests(i),
                    result->mutable_response(),
                    [call, owned, result, remaining](absl::Status s) {
                      result->set_status_code(static_cast<int>(s.code()));
                      result->set_status_message(std::string(s.message()));
                      if (remaining->fetch_sub(1) == 1) {
                        call.Finish(absl::OkStatus());
                      }
                    },
                    call.deadline());
              }
            });
  return call.reactor();
}

grpc::ServerUnaryReactor* AccessServiceImpl::ReleaseGrant(
    grpc::CallbackServerContext* context,
    const accord::v1::ReleaseGrantRequest* request,
    accord::v1::ReleaseGrantResponse* response) {
  constexpr char kMethod[] = "/accord.v1.AccessService/ReleaseGrant";
  Call call(env_, context, kMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  auto client = ClientRequest::Find(env_, *caller, kMethod, *request, response);
  if (!client.ok()) return call.Finish(client.status());
  if (client->replayed()) return call.Finish(absl::OkStatus());
  if (request->grant_id().empty() ||
      request->grant_id().size() > kMaxRecordIdBytes) {
    return call.Finish(absl::InvalidArgumentError("grant_id: required"));
  }
  auto grant = env_.store->GetGrant(request->grant_id());
  if (!grant.ok() || grant->partner() != caller->principal.id()) {
    // Another partner's grant is reported exactly like a missing one.
    if (!grant.ok() && !absl::IsNotFound(grant.status())) {
      return call.Finish(grant.status());
    }
    return call.Finish(absl::NotFoundError(
        absl::StrCat("grant_id: no grant '", request->grant_id(), "'")));
  }
  if (grant->released_at() != 0) {
    response->set_revision(grant->revision());
    return call.Finish(absl::OkStatus());
  }
  const int64_t now = env_.clock->NowSeconds();
  grant->set_released_at(now);
  store::WriteSet ws;
  ws.PutGrant(*grant);
  accord::v1::Revocation revocation;
  revocation.add_grant_ids(grant->id());
  revocation.set_cause("grant_released");
  ws.AddRevocation(revocation);
  ws.AddAuditEvent(ReleaseEvent(caller->principal.id(), grant->id(), now));
  ws.set_deadline(call.deadline());
  auto complete = [](accord::v1::ReleaseGrantResponse* out,
                     const store::CommitResult& r) {
    out->set_revision(r.revision);
  };
  client->Record(ws, *response, complete);
  env_.store->Commit(std::move(ws), [this, call, response, complete](
                                        absl::StatusOr<store::CommitResult> r) {
    if (!r.ok()) return (void)call.Finish(r.status());
    if (env_.revocations) env_.revocations->Notify(r->revision);
    complete(response, *r);
    call.Finish(absl::OkStatus());
  });
  return call.reactor();
}

}  // namespace accord::service
