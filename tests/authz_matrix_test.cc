// The authorization model, cell by cell: every RPC of every accord.v1
// service, called over mutual TLS against the real broker as every kind of
// caller, answers exactly the status code of the table below. README.md
// ("Authorization model") holds the same table.
#include <grpcpp/client_context.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "accord/v1/access.grpc.pb.h"
#include "accord/v1/admin.grpc.pb.h"
#include "accord/v1/audit.grpc.pb.h"
#include "accord/v1/consent.grpc.pb.h"
#include "accord/v1/policy.grpc.pb.h"
#include "accord/v1/requests.grpc.pb.h"
#include "accord/v1/trust.grpc.pb.h"
#include "broker/crypto/sha256.h"
#include "broker/crypto/signing_key.h"
#include "broker/dev/dev_layout.h"
#include "clients/dev_token.h"
#include "tests/broker_harness.h"
#include "tests/tls_callers.h"

namespace accord::testing {
namespace {

namespace v1 = accord::v1;
using Code = grpc::StatusCode;

// The kinds of caller, the columns of the table.
enum Col {
  kNoCert,        // no client certificate
  kOtherCa,       // partner-demo's URI, certificate from another CA
  kExpiredCert,   // partner-demo's URI, broker's CA, expired
  kUnregistered,  // broker's CA, no principal has this certificate
  kPartner,       // partner-demo (category academic)
  kPartner2,      // partner-other (category company), added by the operator
  kProducer,      // producer-demo, which owns the dataset the calls name
  kProducer2,     // producer-other, which owns nothing
  kAuditor,       // auditor-demo
  kOperator,      // operator
  kApp,           // citizen-app, no citizen token
  kAppAlice,      // citizen-app + Alice's token (Alice owns the consent)
  kAppBob,        // citizen-app + Bob's token, acting on Alice's consent
  kAppExpired,    // citizen-app + Alice's token, expired
  kCols
};

constexpr const char* kColNames[kCols] = {
    "no-cert", "other-CA",         "expired-cert", "unregistered",
    "partner", "partner-other",    "producer",     "producer-other",
    "auditor", "operator",         "app",          "app+alice",
    "app+bob", "app+expired-token"};

// Every caller except the app columns also sends Alice's valid citizen
// token: a token never stands in for a certificate or a role.
constexpr Code ok = Code::OK;
constexpr Code unauth = Code::UNAUTHENTICATED;
constexpr Code denied = Code::PERMISSION_DENIED;
constexpr Code notfound = Code::NOT_FOUND;
// Allowed, and shown nothing: the released grant is out of the caller's
// scope, so its stream stays silent until its deadline.
constexpr Code none = Code::DEADLINE_EXCEEDED;
// The TLS handshake is refused: the broker's CA did not sign the
// certificate, or it expired. gRPC reports UNAVAILABLE.
constexpr Code tls = Code::UNAVAILABLE;

struct Row {
  const char* method;  // "Service/Method"
  Code expect[kCols];
};

// clang-format off
const Row kTable[] = {
//  method                              no-cert other-CA expired unreg   partner partner2 producer producer2 auditor operator app   app+alice app+bob app+expired
  {"PolicyService/PutDataset",          {unauth, tls,  tls,  unauth, denied, denied, ok,     denied, denied, ok,     denied, denied, denied,   denied}},
  {"PolicyService/GetDataset",          {unauth, tls,  tls,  unauth, ok,     ok,     ok,     ok,     ok,     ok,     denied, denied, denied,   denied}},
  {"PolicyService/ListDatasets",        {unauth, tls,  tls,  unauth, ok,     ok,     ok,     ok,     ok,     ok,     denied, denied, denied,   denied}},
  {"PolicyService/PutPolicy",           {unauth, tls,  tls,  unauth, denied, denied, ok,     denied, denied, ok,     denied, denied, denied,   denied}},
  {"PolicyService/GetPolicy",           {unauth, tls,  tls,  unauth, ok,     ok,     ok,     ok,     ok,     ok,     denied, denied, denied,   denied}},
  {"PolicyService/ListPolicyVersions",  {unauth, tls,  tls,  unauth, denied, denied, ok,     ok,     ok,     ok,     denied, denied, denied,   denied}},
  {"PolicyService/ExplainAccess",       {unauth, tls,  tls,  unauth, ok,     denied, ok,     denied, denied, ok,     denied, denied, denied,   denied}},
  {"ConsentService/GiveConsent",        {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, denied, unauth, ok,     ok,       unauth}},
  {"ConsentService/WithdrawConsent",    {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, denied, unauth, ok,     notfound, unauth}},
  {"ConsentService/ListConsents",       {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, denied, unauth, ok,     ok,       unauth}},
  {"ConsentService/GetConsent",         {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, denied, unauth, ok,     notfound, unauth}},
  {"ConsentService/GetAccessHistory",   {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, denied, unauth, ok,     ok,       unauth}},
  {"ConsentService/ListOpenRequests",   {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, denied, unauth, ok,     ok,       unauth}},
  {"ConsentService/GetOpenRequest",     {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, denied, unauth, ok,     ok,       unauth}},
  {"ConsentService/RefuseConsentRequest", {unauth, tls, tls, unauth, denied, denied, denied, denied, denied, denied, unauth, ok,     ok,       unauth}},
  {"ConsentService/ExportConsentRecords", {unauth, tls, tls, unauth, denied, denied, denied, denied, denied, denied, unauth, ok,     ok,       unauth}},
  {"ConsentRequestService/PutConsentRequest",    {unauth, tls, tls, unauth, ok, ok,     denied, denied,   denied, denied, denied, denied, denied, denied}},
  {"ConsentRequestService/SubmitConsentRequest", {unauth, tls, tls, unauth, ok, notfound, denied, denied, denied, denied, denied, denied, denied, denied}},
  {"ConsentRequestService/ReviewConsentRequest", {unauth, tls, tls, unauth, denied, denied, ok, notfound, denied, ok,   denied, denied, denied, denied}},
  {"ConsentRequestService/CloseConsentRequest",  {unauth, tls, tls, unauth, ok, notfound, ok,     notfound, denied, ok,   denied, denied, denied, denied}},
  {"ConsentRequestService/GetConsentRequest",    {unauth, tls, tls, unauth, ok, notfound, ok,     notfound, denied, ok,   denied, denied, denied, denied}},
  {"ConsentRequestService/ListConsentRequests",  {unauth, tls, tls, unauth, ok, ok,       ok,     ok,       denied, ok,   denied, denied, denied, denied}},
  {"ConsentRequestService/GetConsentRequestStats", {unauth, tls, tls, unauth, ok, notfound, ok,   notfound, denied, ok,   denied, denied, denied, denied}},
  {"AccessService/RequestGrant",        {unauth, tls,  tls,  unauth, ok,     ok,     denied, denied, denied, denied, denied, denied, denied,   denied}},
  {"AccessService/RequestGrants",       {unauth, tls,  tls,  unauth, ok,     ok,     denied, denied, denied, denied, denied, denied, denied,   denied}},
  {"AccessService/ReleaseGrant",        {unauth, tls,  tls,  unauth, ok,     notfound, denied, denied, denied, denied, denied, denied, denied, denied}},
  {"AuditService/GetCheckpoint",        {unauth, tls,  tls,  unauth, denied, denied, denied, denied, ok,     ok,     denied, denied, denied,   denied}},
  {"AuditService/GetEntries",           {unauth, tls,  tls,  unauth, denied, denied, denied, denied, ok,     ok,     denied, denied, denied,   denied}},
  {"AuditService/GetInclusionProof",    {unauth, tls,  tls,  unauth, denied, denied, denied, denied, ok,     ok,     denied, denied, denied,   denied}},
  {"AuditService/GetConsistencyProof",  {unauth, tls,  tls,  unauth, denied, denied, denied, denied, ok,     ok,     denied, denied, denied,   denied}},
  {"AuditService/QueryEvents",          {unauth, tls,  tls,  unauth, denied, denied, denied, denied, ok,     ok,     denied, denied, denied,   denied}},
  {"TrustService/GetVerificationKeys",  {unauth, tls,  tls,  unauth, ok,     ok,     ok,     ok,     ok,     ok,     ok,     ok,     ok,       ok}},
  {"TrustService/WatchRevocations",     {unauth, tls,  tls,  unauth, ok,     none,   ok,     none,   ok,     ok,     denied, denied, denied,   denied}},
  {"AdminService/AddPrincipal",         {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, ok,     denied, denied, denied,   denied}},
  {"AdminService/ListPrincipals",       {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, ok,     denied, denied, denied,   denied}},
  {"AdminService/RemovePrincipal",      {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, ok,     denied, denied, denied,   denied}},
  {"AdminService/ListKeys",             {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, ok,     denied, denied, denied,   denied}},
  {"AdminService/RotateKey",            {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, ok,     denied, denied, denied,   denied}},
  {"AdminService/Backup",               {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, ok,     denied, denied, denied,   denied}},
  {"AdminService/ExportSubjectKey",     {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, ok,     denied, denied, denied,   denied}},
  // Last: erasing Alice and Bob would change what the rows above see.
  {"AdminService/EraseSubject",         {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, notfound, denied, denied, denied, denied}},
  {"ConsentService/EraseMe",            {unauth, tls,  tls,  unauth, denied, denied, denied, denied, denied, denied, unauth, ok,     ok,       unauth}},
};
// clang-format on

constexpr char kCatalog[] = "matrix.catalog";
constexpr char kHousehold[] = "rennes.energy.household-consumption";
constexpr char kBikes[] = "rennes.mobility.bike-stations";
constexpr char kMobility[] = "public-benefit.improve-transport-mobility";

const char kCatalogPolicy[] = R"(dataset: matrix.catalog
rules:
  - id: open
    effect: permit
    assignees:
      categories: [academic, public-service, association, company]
    purposes: any
)";

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// Stubs of every service over one channel.
struct Stubs {
  explicit Stubs(const std::shared_ptr<grpc::Channel>& ch)
      : policy(v1::PolicyService::NewStub(ch)),
        consent(v1::ConsentService::NewStub(ch)),
        access(v1::AccessService::NewStub(ch)),
        audit(v1::AuditService::NewStub(ch)),
        trust(v1::TrustService::NewStub(ch)),
        admin(v1::AdminService::NewStub(ch)),
        requests(v1::ConsentRequestService::NewStub(ch)) {}
  std::unique_ptr<v1::PolicyService::Stub> policy;
  std::unique_ptr<v1::ConsentService::Stub> consent;
  std::unique_ptr<v1::AccessService::Stub> access;
  std::unique_ptr<v1::AuditService::Stub> audit;
  std::unique_ptr<v1::TrustService::Stub> trust;
  std::unique_ptr<v1::AdminService::Stub> admin;
  std::unique_ptr<v1::ConsentRequestService::Stub> requests;
};

// One caller: its channel and the citizen token it sends (may be empty).
struct Caller {
  std::unique_ptr<Stubs> stubs;
  std::string token;
  // A context with a generous deadline (a hung call fails the cell rather
  // than the run) and the token.
  void Prepare(grpc::ClientContext& ctx) const {
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(60));
    if (!token.empty()) {
      ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    }
  }
};

