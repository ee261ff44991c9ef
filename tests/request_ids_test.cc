// Safe retries with client request ids (broker/service/request_ids.h),
// against the real accord-broker: a retry gets the first answer and writes
// nothing more, across a crash too; an id is not reused for another request.
// Erasures take no id: their repeat answers NOT_FOUND and writes nothing.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "absl/time/clock.h"
#include "accord/v1/access.grpc.pb.h"
#include "accord/v1/admin.grpc.pb.h"
#include "accord/v1/consent.grpc.pb.h"
#include "accord/v1/requests.grpc.pb.h"
#include "broker/dev/dev_layout.h"
#include "broker/store/store.h"
#include "clients/connection.h"
#include "tests/broker_harness.h"
#include "tests/dev_connection.h"
#include "tests/study_spec.h"

namespace accord::testing {
namespace {

constexpr char kEnergy[] = "rennes.energy.household-consumption";
constexpr char kResearch[] = "research-and-development";
constexpr char kQuotaDataset[] = "rennes.test.retry-quota";

uint64_t StoredLogSize(const BrokerProcess& broker) {
  store::StoreOptions read_only;
  read_only.read_only = true;
  auto store = store::Store::Open(broker.data_dir() + "/db", read_only);
  REQUIRE(store.ok());
  return (*store)->LogSize();
}

grpc::Status Give(const client::Connection& c,
                  const v1::GiveConsentRequest& request,
                  v1::GiveConsentResponse* response) {
  auto stub = v1::ConsentService::NewStub(c.channel());
  grpc::ClientContext ctx;
  c.Prepare(&ctx);
  return stub->GiveConsent(&ctx, request, response);
}

grpc::Status Grant(const client::Connection& c,
                   const v1::RequestGrantRequest& request,
                   v1::RequestGrantResponse* response) {
  auto stub = v1::AccessService::NewStub(c.channel());
  grpc::ClientContext ctx;
  c.Prepare(&ctx);
  return stub->RequestGrant(&ctx, request, response);
}

// One unary call of `method` on `c`.
template <typename Stub, typename Request, typename Response>
grpc::Status Unary(const client::Connection& c,
                   grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                const Request&, Response*),
                   const Request& request, Response* response) {
  Stub stub(c.channel());
  grpc::ClientContext ctx;
  c.Prepare(&ctx);
  response->Clear();
  return (stub.*method)(&ctx, request, response);
}

// Whether `s` refuses a call for reusing the client request id of another
// request: FAILED_PRECONDITION naming the field.
bool RefusedForReusedId(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
         s.error_message().find("client_request_id") != std::string::npos;
}

int ConsentCount(const client::Connection& citizen) {
  auto stub = v1::ConsentService::NewStub(citizen.channel());
  grpc::ClientContext ctx;
  citizen.Prepare(&ctx);
  v1::ListConsentsResponse response;
  REQUIRE(stub->ListConsents(&ctx, {}, &response).ok());
  return response.consents_size();
}

v1::GiveConsentRequest EnergyConsent(const std::string& id) {
  v1::GiveConsentRequest give;
  give.set_dataset_id(kEnergy);
  give.set_purpose(kResearch);
  give.mutable_recipient()->set_partner("partner-demo");
  give.set_client_request_id(id);
  return give;
}

// An open dataset whose policy lets partner-demo have two grants an hour.
void PutQuotaDataset(const BrokerProcess& broker, const std::string& dir) {
  REQUIRE(broker
              .Cli({"dataset", "put", "--id", kQuotaDataset, "--title",
                    "Retry quota", "--classification", "open", "--fields",
                    "a,b", "--as", "producer-demo"})
              .exit_code == 0);
  const std::string policy = dir + "/retry-quota.policy.yaml";
  {
    std::ofstream out(policy);
    out << "dataset: " << kQuotaDataset
        << "\n"
           "rules:\n"
           "  - id: two-an-hour\n"
           "    effect: permit\n"
           "    assignees: {principals: [partner-demo]}\n"
           "    purposes: [service-provision]\n"
           "    quota: {grants: 2, per: 1h}\n";
  }
  CliResult put = broker.Cli(
      {"policy", "put", kQuotaDataset, policy, "--as", "producer-demo"});
  INFO(put.err);
  REQUIRE(put.exit_code == 0);
}

v1::RequestGrantRequest QuotaRequest(const std::string& id) {
  v1::RequestGrantRequest r;
  r.set_dataset_id(kQuotaDataset);
  r.set_purpose("service-provision");
  r.set_audience("data.rennes.example");
  r.set_client_request_id(id);
  return r;
}

TEST_CASE("request ids: a retried grant request spends its quota once") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/data");
  REQUIRE(broker.Start().ok());
  PutQuotaDataset(broker, dir.path());
  const client::Connection partner = Connect(broker, "partner-demo");

