// Hostile input at the broker's front door, against the real accord-broker
// on loopback: request bounds (broker/service/limits.h), per-principal rate
// limits, and deadlines that have passed.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "accord/v1/access.grpc.pb.h"
#include "accord/v1/audit.grpc.pb.h"
#include "accord/v1/consent.grpc.pb.h"
#include "accord/v1/policy.grpc.pb.h"
#include "broker/dev/dev_layout.h"
#include "broker/store/store.h"
#include "clients/connection.h"
#include "tests/broker_harness.h"
#include "tests/dev_connection.h"

namespace accord::testing {
namespace {

constexpr char kEnergy[] = "rennes.energy.household-consumption";
constexpr char kResearch[] = "research-and-development";

// The status code and message of one RequestGrant.
grpc::Status Grant(const client::Connection& c,
                   const v1::RequestGrantRequest& request) {
  auto stub = v1::AccessService::NewStub(c.channel());
  grpc::ClientContext ctx;
  c.Prepare(&ctx);
  v1::RequestGrantResponse response;
  return stub->RequestGrant(&ctx, request, &response);
}

v1::RequestGrantRequest GoodRequest() {
  v1::RequestGrantRequest r;
  r.set_dataset_id("rennes.mobility.bike-stations");
  r.set_purpose(kResearch);
  r.set_audience("data.rennes.example");
  return r;
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

uint64_t TreeSize(const client::Connection& auditor) {
  auto stub = v1::AuditService::NewStub(auditor.channel());
  grpc::ClientContext ctx;
  auditor.Prepare(&ctx);
  v1::GetCheckpointResponse response;
  grpc::Status s = stub->GetCheckpoint(&ctx, {}, &response);
  REQUIRE(s.ok());
  return response.tree_size();
}

int ConsentCount(const client::Connection& citizen) {
  auto stub = v1::ConsentService::NewStub(citizen.channel());
  grpc::ClientContext ctx;
  citizen.Prepare(&ctx);
  v1::ListConsentsResponse response;
  grpc::Status s = stub->ListConsents(&ctx, {}, &response);
  REQUIRE(s.ok());
  return response.consents_size();
}

TEST_CASE("limits: oversized requests are refused naming the field") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/data");
  const absl::Status started = broker.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  const client::Connection partner = Connect(broker, "partner-demo");
  REQUIRE(Grant(partner, GoodRequest()).ok());

  struct Case {
    const char* field;
    v1::RequestGrantRequest request;
  };
  std::vector<Case> cases;
  {
    v1::RequestGrantRequest r = GoodRequest();
    r.set_dataset_id(std::string(129, 'a'));
    cases.push_back({"dataset_id", r});
  }
  {
    v1::RequestGrantRequest r = GoodRequest();
    r.set_purpose(std::string(129, 'p'));
    cases.push_back({"purpose", r});
  }
  {
    v1::RequestGrantRequest r = GoodRequest();
    for (int i = 0; i < 257; ++i) r.add_fields("f" + std::to_string(i));
    cases.push_back({"fields", r});
  }
  {
    v1::RequestGrantRequest r = GoodRequest();
    r.add_fields(std::string(129, 'f'));
    cases.push_back({"fields[0]", r});
  }
  {
    v1::RequestGrantRequest r = GoodRequest();
    r.set_audience(std::string(257, 'x'));
    cases.push_back({"audience", r});
  }
  {
    v1::RequestGrantRequest r = GoodRequest();
    r.set_dataset_id(kEnergy);
    for (int i = 0; i < 100001; ++i) r.add_subjects("s");
    cases.push_back({"subjects", r});
  }
  for (const Case& c : cases) {
    INFO(c.field);
    grpc::Status s = Grant(partner, c.request);
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(StartsWith(s.error_message(), c.field));
  }

  // Above the receive limit (4 MiB) gRPC refuses the message itself.
  v1::RequestGrantRequest huge = GoodRequest();
  huge.set_audience(std::string(5 << 20, 'x'));
  CHECK(Grant(partner, huge).error_code() ==
        grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Page sizes and page tokens, and the audit query's filters.
  const client::Connection alice = Connect(broker, "", "alice");
  auto consents = v1::ConsentService::NewStub(alice.channel());
  {
    grpc::ClientContext ctx;
    alice.Prepare(&ctx);
    v1::ListConsentsRequest r;
    r.set_page_size(1001);
    v1::ListConsentsResponse response;
    grpc::Status s = consents->ListConsents(&ctx, r, &response);
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(StartsWith(s.error_message(), "page_size"));
  }
  {
    grpc::ClientContext ctx;
    alice.Prepare(&ctx);
    v1::ListConsentsRequest r;
    r.set_page_token(std::string(257, 't'));
    v1::ListConsentsResponse response;
    grpc::Status s = consents->ListConsents(&ctx, r, &response);
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(StartsWith(s.error_message(), "page_token"));
  }
  const client::Connection auditor = Connect(broker, "auditor-demo");
  auto audit = v1::AuditService::NewStub(auditor.channel());
  {
    grpc::ClientContext ctx;
    auditor.Prepare(&ctx);
    v1::QueryEventsRequest r;
    r.set_partner(std::string(129, 'p'));
    v1::QueryEventsResponse response;
    grpc::Status s = audit->QueryEvents(&ctx, r, &response);
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(StartsWith(s.error_message(), "partner"));
  }
  broker.Stop();
}

TEST_CASE("limits: a principal over its rate limit gets RESOURCE_EXHAUSTED") {
  TempDir dir;
  // One request per second after a burst of three.
  BrokerProcess broker(dir.path() + "/data", {"--rate-limit-per-second", "1",
                                              "--rate-limit-burst", "3"});
  const absl::Status started = broker.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  const client::Connection partner = Connect(broker, "partner-demo");
  auto stub = v1::PolicyService::NewStub(partner.channel());
  constexpr int kCalls = 30;
  int ok = 0;
  int exhausted = 0;
  for (int i = 0; i < kCalls; ++i) {
    grpc::ClientContext ctx;
    partner.Prepare(&ctx);
    v1::ListDatasetsResponse response;
    grpc::Status s = stub->ListDatasets(&ctx, {}, &response);
    if (s.ok()) ++ok;
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) ++exhausted;
  }
  INFO("ok " << ok << ", exhausted " << exhausted);
  CHECK(ok >= 3);  // the burst
  CHECK(exhausted > 0);
  CHECK(ok + exhausted == kCalls);  // nothing else went wrong

  // The bucket is per principal: another caller is not held back (TreeSize
  // requires an OK answer).
  const client::Connection auditor = Connect(broker, "auditor-demo");
  (void)TreeSize(auditor);
  broker.Stop();
}

// ListConsents for `citizen` through the citizen app: its status code.
grpc::StatusCode ListConsentsCode(const client::Connection& citizen) {
  auto stub = v1::ConsentService::NewStub(citizen.channel());
  grpc::ClientContext ctx;
  citizen.Prepare(&ctx);
  v1::ListConsentsResponse response;
  return stub->ListConsents(&ctx, {}, &response).error_code();
}

TEST_CASE("limits: each citizen of an app has a bucket of their own") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/data", {"--rate-limit-per-second", "1",
                                              "--rate-limit-burst", "3"});
  const absl::Status started = broker.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  const client::Connection alice = Connect(broker, "", "alice");
  int exhausted = 0;
  for (int i = 0; i < 20; ++i) {
    const grpc::StatusCode code = ListConsentsCode(alice);
    CHECK((code == grpc::StatusCode::OK ||
           code == grpc::StatusCode::RESOURCE_EXHAUSTED));
    if (code == grpc::StatusCode::RESOURCE_EXHAUSTED) ++exhausted;
  }
  CHECK(exhausted > 0);
  // Alice has spent her bucket, not the app's: Bob, through the same app
  // principal, is answered (three calls, within his own burst).
  const client::Connection bob = Connect(broker, "", "bob");
  for (int i = 0; i < 3; ++i) {
    CHECK(ListConsentsCode(bob) == grpc::StatusCode::OK);
  }
  broker.Stop();
}