// What the calls of the table need to exist, made before the table runs.
struct World {
  std::string consent_id;  // Alice's consent
  std::string alice;       // Alice's pseudonym
  // partner-demo's open request citizens answer, as they were shown it.
  v1::RequestAnswer open_request;
  // partner-demo's draft, for the Submit row.
  std::string draft_id;
  // Per column: a request of partner-demo awaiting review (producer,
  // operator) or open (partner, producer, operator) for the Close row.
  std::map<int, std::string> pending_ids;
  std::map<int, std::string> closable_ids;
  std::string grant_id;  // partner-demo's grant, released
  std::string backup_root;
};

using Invoke = std::function<grpc::Status(const Caller&, Col, const World&)>;

template <typename Req, typename Resp, typename Stub>
grpc::Status Unary(const Caller& c, Stub* stub,
                   grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                const Req&, Resp*),
                   const Req& req) {
  grpc::ClientContext ctx;
  c.Prepare(ctx);
  Resp resp;
  return (stub->*method)(&ctx, req, &resp);
}

v1::Dataset CatalogDataset() {
  v1::Dataset d;
  d.set_id(kCatalog);
  d.set_title("Authorization matrix catalog entry");
  d.set_classification(v1::CLASSIFICATION_OPEN);
  d.add_fields("a");
  d.add_fields("b");
  return d;
}

