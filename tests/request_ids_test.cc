// Safe retries with client request ids (broker/service/request_ids.h),
// against the real accord-broker: a retry gets the first answer and writes
// nothing more, across a crash too; an id is not reused for another request.
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "absl/time/clock.h"
#include "accord/v1/access.grpc.pb.h"
#include "accord/v1/consent.grpc.pb.h"
#include "broker/store/store.h"
#include "clients/connection.h"
#include "broker/dev/dev_layout.h"
#include "tests/broker_harness.h"
#include "tests/dev_connection.h"

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
  REQUIRE(broker.Cli({"dataset", "put", "--id", kQuotaDataset, "--title",
                      "Retry quota", "--classification", "open", "--fields",
                      "a,b", "--as", "producer-demo"})
              .exit_code == 0);
  const std::string policy = dir + "/retry-quota.policy.yaml";
  {
    std::ofstream out(policy);
    out << "dataset: " << kQuotaDataset << "\n"
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

}  // namespace
}  // namespace accord::testing
