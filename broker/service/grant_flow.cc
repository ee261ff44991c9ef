#include "broker/service/grant_flow.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/service/audit_events.h"
#include "broker/service/clock.h"
#include "broker/service/config.h"
#include "broker/service/decider.h"
#include "broker/service/domain_metrics.h"
#include "broker/service/freshness.h"
#include "broker/service/grant_issuer.h"
#include "broker/service/key_ring.h"
#include "broker/service/limits.h"
#include "broker/service/policy_registry.h"
#include "broker/service/request_ids.h"
#include "broker/service/validate.h"
#include "broker/store/store.h"
#include "policy/model.h"

namespace accord::service {
namespace {

// RequestGrant and each request of RequestGrants share it: a request
// retried either way gets one answer.
constexpr char kGrantMethod[] = "/accord.v1.AccessService/RequestGrant";

absl::Status CheckRequest(const accord::v1::RequestGrantRequest& r,
                          uint32_t max_lifetime_seconds) {
  if (absl::Status s = CheckId("dataset_id", r.dataset_id()); !s.ok()) return s;
  if (absl::Status s = CheckId("purpose", r.purpose()); !s.ok()) return s;
  if (absl::Status s = CheckIdList("fields", r.fields(), kMaxFields); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText("audience", r.audience(), kMaxShortTextBytes);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckCount("subjects", r.subjects_size(), kMaxSubjects);
      !s.ok()) {
    return s;
  }
  if (r.lifetime_seconds() > max_lifetime_seconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("lifetime_seconds: at most ", max_lifetime_seconds));
  }
  return absl::OkStatus();
}

// The quota of `rule_id` is used up: the decision becomes a DENY naming the
// rule and when its window resets, recorded like any denial. Runs on the
// store's writer thread, so the denial is committed asynchronously.
void DenyForQuota(const Env& env, const std::string& partner,
                  const std::string& dataset_id, const std::string& purpose,
                  const std::string& rule_id,
                  const std::vector<policy::QuotaCheck>& quotas, int64_t now,
                  accord::v1::RequestGrantResponse* response,
                  const ClientRequest& client,
                  absl::AnyInvocable<void(absl::Status)> done) {
  int64_t resets_at = now;
  uint32_t count = 0;
  for (const policy::QuotaCheck& q : quotas) {
    if (q.rule_id != rule_id) continue;
    const int64_t period = std::max<int64_t>(1, q.period_seconds);
    resets_at = now - now % period + period;
    count = q.count;
  }
  accord::v1::Decision* decision = response->mutable_decision();
  decision->set_outcome(accord::v1::OUTCOME_DENY);
  decision->clear_fields();
  decision->clear_subjects();
  decision->clear_duties();
  decision->clear_lifetime_seconds();
  accord::v1::Reason* reason = decision->add_reasons();
  reason->set_rule_id(rule_id);
  reason->set_code("quota_exceeded");
  reason->set_message(absl::StrCat(
      "quota of ", count, " grants per window is used up; it resets at ",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(resets_at),
                       absl::UTCTimeZone())));
  store::WriteSet ws;
  ws.AddAuditEvent(
      DecisionEvent(partner, dataset_id, purpose, *decision, "", {}, now));
  // A logged denial is an answer like a permit: a retry gets it again.
  client.Record(
      ws, *response,
      [](accord::v1::RequestGrantResponse* out, const store::CommitResult& r) {
        out->set_revision(r.revision);
      });
  DomainMetrics* metrics = env.domain_metrics;
  env.store->Commit(std::move(ws),
                    [response, metrics, done = std::move(done)](
                        absl::StatusOr<store::CommitResult> committed) mutable {
                      if (!committed.ok()) {
                        response->Clear();
                        return done(committed.status());
                      }
                      response->set_revision(committed->revision);
                      metrics->RecordDecision(false, 0);
                      done(absl::OkStatus());
                    });
}

// `event` with the processing location the decision was made for (detail
// `location`; a request without one is decided for `eu`), so auditors see
// where the partner said it would process the data.
accord::v1::AuditEvent WithLocation(accord::v1::AuditEvent event,
                                    absl::string_view location) {
  (*event.mutable_detail())["location"] =
      std::string(location.empty() ? policy::kDefaultLocation : location);
  return event;
}