v1::RequestGrantRequest BikeGrant() {
  v1::RequestGrantRequest r;
  r.set_dataset_id(kBikes);
  r.set_purpose(kMobility);
  r.set_audience("data.rennes.example");
  return r;
}

v1::GiveConsentRequest HouseholdConsent() {
  v1::GiveConsentRequest r;
  r.set_dataset_id(kHousehold);
  r.set_purpose("research-and-development");
  r.mutable_recipient()->set_partner("partner-demo");
  return r;
}

// A request partner-demo may draft on the household dataset, which its
// policy permits.
v1::ConsentRequestSpec MatrixRequestSpec() {
  v1::ConsentRequestSpec spec;
  spec.set_dataset_id(kHousehold);
  spec.set_purpose("public-benefit.energy");
  spec.add_fields("day");
  spec.add_fields("kwh");
  spec.set_consent_duration_seconds(86400 * 30);
  for (const auto& [kind, value] :
       std::vector<std::pair<std::string, std::string>>{
           {"delete_after", "2592000"},
           {"aggregate_min_k", "10"},
           {"no_onward_transfer", ""}}) {
    v1::Duty* d = spec.add_duties();
    d->set_kind(kind);
    d->set_value(value);
  }
  spec.mutable_title()->set_fr("Matrice");
  spec.mutable_description()->set_fr("Une demande de la matrice.");
  spec.mutable_public_benefit()->set_fr("Aucun : un test.");
  v1::Responsible* r = spec.mutable_responsible();
  r->set_organisation("Matrice");
  r->set_name("Responsable");
  r->set_role("dpo");
  r->set_email("dpo@matrix.example");
  spec.set_opens_at(std::time(nullptr));
  spec.set_closes_at(std::time(nullptr) + 86400);
  return spec;
}

v1::Principal MatrixPrincipal(const std::string& id, v1::Role role,
                              const std::string& category = "") {
  v1::Principal p;
  p.set_id(id);
  p.set_role(role);
  p.set_category(category);
  if (role == v1::ROLE_AUDITOR || role == v1::ROLE_OPERATOR) {
    // Pinned by certificate fingerprint, never by URI: one per id.
    p.set_certificate_sha256(crypto::ToHex(crypto::Sha256(id)));
  } else {
    p.set_certificate_uri(absl::StrCat("urn:accord:principal:", id));
  }
  return p;
}