  v1::RequestGrantResponse first;
  REQUIRE(Grant(partner, QuotaRequest("grant-retry-1"), &first).ok());
  REQUIRE(first.decision().outcome() == v1::OUTCOME_PERMIT);
  REQUIRE(first.grants_size() == 1);
  // The retry gets the same grant, token and log entry.
  v1::RequestGrantResponse again;
  REQUIRE(Grant(partner, QuotaRequest("grant-retry-1"), &again).ok());
  REQUIRE(again.grants_size() == 1);
  CHECK(again.grants(0).id() == first.grants(0).id());
  CHECK(again.grants(0).token() == first.grants(0).token());
  CHECK(again.grants(0).log_index() == first.grants(0).log_index());
  CHECK(again.revision() == first.revision());
  // The quota counted one use: a second logical call is permitted, a third
  // is not.
  v1::RequestGrantResponse second;
  REQUIRE(Grant(partner, QuotaRequest("grant-retry-2"), &second).ok());
  CHECK(second.decision().outcome() == v1::OUTCOME_PERMIT);
  CHECK(second.grants(0).id() != first.grants(0).id());
  v1::RequestGrantResponse third;
  REQUIRE(Grant(partner, QuotaRequest("grant-retry-3"), &third).ok());
  REQUIRE(third.decision().outcome() == v1::OUTCOME_DENY);
  bool quota_exceeded = false;
  for (const v1::Reason& reason : third.decision().reasons()) {
    quota_exceeded = quota_exceeded || reason.code() == "quota_exceeded";
  }
  CHECK(quota_exceeded);
  // A logged denial is an answer too: its retry is the same denial, and
  // logs nothing more.
  v1::RequestGrantResponse third_again;
  REQUIRE(Grant(partner, QuotaRequest("grant-retry-3"), &third_again).ok());
  CHECK(third_again.decision().outcome() == v1::OUTCOME_DENY);
  CHECK(third_again.revision() == third.revision());
  REQUIRE(broker.Stop() == 0);
}

TEST_CASE("request ids: an id is not reused for another request") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/data");
  REQUIRE(broker.Start().ok());
  const client::Connection alice = Connect(broker, "", "alice");
  v1::GiveConsentResponse given;
  REQUIRE(Give(alice, EnergyConsent("reuse-1"), &given).ok());
  const uint64_t revision = given.revision();

  // Same id, another purpose: refused, naming the field, nothing written.
  v1::GiveConsentRequest other = EnergyConsent("reuse-1");
  other.set_purpose("service-provision");
  v1::GiveConsentResponse refused;
  const grpc::Status s = Give(alice, other, &refused);
  CHECK(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(s.error_message().find("client_request_id") != std::string::npos);
  CHECK(ConsentCount(alice) == 1);

  // Another citizen using the same id through the same app gets their own
  // answer, not Alice's.
  const client::Connection bob = Connect(broker, "", "bob");
  v1::GiveConsentResponse bobs;
  REQUIRE(Give(bob, EnergyConsent("reuse-1"), &bobs).ok());
  CHECK(bobs.consent().id() != given.consent().id());
  CHECK(bobs.revision() > revision);

  // Malformed ids are refused naming the field.
  for (const std::string& bad : {std::string("has space"), std::string(65, 'a'),
                                 std::string("semi;colon")}) {
    v1::GiveConsentResponse r;
    const grpc::Status invalid = Give(alice, EnergyConsent(bad), &r);
    CHECK(invalid.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(invalid.error_message().find("client_request_id") !=
          std::string::npos);
  }
  CHECK(ConsentCount(alice) == 1);
  REQUIRE(broker.Stop() == 0);
}

TEST_CASE("request ids: a retry after a crash gets the first answer") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/data");
  REQUIRE(broker.Start().ok());
  v1::GiveConsentResponse first;
  {
    const client::Connection alice = Connect(broker, "", "alice");
    REQUIRE(Give(alice, EnergyConsent("crash-1"), &first).ok());
  }
  broker.Kill();
  REQUIRE(broker.Start().ok());
  REQUIRE(broker.Stop() == 0);
  const uint64_t size_before = StoredLogSize(broker);
  REQUIRE(broker.Start().ok());
  const client::Connection alice = Connect(broker, "", "alice");
  v1::GiveConsentResponse again;
  REQUIRE(Give(alice, EnergyConsent("crash-1"), &again).ok());
  CHECK(again.consent().id() == first.consent().id());
  CHECK(again.revision() == first.revision());
  CHECK(ConsentCount(alice) == 1);
  REQUIRE(broker.Stop() == 0);
  CHECK(StoredLogSize(broker) == size_before);
}