// What the caller's request asks the decider.
AccessQuestion QuestionOf(const Caller& caller,
                          const accord::v1::RequestGrantRequest& request) {
  AccessQuestion question;
  question.partner = caller.principal.id();
  question.dataset_id = request.dataset_id();
  question.purpose = request.purpose();
  question.fields.assign(request.fields().begin(), request.fields().end());
  question.subjects.assign(request.subjects().begin(),
                           request.subjects().end());
  question.lifetime_seconds = request.lifetime_seconds();
  question.location = request.location();
  return question;
}

// A permit's grants, signed at `now`, with their writes into `ws`: the
// quotas they use, the grant records (moved into `ws`) and one decision
// entry per grant. Returns what the response says of each grant, without
// its log index (known once committed).
absl::StatusOr<std::vector<accord::v1::Grant>> IssueAndRecordGrants(
    const Env& env, const Caller& caller,
    const accord::v1::RequestGrantRequest& request, const AccessAnswer& answer,
    int64_t now, store::WriteSet& ws) {
  GrantOrder order;
  order.issuer = env.config->grant_issuer;
  order.partner = caller.principal.id();
  order.audience = request.audience();
  order.purpose = request.purpose();
  order.cert_thumbprint = caller.cert_thumbprint;
  order.now = now;
  order.max_subjects_per_grant = env.config->max_subjects_per_grant;
  auto issued = IssueGrants(*env.keys->Primary(), order, answer);
  if (!issued.ok()) return issued.status();
  for (const policy::QuotaCheck& q : answer.decision.quotas) {
    const int64_t period = std::max<int64_t>(1, q.period_seconds);
    ws.UseQuota({caller.principal.id(), request.dataset_id(), q.rule_id,
                 now - now % period, q.count, issued->size()});
  }
  std::vector<accord::v1::Grant> grants;
  grants.reserve(issued->size());
  for (IssuedGrant& g : *issued) {
    accord::v1::Grant& out = grants.emplace_back();
    out.set_id(g.record.id());
    out.set_token(std::move(g.token));
    out.set_expires_at(g.record.expires_at());
    *out.mutable_subjects() = g.record.subjects();
    std::vector<std::string> subjects(g.record.subjects().begin(),
                                      g.record.subjects().end());
    ws.AddAuditEvent(
        WithLocation(DecisionEvent(caller.principal.id(), request.dataset_id(),
                                   request.purpose(), answer.proto,
                                   g.record.id(), subjects, now),
                     request.location()));
    ws.PutGrant(std::move(g.record));
  }
  return grants;
}

// The committed grants into the response, each with its log index. Runs
// for the caller's answer and for the recorded one (request_ids.h), so it
// copies `grants`.
void AddCommittedGrants(const std::vector<accord::v1::Grant>& grants,
                        const store::CommitResult& committed,
                        accord::v1::RequestGrantResponse* response) {
  for (size_t i = 0; i < grants.size(); ++i) {
    accord::v1::Grant* out = response->add_grants();
    *out = grants[i];
    if (i < committed.log_indices.size()) {
      out->set_log_index(committed.log_indices[i]);
    }
  }
}