// The call each row makes: a minimal valid request naming objects that
// exist, so an allowed caller gets OK.
std::map<std::string, Invoke> Calls() {
  std::map<std::string, Invoke> m;
  using P = v1::PolicyService::Stub;
  using C = v1::ConsentService::Stub;
  using A = v1::AccessService::Stub;
  using U = v1::AuditService::Stub;
  using T = v1::TrustService::Stub;
  using D = v1::AdminService::Stub;
  using R = v1::ConsentRequestService::Stub;
  m["PolicyService/PutDataset"] = [](const Caller& c, Col, const World&) {
    v1::PutDatasetRequest r;
    *r.mutable_dataset() = CatalogDataset();
    return Unary(c, c.stubs->policy.get(), &P::PutDataset, r);
  };
  m["PolicyService/GetDataset"] = [](const Caller& c, Col, const World&) {
    v1::GetDatasetRequest r;
    r.set_id(kCatalog);
    return Unary(c, c.stubs->policy.get(), &P::GetDataset, r);
  };
  m["PolicyService/ListDatasets"] = [](const Caller& c, Col, const World&) {
    return Unary(c, c.stubs->policy.get(), &P::ListDatasets,
                 v1::ListDatasetsRequest());
  };
  m["PolicyService/PutPolicy"] = [](const Caller& c, Col, const World&) {
    v1::PutPolicyRequest r;
    r.set_dataset_id(kCatalog);
    r.set_format(v1::POLICY_FORMAT_YAML);
    r.set_source(kCatalogPolicy);
    return Unary(c, c.stubs->policy.get(), &P::PutPolicy, r);
  };
  m["PolicyService/GetPolicy"] = [](const Caller& c, Col, const World&) {
    v1::GetPolicyRequest r;
    r.set_dataset_id(kCatalog);
    return Unary(c, c.stubs->policy.get(), &P::GetPolicy, r);
  };
  m["PolicyService/ListPolicyVersions"] = [](const Caller& c, Col,
                                             const World&) {
    v1::ListPolicyVersionsRequest r;
    r.set_dataset_id(kCatalog);
    return Unary(c, c.stubs->policy.get(), &P::ListPolicyVersions, r);
  };
  m["PolicyService/ExplainAccess"] = [](const Caller& c, Col col,
                                        const World& w) {
    // About partner-demo and Alice on producer-demo's household dataset:
    // partner-other may not ask about another partner, producer-other not
    // about another producer's dataset. A refusal names no subject, and only
    // the operator is told which subjects would be granted.
    v1::ExplainAccessRequest r;
    r.set_partner("partner-demo");
    r.set_dataset_id(kHousehold);
    r.set_purpose("research-and-development");
    r.add_subjects(w.alice);
    grpc::ClientContext ctx;
    c.Prepare(ctx);
    v1::ExplainAccessResponse resp;
    grpc::Status s = c.stubs->policy->ExplainAccess(&ctx, r, &resp);
    if (absl::StrContains(s.error_message(), w.alice) ||
        (col != kOperator &&
         absl::StrContains(resp.SerializeAsString(), w.alice))) {
      return grpc::Status(grpc::StatusCode::INTERNAL,
                          "the answer names the subject");
    }
    return s;
  };
  m["ConsentService/GiveConsent"] = [](const Caller& c, Col, const World&) {
    return Unary(c, c.stubs->consent.get(), &C::GiveConsent,
                 HouseholdConsent());
  };
  m["ConsentService/WithdrawConsent"] = [](const Caller& c, Col,
                                           const World& w) {
    v1::WithdrawConsentRequest r;
    r.set_consent_id(w.consent_id);
    return Unary(c, c.stubs->consent.get(), &C::WithdrawConsent, r);
  };
  m["ConsentService/ListConsents"] = [](const Caller& c, Col, const World&) {
    return Unary(c, c.stubs->consent.get(), &C::ListConsents,
                 v1::ListConsentsRequest());
  };
  m["ConsentService/GetConsent"] = [](const Caller& c, Col, const World& w) {
    v1::GetConsentRequest r;
    r.set_consent_id(w.consent_id);
    return Unary(c, c.stubs->consent.get(), &C::GetConsent, r);
  };
  m["ConsentService/GetAccessHistory"] = [](const Caller& c, Col,
                                            const World&) {
    return Unary(c, c.stubs->consent.get(), &C::GetAccessHistory,
                 v1::GetAccessHistoryRequest());
  };
  m["ConsentService/ListOpenRequests"] = [](const Caller& c, Col,
                                            const World&) {
    return Unary(c, c.stubs->consent.get(), &C::ListOpenRequests,
                 v1::ListOpenRequestsRequest());
  };
  m["ConsentService/GetOpenRequest"] = [](const Caller& c, Col,
                                          const World& w) {
    v1::GetOpenRequestRequest r;
    r.set_request_id(w.open_request.request_id());
    return Unary(c, c.stubs->consent.get(), &C::GetOpenRequest, r);
  };
  m["ConsentService/RefuseConsentRequest"] = [](const Caller& c, Col,
                                                const World& w) {
    v1::RefuseConsentRequestRequest r;
    *r.mutable_request() = w.open_request;
    return Unary(c, c.stubs->consent.get(), &C::RefuseConsentRequest, r);
  };
  m["ConsentService/ExportConsentRecords"] = [](const Caller& c, Col,
                                                const World&) {
    return Unary(c, c.stubs->consent.get(), &C::ExportConsentRecords,
                 v1::ExportConsentRecordsRequest());
  };
  m["ConsentRequestService/PutConsentRequest"] = [](const Caller& c, Col,
                                                    const World&) {
    v1::PutConsentRequestRequest r;
    *r.mutable_spec() = MatrixRequestSpec();
    return Unary(c, c.stubs->requests.get(), &R::PutConsentRequest, r);
  };
  m["ConsentRequestService/SubmitConsentRequest"] = [](const Caller& c, Col,
                                                       const World& w) {
    v1::SubmitConsentRequestRequest r;
    r.set_request_id(w.draft_id);
    return Unary(c, c.stubs->requests.get(), &R::SubmitConsentRequest, r);
  };
  m["ConsentRequestService/ReviewConsentRequest"] = [](const Caller& c, Col col,
                                                       const World& w) {
    // Each column reviews a request of its own; the others that of the
    // producer's column.
    v1::ReviewConsentRequestRequest r;
    auto it = w.pending_ids.find(col);
    r.set_request_id(it != w.pending_ids.end() ? it->second
                                               : w.pending_ids.at(kProducer));
    r.set_approve(true);
    return Unary(c, c.stubs->requests.get(), &R::ReviewConsentRequest, r);
  };
  m["ConsentRequestService/CloseConsentRequest"] = [](const Caller& c, Col col,
                                                      const World& w) {
    v1::CloseConsentRequestRequest r;
    auto it = w.closable_ids.find(col);
    r.set_request_id(it != w.closable_ids.end() ? it->second
                                                : w.closable_ids.at(kPartner));
    return Unary(c, c.stubs->requests.get(), &R::CloseConsentRequest, r);
  };
  m["ConsentRequestService/GetConsentRequest"] = [](const Caller& c, Col,
                                                    const World& w) {
    v1::GetConsentRequestRequest r;
    r.set_request_id(w.open_request.request_id());
    return Unary(c, c.stubs->requests.get(), &R::GetConsentRequest, r);
  };
  m["ConsentRequestService/ListConsentRequests"] = [](const Caller& c, Col,
                                                      const World&) {
    return Unary(c, c.stubs->requests.get(), &R::ListConsentRequests,
                 v1::ListConsentRequestsRequest());
  };
  m["ConsentRequestService/GetConsentRequestStats"] = [](const Caller& c, Col,
                                                         const World& w) {
    v1::GetConsentRequestStatsRequest r;
    r.set_request_id(w.open_request.request_id());
    return Unary(c, c.stubs->requests.get(), &R::GetConsentRequestStats, r);
  };
  m["AccessService/RequestGrant"] = [](const Caller& c, Col, const World&) {
    return Unary(c, c.stubs->access.get(), &A::RequestGrant, BikeGrant());
  };
  m["AccessService/RequestGrants"] = [](const Caller& c, Col, const World&) {
    v1::RequestGrantsRequest r;
    *r.add_requests() = BikeGrant();
    return Unary(c, c.stubs->access.get(), &A::RequestGrants, r);
  };
  m["AccessService/ReleaseGrant"] = [](const Caller& c, Col, const World& w) {
    v1::ReleaseGrantRequest r;
    r.set_grant_id(w.grant_id);
    return Unary(c, c.stubs->access.get(), &A::ReleaseGrant, r);
  };
  m["AuditService/GetCheckpoint"] = [](const Caller& c, Col, const World&) {
    return Unary(c, c.stubs->audit.get(), &U::GetCheckpoint,
                 v1::GetCheckpointRequest());
  };
  m["AuditService/GetEntries"] = [](const Caller& c, Col, const World&) {
    v1::GetEntriesRequest r;
    r.set_count(1);
    return Unary(c, c.stubs->audit.get(), &U::GetEntries, r);
  };
  m["AuditService/GetInclusionProof"] = [](const Caller& c, Col, const World&) {
    v1::GetInclusionProofRequest r;
    r.set_index(0);
    return Unary(c, c.stubs->audit.get(), &U::GetInclusionProof, r);
  };
  m["AuditService/GetConsistencyProof"] = [](const Caller& c, Col,
                                             const World&) {
    v1::GetConsistencyProofRequest r;
    r.set_from_size(1);
    r.set_to_size(2);
    return Unary(c, c.stubs->audit.get(), &U::GetConsistencyProof, r);
  };
  m["AuditService/QueryEvents"] = [](const Caller& c, Col, const World&) {
    return Unary(c, c.stubs->audit.get(), &U::QueryEvents,
                 v1::QueryEventsRequest());
  };
  m["TrustService/GetVerificationKeys"] = [](const Caller& c, Col,
                                             const World&) {
    return Unary(c, c.stubs->trust.get(), &T::GetVerificationKeys,
                 v1::GetVerificationKeysRequest());
  };
  m["TrustService/WatchRevocations"] = [](const Caller& c, Col, const World&) {
    // The released grant is a stored revocation: an allowed caller whose
    // scope holds it (partner-demo, whose grant it was; producer-demo, whose
    // dataset it names; auditor, operator) reads it at once; another
    // allowed caller reads nothing until its deadline; a refused one gets
    // the status.
    grpc::ClientContext ctx;
    c.Prepare(ctx);
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(3));
    auto reader =
        c.stubs->trust->WatchRevocations(&ctx, v1::WatchRevocationsRequest());
    v1::WatchRevocationsResponse first;
    if (reader->Read(&first)) {
      ctx.TryCancel();
      reader->Finish();
      return first.revocation().grant_ids().empty()
                 ? grpc::Status(Code::INTERNAL, "an empty revocation")
                 : grpc::Status::OK;
    }
    return reader->Finish();
  };
  m["AdminService/AddPrincipal"] = [](const Caller& c, Col, const World&) {
    v1::AddPrincipalRequest r;
    *r.mutable_principal() = MatrixPrincipal("matrix-added", v1::ROLE_AUDITOR);
    return Unary(c, c.stubs->admin.get(), &D::AddPrincipal, r);
  };
  m["AdminService/ListPrincipals"] = [](const Caller& c, Col, const World&) {
    return Unary(c, c.stubs->admin.get(), &D::ListPrincipals,
                 v1::ListPrincipalsRequest());
  };
  m["AdminService/RemovePrincipal"] = [](const Caller& c, Col, const World&) {
    v1::RemovePrincipalRequest r;
    r.set_id("matrix-removable");
    return Unary(c, c.stubs->admin.get(), &D::RemovePrincipal, r);
  };
  m["AdminService/ListKeys"] = [](const Caller& c, Col, const World&) {
    return Unary(c, c.stubs->admin.get(), &D::ListKeys, v1::ListKeysRequest());
  };
  m["AdminService/RotateKey"] = [](const Caller& c, Col, const World&) {
    return Unary(c, c.stubs->admin.get(), &D::RotateKey,
                 v1::RotateKeyRequest());
  };
  m["AdminService/EraseSubject"] = [](const Caller& c, Col, const World&) {
    v1::EraseSubjectRequest r;
    r.set_subject("bm8tc3VjaC1zdWJqZWN0");  // a subject nobody has seen
    r.set_verified_request("matrix");
    return Unary(c, c.stubs->admin.get(), &D::EraseSubject, r);
  };
  m["ConsentService/EraseMe"] = [](const Caller& c, Col, const World&) {
    return Unary(c, c.stubs->consent.get(), &C::EraseMe, v1::EraseMeRequest());
  };
  m["AdminService/Backup"] = [](const Caller& c, Col col, const World& w) {
    v1::BackupRequest r;
    r.set_directory(absl::StrCat(w.backup_root, "/", kColNames[col]));
    return Unary(c, c.stubs->admin.get(), &D::Backup, r);
  };
  m["AdminService/ExportSubjectKey"] = [](const Caller& c, Col,
                                          const World& w) {
    v1::ExportSubjectKeyRequest r;
    r.set_subject(w.alice);
    r.set_legal_reference("authorization matrix");
    return Unary(c, c.stubs->admin.get(), &D::ExportSubjectKey, r);
  };
  return m;
}

