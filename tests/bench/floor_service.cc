#include "tests/bench/floor_service.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/random.h"
#include "broker/formats/json.h"
#include "broker/rpc/status.h"
#include "broker/service/audit_events.h"
#include "broker/store/records.pb.h"

namespace accord::bench {
namespace {

// The shape of a grant on the PERSONAL demo dataset (broker/service/
// grant_issuer.cc, policy/examples/household-consumption.policy.yaml):
// the same claims, fields, duties and lifetime, so that the payload, the
// record and the audit entry have a grant's sizes.
constexpr char kIssuer[] = "accord";  // the broker's default grant_issuer
constexpr char kPartner[] = "partner-demo";
constexpr char kRuleId[] = "energy-studies";
constexpr int64_t kLifetimeSeconds = 3600;
const std::vector<std::string>& Fields() {
  static const auto* fields =
      new std::vector<std::string>{"day", "kwh", "district", "subject"};
  return *fields;
}
// A policy hash (64 hex digits) and a certificate thumbprint (43 base64url
// characters) of the real lengths.
const std::string& PolicyHash() {
  static const auto* hash = new std::string(64, 'f');
  return *hash;
}
const std::string& Thumbprint() {
  static const auto* thumbprint = new std::string(43, 'T');
  return *thumbprint;
}

// `rev` stands for the store revision a grant names (one more a write, as
// the floor's record numbers).
std::string Claims(const accord::v1::RequestGrantRequest& request,
                   const std::string& jti, int64_t now, uint64_t rev) {
  std::string claims = "{\"iss\":";
  formats::AppendJsonString(kIssuer, &claims);
  claims.append(",\"sub\":");
  formats::AppendJsonString(kPartner, &claims);
  claims.append(",\"aud\":");
  formats::AppendJsonString(request.audience(), &claims);
  claims.append(",\"jti\":");
  formats::AppendJsonString(jti, &claims);
  absl::StrAppend(&claims, ",\"iat\":", now, ",\"nbf\":", now,
                  ",\"exp\":", now + kLifetimeSeconds, ",\"dataset\":");
  formats::AppendJsonString(request.dataset_id(), &claims);
  claims.append(",\"purpose\":");
  formats::AppendJsonString(request.purpose(), &claims);
  claims.append(",\"fields\":[");
  for (size_t i = 0; i < Fields().size(); ++i) {
    if (i > 0) claims.push_back(',');
    formats::AppendJsonString(Fields()[i], &claims);
  }
  claims.append("],\"subjects\":[");
  for (int i = 0; i < request.subjects_size(); ++i) {
    if (i > 0) claims.push_back(',');
    formats::AppendJsonString(request.subjects(i), &claims);
  }
  absl::StrAppend(&claims, "],\"policy\":{\"version\":2,\"hash\":\"",
                  PolicyHash(),
                  "\"},\"duties\":{\"delete_after\":2592000,"
                  "\"aggregate_min_k\":10,\"no_onward_transfer\":true},"
                  "\"rev\":",
                  rev, ",\"cnf\":{\"x5t#S256\":\"", Thumbprint(), "\"}}");
  return claims;
}

// A grant record as the broker stores it (consent ids of the length of
// the broker's random ids, one per subject).
store::GrantRecord Record(const accord::v1::RequestGrantRequest& request,
                          const std::string& jti, int64_t now,
                          const std::string& kid) {
  store::GrantRecord r;
  r.set_id(jti);
  r.set_partner(kPartner);
  r.set_dataset_id(request.dataset_id());
  r.set_purpose(request.purpose());
  for (const std::string& f : Fields()) r.add_fields(f);
  for (const std::string& s : request.subjects()) {
    r.add_subjects(s);
    r.add_consent_ids(crypto::RandomId());
  }
  r.set_audience(request.audience());
  r.set_issued_at(now);
  r.set_expires_at(now + kLifetimeSeconds);
  r.mutable_policy()->set_version(2);
  r.mutable_policy()->set_hash(PolicyHash());
  r.set_kid(kid);
  return r;
}

// The audit entry of a permitted grant (service::DecisionEvent, with a
// decision of one rule's reason).
accord::v1::AuditEvent Event(const accord::v1::RequestGrantRequest& request,
                             const std::string& jti, int64_t now) {
  accord::v1::Decision decision;
  decision.set_outcome(accord::v1::OUTCOME_PERMIT);
  accord::v1::Reason* reason = decision.add_reasons();
  reason->set_rule_id(kRuleId);
  reason->set_code("permit");
  reason->set_message("rule energy-studies permits the request");
  decision.mutable_policy()->set_version(2);
  decision.mutable_policy()->set_hash(PolicyHash());
  for (const std::string& f : Fields()) decision.add_fields(f);
  std::vector<std::string> subjects(request.subjects().begin(),
                                    request.subjects().end());
  return service::DecisionEvent(kPartner, request.dataset_id(),
                                request.purpose(), decision, jti, subjects,
                                now);
}

}  // namespace

FloorAccessService::FloorAccessService(crypto::SigningKey key,
                                       store::Store* store)
    : key_(std::move(key)), store_(store) {}

grpc::ServerUnaryReactor* FloorAccessService::RequestGrant(
    grpc::CallbackServerContext* context,
    const accord::v1::RequestGrantRequest* request,
    accord::v1::RequestGrantResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  std::string jti = crypto::RandomId();
  const uint64_t record = next_record_.fetch_add(1);
  absl::StatusOr<std::string> token =
      crypto::SignJws(key_, "grant+jwt", Claims(*request, jti, now, record));
  if (!token.ok()) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INTERNAL,
                                 std::string(token.status().message())));
    return reactor;
  }
  store::WriteSet ws;
  ws.PutCheckpoint(record,
                   Record(*request, jti, now, key_.kid()).SerializeAsString());
  ws.AddAuditEvent(Event(*request, jti, now));
  ws.set_deadline(absl::FromChrono(context->deadline()));
  store_->Commit(
      std::move(ws),
      [reactor, request, response, jti = std::move(jti), now,
       token = *std::move(token)](
          absl::StatusOr<store::CommitResult> committed) mutable {
        if (!committed.ok()) {
          reactor->Finish(rpc::ToGrpc(committed.status()));
          return;
        }
        response->set_revision(committed->revision);
        response->mutable_decision()->set_outcome(accord::v1::OUTCOME_PERMIT);
        accord::v1::Grant* grant = response->add_grants();
        grant->set_id(std::move(jti));
        grant->set_token(std::move(token));
        grant->set_expires_at(now + kLifetimeSeconds);
        *grant->mutable_subjects() = request->subjects();
        if (!committed->log_indices.empty()) {
          grant->set_log_index(committed->log_indices.front());
        }
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

}  // namespace accord::bench