// The decision, its signing and its record, once the store is fresh
// enough and the request checked.
void DecideAndRecord(const Env& env, const Caller& caller,
                     const accord::v1::RequestGrantRequest& request,
                     accord::v1::RequestGrantResponse* response,
                     const ClientRequest& client,
                     absl::AnyInvocable<void(absl::Status)> done,
                     absl::Time deadline) {
  const AccessQuestion question = QuestionOf(caller, request);
  absl::StatusOr<AccessAnswer> answer = DecideAccess(env, question);
  if (!answer.ok()) {
    // A policy that no longer applies is the producer's to fix: its
    // problems are not the partner's to read.
    return done(PolicyErrorFor(answer.status(), caller.principal));
  }

  const int64_t now = env.clock->NowSeconds();
  store::WriteSet ws;
  std::vector<accord::v1::Grant> grants;
  const bool permit = answer->decision.outcome == policy::Outcome::kPermit;
  if (permit) {
    auto issued = IssueAndRecordGrants(env, caller, request, *answer, now, ws);
    if (!issued.ok()) return done(issued.status());
    grants = *std::move(issued);
  } else {
    ws.AddAuditEvent(WithLocation(
        DecisionEvent(caller.principal.id(), request.dataset_id(),
                      request.purpose(), answer->proto, "", {}, now),
        request.location()));
  }
  *response->mutable_decision() = std::move(answer->proto);
  // The consents relied on stay in the grant records and the audit log: a
  // partner is told which subjects it may use, never which consent of
  // theirs allowed it.
  response->mutable_decision()->clear_consent_ids();
  auto pending =
      std::make_shared<std::vector<accord::v1::Grant>>(std::move(grants));
  const size_t granted = pending->size();
  auto quotas = std::make_shared<std::vector<policy::QuotaCheck>>(
      answer->decision.quotas);
  const Env* e = &env;
  const std::string partner = caller.principal.id();
  ws.set_deadline(deadline);
  // The grants go into the response once committed, with their log indices.
  auto complete = [pending](accord::v1::RequestGrantResponse* out,
                            const store::CommitResult& committed) {
    out->set_revision(committed.revision);
    AddCommittedGrants(*pending, committed, out);
  };
  client.Record(ws, *response, complete);
  env.store->Commit(
      std::move(ws),
      [e, response, granted, quotas, permit, now, partner, client, complete,
       dataset = request.dataset_id(), purpose = request.purpose(),
       done = std::move(done)](
          absl::StatusOr<store::CommitResult> committed) mutable {
        if (!committed.ok()) {
          // Fail closed: the grants were never durable, so none is returned.
          auto rule = committed.status().GetPayload(store::kQuotaPayload);
          if (!rule.has_value()) {
            response->Clear();
            return done(committed.status());
          }
          return DenyForQuota(*e, partner, dataset, purpose, std::string(*rule),
                              *quotas, now, response, client, std::move(done));
        }
        complete(response, *committed);
        e->domain_metrics->RecordDecision(permit, granted);
        done(absl::OkStatus());
      });
}

}  // namespace

void RunGrantRequest(const Env& env, const Caller& caller,
                     const accord::v1::RequestGrantRequest& request,
                     accord::v1::RequestGrantResponse* response,
                     absl::AnyInvocable<void(absl::Status)> done,
                     absl::Time deadline) {
  if (absl::Status s =
          CheckRequest(request, env.config->max_grant_lifetime_seconds);
      !s.ok()) {
    return done(s);
  }
  auto client =
      ClientRequest::Find(env, caller, kGrantMethod, request, response);
  if (!client.ok()) return done(client.status());
  if (client->replayed()) return done(absl::OkStatus());
  // `caller` and `request` belong to the call, which outlives `done`.
  WhenFresh(*env.store, request.at_least_as_fresh(), deadline,
            [&env, &caller, &request, response, deadline, client = *client,
             done = std::move(done)](absl::Status fresh) mutable {
              if (!fresh.ok()) return done(fresh);
              DecideAndRecord(env, caller, request, response, client,
                              std::move(done), deadline);
            });
}

void RunFreshGrantRequest(const Env& env, const Caller& caller,
                          const accord::v1::RequestGrantRequest& request,
                          accord::v1::RequestGrantResponse* response,
                          absl::AnyInvocable<void(absl::Status)> done,
                          absl::Time deadline) {
  if (absl::Status s =
          CheckRequest(request, env.config->max_grant_lifetime_seconds);
      !s.ok()) {
    return done(s);
  }
  if (request.at_least_as_fresh() > env.store->revision()) {
    return done(absl::UnavailableError(absl::StrCat(
        "at_least_as_fresh: revision ", request.at_least_as_fresh(),
        " is not reached (now ", env.store->revision(), ")")));
  }
  auto client =
      ClientRequest::Find(env, caller, kGrantMethod, request, response);
  if (!client.ok()) return done(client.status());
  if (client->replayed()) return done(absl::OkStatus());
  DecideAndRecord(env, caller, request, response, *client, std::move(done),
                  deadline);
}

}  // namespace accord::service