// Every "Service/Method" of the six accord.v1 services, from the
// descriptors compiled into the stubs.
std::set<std::string> ProtoMethods() {
  std::set<std::string> out;
  for (const auto* file :
       {v1::PutDatasetRequest::descriptor()->file(),
        v1::GiveConsentRequest::descriptor()->file(),
        v1::RequestGrantRequest::descriptor()->file(),
        v1::GetCheckpointRequest::descriptor()->file(),
        v1::GetVerificationKeysRequest::descriptor()->file(),
        v1::AddPrincipalRequest::descriptor()->file(),
        v1::PutConsentRequestRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        out.insert(
            absl::StrCat(service->name(), "/", service->method(m)->name()));
      }
    }
  }
  return out;
}

std::string CodeName(Code code) {
  switch (code) {
    case Code::OK:
      return "OK";
    case Code::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case Code::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case Code::NOT_FOUND:
      return "NOT_FOUND";
    case Code::UNAVAILABLE:
      return "UNAVAILABLE";
    case Code::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    default:
      return absl::StrCat("code ", static_cast<int>(code));
  }
}

TEST_CASE("the table covers every RPC of every accord.v1 service exactly once",
          "[authz]") {
  std::set<std::string> table;
  for (const Row& row : kTable) {
    INFO(row.method);
    CHECK(table.insert(row.method).second);
  }
  const std::set<std::string> proto = ProtoMethods();
  CHECK(proto.size() == 42);
  CHECK(table == proto);
  std::set<std::string> calls;
  for (const auto& [method, call] : Calls()) calls.insert(method);
  CHECK(calls == proto);
}