v1::RefuseConsentRequestRequest Refusal(const v1::ConsentRequest& r,
                                        const std::string& id) {
  v1::RefuseConsentRequestRequest refuse;
  refuse.mutable_request()->set_request_id(r.id());
  refuse.mutable_request()->set_version(r.version());
  refuse.mutable_request()->set_notice_hash(r.notice_hash());
  refuse.set_client_request_id(id);
  return refuse;
}

TEST_CASE("request ids: a retried refusal of a consent request is the first") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/data");
  REQUIRE(broker.Start().ok());
  v1::RefuseConsentRequestRequest refuse;
  v1::GiveConsentResponse first;
  {
    const client::Connection alice = Connect(broker, "", "alice");
    v1::ListOpenRequestsResponse open;
    REQUIRE(Unary(alice, &v1::ConsentService::Stub::ListOpenRequests,
                  v1::ListOpenRequestsRequest(), &open)
                .ok());
    REQUIRE(open.requests_size() > 0);
    refuse = Refusal(open.requests(0).request(), "refuse-1");
    REQUIRE(Unary(alice, &v1::ConsentService::Stub::RefuseConsentRequest,
                  refuse, &first)
                .ok());
    REQUIRE(first.consent().state() == v1::CONSENT_STATE_REFUSED);
    REQUIRE(ConsentCount(alice) == 1);
  }
  REQUIRE(broker.Stop() == 0);
  const uint64_t size_before = StoredLogSize(broker);
  REQUIRE(broker.Start().ok());
  const client::Connection alice = Connect(broker, "", "alice");
  v1::GiveConsentResponse again;
  REQUIRE(Unary(alice, &v1::ConsentService::Stub::RefuseConsentRequest, refuse,
                &again)
              .ok());
  CHECK(again.consent().id() == first.consent().id());
  CHECK(again.consent().events_size() == first.consent().events_size());
  CHECK(again.receipt() == first.receipt());
  CHECK(again.revision() == first.revision());
  // Same id, another channel: refused, naming the field.
  v1::RefuseConsentRequestRequest other = refuse;
  other.set_channel("kiosk");
  v1::GiveConsentResponse refused;
  CHECK(RefusedForReusedId(
      Unary(alice, &v1::ConsentService::Stub::RefuseConsentRequest, other,
            &refused)));
  CHECK(ConsentCount(alice) == 1);
  REQUIRE(broker.Stop() == 0);
  CHECK(StoredLogSize(broker) == size_before);
}

int RequestCount(const client::Connection& partner) {
  v1::ListConsentRequestsResponse list;
  REQUIRE(Unary(partner, &v1::ConsentRequestService::Stub::ListConsentRequests,
                v1::ListConsentRequestsRequest(), &list)
              .ok());
  return list.requests_size();
}

TEST_CASE(
    "request ids: a retried draft and submission of a consent request "
    "are the first ones") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/data");
  REQUIRE(broker.Start().ok());
  using Stub = v1::ConsentRequestService::Stub;
  v1::PutConsentRequestRequest put;
  *put.mutable_spec() = StudySpec(absl::ToUnixSeconds(absl::Now()));
  put.set_client_request_id("draft-1");
  v1::SubmitConsentRequestRequest submit;
  submit.set_client_request_id("submit-1");
  v1::ConsentRequestResponse drafted, submitted;
  int requests = 0;
  {
    const client::Connection partner = Connect(broker, "partner-demo");
    const grpc::Status s =
        Unary(partner, &Stub::PutConsentRequest, put, &drafted);
    INFO(s.error_message());
    REQUIRE(s.ok());
    submit.set_request_id(drafted.request().id());
    REQUIRE(
        Unary(partner, &Stub::SubmitConsentRequest, submit, &submitted).ok());
    REQUIRE(submitted.request().state() ==
            v1::CONSENT_REQUEST_STATE_PENDING_APPROVAL);
    requests = RequestCount(partner);
  }
  REQUIRE(broker.Stop() == 0);
  const uint64_t size_before = StoredLogSize(broker);
  REQUIRE(broker.Start().ok());
  const client::Connection partner = Connect(broker, "partner-demo");
  // The retried draft is the first one, not a second request.
  v1::ConsentRequestResponse again;
  REQUIRE(Unary(partner, &Stub::PutConsentRequest, put, &again).ok());
  CHECK(again.request().id() == drafted.request().id());
  CHECK(again.request().state() == v1::CONSENT_REQUEST_STATE_DRAFT);
  CHECK(again.revision() == drafted.revision());
  // The retried submission answers as the first did, though the request is
  // no longer a draft.
  REQUIRE(Unary(partner, &Stub::SubmitConsentRequest, submit, &again).ok());
  CHECK(again.request().state() == v1::CONSENT_REQUEST_STATE_PENDING_APPROVAL);
  CHECK(again.revision() == submitted.revision());
  // Same ids, other requests: refused, naming the field.
  v1::PutConsentRequestRequest other_put = put;
  other_put.mutable_spec()->mutable_title()->set_fr("Une autre étude");
  CHECK(RefusedForReusedId(
      Unary(partner, &Stub::PutConsentRequest, other_put, &again)));
  v1::SubmitConsentRequestRequest other_submit = submit;
  other_submit.set_request_id("another-request");
  CHECK(RefusedForReusedId(
      Unary(partner, &Stub::SubmitConsentRequest, other_submit, &again)));
  CHECK(RequestCount(partner) == requests);
  REQUIRE(broker.Stop() == 0);
  CHECK(StoredLogSize(broker) == size_before);
}