// The log's size as stored, read from the stopped broker's store.
uint64_t StoredLogSize(const BrokerProcess& broker) {
  store::StoreOptions read_only;
  read_only.read_only = true;
  auto store = store::Store::Open(broker.data_dir() + "/db", read_only);
  REQUIRE(store.ok());
  return (*store)->LogSize();
}

TEST_CASE("limits: a call whose deadline has passed writes nothing") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/data");
  REQUIRE(broker.Start().ok());
  REQUIRE(broker.Stop() == 0);
  const uint64_t size_before = StoredLogSize(broker);
  const absl::Status started = broker.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  const client::Connection alice = Connect(broker, "", "alice");
  REQUIRE(ConsentCount(alice) == 0);

  v1::GiveConsentRequest give;
  give.set_dataset_id(kEnergy);
  give.set_purpose(kResearch);
  give.mutable_recipient()->set_partner("partner-demo");
  // One logical call: every attempt carries the same request id.
  give.set_client_request_id("limits-deadline-give-1");
  auto stub = v1::ConsentService::NewStub(alice.channel());
  // A deadline already passed: the client sends nothing, and nothing is
  // written.
  {
    grpc::ClientContext ctx;
    alice.Prepare(&ctx);
    ctx.set_deadline(absl::ToChronoTime(absl::Now() - absl::Seconds(10)));
    v1::GiveConsentResponse response;
    CHECK(stub->GiveConsent(&ctx, give, &response).error_code() ==
          grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  CHECK(ConsentCount(alice) == 0);
  // A deadline 1 us ahead: the client gives up, but gRPC sends a deadline
  // as a timeout, so the call may reach the broker with time left and be
  // written. The client does not know the outcome, and retries with the
  // same request id.
  {
    grpc::ClientContext ctx;
    alice.Prepare(&ctx);
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Microseconds(1)));
    v1::GiveConsentResponse response;
    CHECK(stub->GiveConsent(&ctx, give, &response).error_code() ==
          grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  // The retry, with time to spare: the first attempt's answer if it was
  // written, else this one's. While the first attempt is still in flight
  // the citizen's consents are claimed by it, or the writer finds its id
  // taken (ABORTED, retry with the same id).
  grpc::Status given;
  v1::GiveConsentResponse first;
  for (int attempt = 0; attempt < 100; ++attempt) {
    grpc::ClientContext ctx;
    alice.Prepare(&ctx);
    first.Clear();
    given = stub->GiveConsent(&ctx, give, &first);
    if (given.error_code() != grpc::StatusCode::ABORTED) break;
  }
  INFO(given.error_message());
  REQUIRE(given.ok());
  // Retried once more, it is answered the same and writes nothing.
  {
    grpc::ClientContext ctx;
    alice.Prepare(&ctx);
    v1::GiveConsentResponse again;
    REQUIRE(stub->GiveConsent(&ctx, give, &again).ok());
    CHECK(again.consent().id() == first.consent().id());
    CHECK(again.revision() == first.revision());
    CHECK(again.receipt() == first.receipt());
  }
  CHECK(ConsentCount(alice) == 1);
  REQUIRE(broker.Stop() == 0);
  // Exactly one consent, recorded by exactly one log entry.
  CHECK(StoredLogSize(broker) == size_before + 1);
}

TEST_CASE(
    "limits: a write set whose deadline passed while queued is not committed") {
  TempDir dir;
  auto store = store::Store::Open(dir.path() + "/db", {});
  REQUIRE(store.ok());
  v1::Dataset dataset;
  dataset.set_id("d1");
  dataset.set_producer("producer-demo");
  store::WriteSet late;
  late.PutDataset(dataset);
  late.set_deadline(absl::Now() - absl::Milliseconds(1));
  auto refused = (*store)->CommitAndWait(std::move(late));
  CHECK(absl::IsDeadlineExceeded(refused.status()));
  CHECK((*store)->revision() == 0);
  CHECK(absl::IsNotFound((*store)->GetDataset("d1").status()));

  store::WriteSet in_time;
  in_time.PutDataset(dataset);
  in_time.set_deadline(absl::Now() + absl::Hours(1));
  auto committed = (*store)->CommitAndWait(std::move(in_time));
  REQUIRE(committed.ok());
  CHECK(committed->revision == 1);
}

}  // namespace
}  // namespace accord::testing