// A dev-mode broker with a client for every column and the world the
// calls name: two more principals (partner-other, producer-other) and one
// to remove, producer-demo's dataset with two policy versions, Alice's
// consent, and a grant of partner-demo, released (so a revocation exists).
struct Fixture {
  TempDir dir;
  BrokerProcess broker{dir.path()};
  std::vector<Caller> callers = std::vector<Caller>(kCols);
  World world;

  Fixture() {
    REQUIRE(broker.Start().ok());
    const std::string& data = dir.path();
    auto ca = DevCaPem(data);
    REQUIRE(ca.ok());
    const int64_t now = Now();
    auto issuer = crypto::SigningKey::ReadPemFile(dev::IssuerKeyPath(data));
    REQUIRE(issuer.ok());
    auto alice = client::MintDevCitizenToken(*issuer, "alice", now);
    auto bob = client::MintDevCitizenToken(*issuer, "bob", now);
    // Issued two hours ago: expired an hour ago, far beyond the clock skew.
    auto alice_expired =
        client::MintDevCitizenToken(*issuer, "alice", now - 7200);
    REQUIRE(alice.ok());
    REQUIRE(bob.ok());
    REQUIRE(alice_expired.ok());

    auto dev = [&](const char* name) {
      auto id = DevIdentity(data, name);
      REQUIRE(id.ok());
      return *id;
    };
    auto issue = [&](const char* name, int64_t nb, int64_t na, bool foreign) {
      auto id = IssueIdentity(data, name, nb, na, foreign);
      REQUIRE(id.ok());
      return *id;
    };
    auto connect = [&](Col col, const ClientIdentity& id,
                       const std::string& token) {
      callers[col].stubs =
          std::make_unique<Stubs>(OpenChannel(broker.grpc_address(), *ca, id));
      callers[col].token = token;
    };
    const int64_t day = 86400;
    connect(kNoCert, ClientIdentity{}, *alice);
    connect(kOtherCa, issue("partner-demo", now - day, now + day, true),
            *alice);
    connect(kExpiredCert,
            issue("partner-demo", now - 2 * day, now - day, false), *alice);
    connect(kUnregistered, issue("nobody", now - day, now + day, false),
            *alice);
    connect(kPartner, dev("partner-demo"), *alice);
    connect(kPartner2, issue("partner-other", now - day, now + day, false),
            *alice);
    connect(kProducer, dev("producer-demo"), *alice);
    connect(kProducer2, issue("producer-other", now - day, now + day, false),
            *alice);
    connect(kAuditor, dev("auditor-demo"), *alice);
    connect(kOperator, dev("operator"), *alice);
    connect(kApp, dev("citizen-app"), "");
    connect(kAppAlice, dev("citizen-app"), *alice);
    connect(kAppBob, dev("citizen-app"), *bob);
    connect(kAppExpired, dev("citizen-app"), *alice_expired);
    MakeWorld();
  }