int KeyCount(const client::Connection& op) {
  v1::ListKeysResponse keys;
  REQUIRE(
      Unary(op, &v1::AdminService::Stub::ListKeys, v1::ListKeysRequest(), &keys)
          .ok());
  return keys.keys_size() + keys.receipt_keys_size();
}

TEST_CASE("request ids: a retried key rotation publishes one key") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/data");
  REQUIRE(broker.Start().ok());
  v1::RotateKeyRequest rotate;
  rotate.set_client_request_id("rotate-1");
  v1::RotateKeyResponse first;
  int keys = 0;
  {
    const client::Connection op = Connect(broker, "operator");
    REQUIRE(Unary(op, &v1::AdminService::Stub::RotateKey, rotate, &first).ok());
    REQUIRE(first.key().state() == v1::KEY_STATE_PENDING);
    keys = KeyCount(op);
  }
  REQUIRE(broker.Stop() == 0);
  const uint64_t size_before = StoredLogSize(broker);
  REQUIRE(broker.Start().ok());
  const client::Connection op = Connect(broker, "operator");
  v1::RotateKeyResponse again;
  REQUIRE(Unary(op, &v1::AdminService::Stub::RotateKey, rotate, &again).ok());
  CHECK(again.key().kid() == first.key().kid());
  CHECK(again.key().created_at() == first.key().created_at());
  // Same id, another algorithm: refused for the id, not for the pending
  // rotation.
  v1::RotateKeyRequest other = rotate;
  other.set_alg("EdDSA");
  CHECK(RefusedForReusedId(
      Unary(op, &v1::AdminService::Stub::RotateKey, other, &again)));
  CHECK(KeyCount(op) == keys);
  REQUIRE(broker.Stop() == 0);
  CHECK(StoredLogSize(broker) == size_before);
}

TEST_CASE("request ids: an erasure takes none, and its repeat writes nothing") {
  // Its answer names the subject it erased, so none is kept for a retry
  // (proto/accord/v1/consent.proto, EraseMeRequest).
  CHECK(v1::EraseMeRequest::descriptor()->FindFieldByName(
            "client_request_id") == nullptr);
  CHECK(v1::EraseSubjectRequest::descriptor()->FindFieldByName(
            "client_request_id") == nullptr);
  TempDir dir;
  BrokerProcess broker(dir.path() + "/data");
  REQUIRE(broker.Start().ok());
  {
    const client::Connection alice = Connect(broker, "", "alice");
    v1::GiveConsentResponse given;
    REQUIRE(Give(alice, EnergyConsent("erase-give-1"), &given).ok());
    v1::ErasureResponse erased;
    REQUIRE(Unary(alice, &v1::ConsentService::Stub::EraseMe,
                  v1::EraseMeRequest(), &erased)
                .ok());
    CHECK(!erased.receipt().empty());
    CHECK(erased.consents_erased() == 1);
  }
  REQUIRE(broker.Stop() == 0);
  const uint64_t size_before = StoredLogSize(broker);
  REQUIRE(broker.Start().ok());
  const client::Connection alice = Connect(broker, "", "alice");
  v1::ErasureResponse again;
  const grpc::Status s = Unary(alice, &v1::ConsentService::Stub::EraseMe,
                               v1::EraseMeRequest(), &again);
  CHECK(s.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(again.receipt().empty());
  REQUIRE(broker.Stop() == 0);
  CHECK(StoredLogSize(broker) == size_before);
}

}  // namespace
}  // namespace accord::testing