  const Caller& operator[](Col col) const { return callers[col]; }

 private:
  static void Require(const grpc::Status& s) {
    INFO(s.error_message());
    REQUIRE(s.ok());
  }

  void MakeWorld() {
    world.backup_root = dir.path() + "/backups";
    std::filesystem::create_directories(world.backup_root);
    const Caller& op = callers[kOperator];
    for (const v1::Principal& p :
         {MatrixPrincipal("partner-other", v1::ROLE_PARTNER, "company"),
          MatrixPrincipal("producer-other", v1::ROLE_PRODUCER),
          MatrixPrincipal("matrix-removable", v1::ROLE_AUDITOR)}) {
      v1::AddPrincipalRequest r;
      *r.mutable_principal() = p;
      Require(Unary(op, op.stubs->admin.get(),
                    &v1::AdminService::Stub::AddPrincipal, r));
    }
    const Caller& producer = callers[kProducer];
    v1::PutDatasetRequest put;
    *put.mutable_dataset() = CatalogDataset();
    Require(Unary(producer, producer.stubs->policy.get(),
                  &v1::PolicyService::Stub::PutDataset, put));
    v1::PutPolicyRequest policy;
    policy.set_dataset_id(kCatalog);
    policy.set_format(v1::POLICY_FORMAT_YAML);
    policy.set_source(kCatalogPolicy);
    for (int version = 1; version <= 2; ++version) {
      Require(Unary(producer, producer.stubs->policy.get(),
                    &v1::PolicyService::Stub::PutPolicy, policy));
    }

    const Caller& app = callers[kAppAlice];
    grpc::ClientContext give_ctx;
    app.Prepare(give_ctx);
    v1::GiveConsentResponse given;
    Require(
        app.stubs->consent->GiveConsent(&give_ctx, HouseholdConsent(), &given));
    world.consent_id = given.consent().id();
    world.alice = given.consent().subject();

    const Caller& partner = callers[kPartner];
    grpc::ClientContext grant_ctx;
    partner.Prepare(grant_ctx);
    v1::RequestGrantResponse granted;
    Require(
        partner.stubs->access->RequestGrant(&grant_ctx, BikeGrant(), &granted));
    REQUIRE(granted.grants_size() == 1);
    world.grant_id = granted.grants(0).id();
    v1::ReleaseGrantRequest release;
    release.set_grant_id(world.grant_id);
    Require(Unary(partner, partner.stubs->access.get(),
                  &v1::AccessService::Stub::ReleaseGrant, release));
    MakeRequests();
  }

  // Consent requests of partner-demo: the seeded open one, a draft, two
  // awaiting review and three open ones to close.
  void MakeRequests() {
    const Caller& partner = callers[kPartner];
    const Caller& producer = callers[kProducer];
    using R = v1::ConsentRequestService::Stub;
    v1::ListConsentRequestsResponse seeded;
    {
      grpc::ClientContext ctx;
      partner.Prepare(ctx);
      Require(partner.stubs->requests->ListConsentRequests(
          &ctx, v1::ListConsentRequestsRequest(), &seeded));
    }
    REQUIRE(seeded.requests_size() == 1);
    world.open_request.set_request_id(seeded.requests(0).id());
    world.open_request.set_version(seeded.requests(0).version());
    world.open_request.set_notice_hash(seeded.requests(0).notice_hash());
    auto draft = [&]() {
      v1::PutConsentRequestRequest put;
      *put.mutable_spec() = MatrixRequestSpec();
      v1::ConsentRequestResponse out;
      grpc::ClientContext ctx;
      partner.Prepare(ctx);
      Require(partner.stubs->requests->PutConsentRequest(&ctx, put, &out));
      return out.request().id();
    };
    auto submit = [&](const std::string& id) {
      v1::SubmitConsentRequestRequest r;
      r.set_request_id(id);
      Require(Unary(partner, partner.stubs->requests.get(),
                    &R::SubmitConsentRequest, r));
    };
    auto approve = [&](const std::string& id) {
      v1::ReviewConsentRequestRequest r;
      r.set_request_id(id);
      r.set_approve(true);
      Require(Unary(producer, producer.stubs->requests.get(),
                    &R::ReviewConsentRequest, r));
    };
    world.draft_id = draft();
    for (Col col : {kProducer, kOperator}) {
      world.pending_ids[col] = draft();
      submit(world.pending_ids[col]);
    }
    for (Col col : {kPartner, kProducer, kOperator}) {
      world.closable_ids[col] = draft();
      submit(world.closable_ids[col]);
      approve(world.closable_ids[col]);
    }
  }
};

TEST_CASE(
    "every RPC answers every kind of caller as the authorization table "
    "says",
    "[authz][integration]") {
  Fixture f;
  const std::map<std::string, Invoke> calls = Calls();
  int cells = 0;
  std::vector<std::string> wrong;
  for (const Row& row : kTable) {
    const Invoke& call = calls.at(row.method);
    for (int col = 0; col < kCols; ++col) {
      grpc::Status got =
          call(f[static_cast<Col>(col)], static_cast<Col>(col), f.world);
      ++cells;
      if (got.error_code() != row.expect[col]) {
        wrong.push_back(absl::StrCat(row.method, " as ", kColNames[col],
                                     ": expected ", CodeName(row.expect[col]),
                                     ", got ", CodeName(got.error_code()), " (",
                                     got.error_message(), ")"));
      }
    }
  }
  std::string report;
  for (const std::string& w : wrong) absl::StrAppend(&report, w, "\n");
  INFO(report);
  CHECK(cells == 42 * kCols);
  CHECK(wrong.empty());
}

// Ownership below the role table: what an allowed caller may not see.
TEST_CASE(
    "a partner reads only the current policy, a citizen only their own "
    "records, a removed principal nothing",
    "[authz][integration]") {
  Fixture f;
  auto get_policy = [&](Col col, uint64_t version) {
    v1::GetPolicyRequest r;
    r.set_dataset_id(kCatalog);
    r.set_version(version);
    return Unary(f[col], f[col].stubs->policy.get(),
                 &v1::PolicyService::Stub::GetPolicy, r)
        .error_code();
  };
  // The catalog entry has versions 1 and 2; 2 is current.
  CHECK(get_policy(kPartner, 0) == ok);
  CHECK(get_policy(kPartner, 2) == ok);
  CHECK(get_policy(kPartner, 1) == denied);
  CHECK(get_policy(kPartner2, 1) == denied);
  CHECK(get_policy(kProducer2, 1) == ok);
  CHECK(get_policy(kAuditor, 1) == ok);
  CHECK(get_policy(kOperator, 1) == ok);

  auto consents_of = [&](Col col) {
    grpc::ClientContext ctx;
    f[col].Prepare(ctx);
    v1::ListConsentsResponse resp;
    grpc::Status s = f[col].stubs->consent->ListConsents(
        &ctx, v1::ListConsentsRequest(), &resp);
    REQUIRE(s.ok());
    std::vector<std::string> ids;
    for (const v1::Consent& c : resp.consents()) ids.push_back(c.id());
    return ids;
  };
  CHECK(consents_of(kAppAlice) == std::vector<std::string>{f.world.consent_id});
  CHECK(consents_of(kAppBob).empty());

  // partner-other is known until the operator removes it.
  auto keys_as = [&](Col col) {
    return Unary(f[col], f[col].stubs->trust.get(),
                 &v1::TrustService::Stub::GetVerificationKeys,
                 v1::GetVerificationKeysRequest())
        .error_code();
  };
  CHECK(keys_as(kPartner2) == ok);
  v1::RemovePrincipalRequest remove;
  remove.set_id("partner-other");
  CHECK(Unary(f[kOperator], f[kOperator].stubs->admin.get(),
              &v1::AdminService::Stub::RemovePrincipal, remove)
            .ok());
  CHECK(keys_as(kPartner2) == unauth);
}

}  // namespace
}  // namespace accord::testing
