// What a producer or a partner learns about citizens, against the real
// broker over mutual TLS: ExplainAccess answers them with counts and
// reasons only, and records every question that names subjects in the
// audit log without the pseudonyms; a grant response never carries the
// consent ids; the revocation stream never groups the grants one consent
// withdrawal revoked, nor names a subject.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "accord/v1/access.grpc.pb.h"
#include "accord/v1/audit.grpc.pb.h"
#include "accord/v1/policy.grpc.pb.h"
#include "accord/v1/trust.grpc.pb.h"
#include "broker/testing/temp_dir.h"
#include "tests/broker_harness.h"
#include "tests/tls_callers.h"

namespace accord::testing {
namespace {

namespace v1 = accord::v1;

constexpr char kPersonal[] = "rennes.energy.household-consumption";
constexpr char kResearch[] = "research-and-development";
constexpr char kAcademic[] = "research-and-development.academic-research";
constexpr char kAudience[] = "data.rennes.example";
// A pseudonym no citizen has.
constexpr char kNobody[] = "bm8tY29uc2VudC1zdWJqZWN0";

// A deadline far enough that only a broken broker reaches it: the tests
// wait for answers, not for time.
std::chrono::system_clock::time_point Far() {
  return absl::ToChronoTime(absl::Now() + absl::Seconds(120));
}

// Stubs of one dev principal over a channel of its own.
struct Stubs {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::PolicyService::Stub> policy;
  std::unique_ptr<v1::AccessService::Stub> access;
  std::unique_ptr<v1::AuditService::Stub> audit;
  std::unique_ptr<v1::TrustService::Stub> trust;

  Stubs(const BrokerProcess& broker, const std::string& principal) {
    auto ca = DevCaPem(broker.data_dir());
    REQUIRE(ca.ok());
    auto identity = DevIdentity(broker.data_dir(), principal);
    REQUIRE(identity.ok());
    channel = OpenChannel(broker.grpc_address(), *ca, *identity);
    policy = v1::PolicyService::NewStub(channel);
    access = v1::AccessService::NewStub(channel);
    audit = v1::AuditService::NewStub(channel);
    trust = v1::TrustService::NewStub(channel);
  }
};

std::string Str(const formats::JsonValue& v,
                std::initializer_list<const char*> path) {
  const formats::JsonValue* cur = &v;
  for (const char* key : path) {
    cur = cur->Find(key);
    if (cur == nullptr) return "";
  }
  return cur->AsString() != nullptr ? *cur->AsString() : "";
}

// Alice consents to research use of her household's data by partner-demo;
// returns her pseudonym and the consent id.
std::pair<std::string, std::string> AliceConsents(const BrokerProcess& broker) {
  CliResult given = broker.Cli(
      {"consent", "give", "--dataset", kPersonal, "--purpose", kResearch,
       "--partner", "partner-demo", "--citizen", "alice", "--output", "json"});
  INFO(given.err);
  REQUIRE(given.exit_code == 0);
  std::string subject = Str(given.json, {"consent", "subject"});
  std::string id = Str(given.json, {"consent", "id"});
  REQUIRE(!subject.empty());
  REQUIRE(!id.empty());
  return {subject, id};
}

grpc::Status Explain(const Stubs& who, const std::vector<std::string>& subjects,
                     v1::ExplainAccessResponse* out,
                     const std::string& dataset = kPersonal) {
  v1::ExplainAccessRequest r;
  r.set_partner("partner-demo");
  r.set_dataset_id(dataset);
  r.set_purpose(kResearch);
  for (const std::string& s : subjects) r.add_subjects(s);
  grpc::ClientContext ctx;
  ctx.set_deadline(Far());
  return who.policy->ExplainAccess(&ctx, r, out);
}

// The EXPLAIN entries of the log, as the auditor reads them.
std::vector<v1::LogEntry> ExplainEntries(const Stubs& auditor) {
  v1::QueryEventsRequest q;
  q.set_type(v1::EVENT_TYPE_EXPLAIN);
  q.set_page_size(1000);
  v1::QueryEventsResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(Far());
  grpc::Status s = auditor.audit->QueryEvents(&ctx, q, &response);
  INFO(s.error_message());
  REQUIRE(s.ok());
  return {response.entries().begin(), response.entries().end()};
}

v1::RequestGrantRequest HouseholdRequest(const std::string& purpose,
                                         const std::string& subject) {
  v1::RequestGrantRequest r;
  r.set_dataset_id(kPersonal);
  r.set_purpose(purpose);
  r.set_audience(kAudience);
  r.add_subjects(subject);
  r.add_subjects(kNobody);
  return r;
}

// Reads the stream until it has shown every id of `wanted` (or ends);
// returns every message read.
std::vector<v1::Revocation> ReadUntil(
    grpc::ClientReader<v1::WatchRevocationsResponse>& reader,
    std::set<std::string> wanted) {
  std::vector<v1::Revocation> read;
  v1::WatchRevocationsResponse message;
  while (!wanted.empty() && reader.Read(&message)) {
    for (const std::string& id : message.revocation().grant_ids()) {
      wanted.erase(id);
    }
    read.push_back(message.revocation());
  }
  return read;
}

TEST_CASE(
    "ExplainAccess answers the producer with counts only and logs "
    "the question without the pseudonym") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const auto [alice, consent_id] = AliceConsents(broker);
  Stubs producer(broker, "producer-demo");
  Stubs partner(broker, "partner-demo");
  Stubs op(broker, "operator");
  Stubs auditor(broker, "auditor-demo");

  REQUIRE(ExplainEntries(auditor).empty());

  // One pseudonym at a time was the oracle: "has this person consented?".
  v1::ExplainAccessResponse answer;
  grpc::Status s = Explain(producer, {alice}, &answer);
  INFO(s.error_message());
  REQUIRE(s.ok());
  CHECK(answer.decision().outcome() == v1::OUTCOME_PERMIT);
  CHECK(answer.subjects_asked() == 1);
  CHECK(answer.subjects_permitted() == 1);
  CHECK(answer.subjects_without_consent() == 0);
  CHECK(answer.decision().subjects().empty());
  CHECK(answer.decision().consent_ids().empty());
  CHECK(answer.decision().reasons_size() > 0);
  CHECK(answer.revision() > 0);
  const std::string bytes = answer.SerializeAsString();
  CHECK_FALSE(absl::StrContains(bytes, alice));
  CHECK_FALSE(absl::StrContains(bytes, consent_id));

  // Exactly one entry records it: who asked, about whom and what, how many
  // subjects; its bytes hold no pseudonym.
  std::vector<v1::LogEntry> entries = ExplainEntries(auditor);
  REQUIRE(entries.size() == 1);
  const v1::AuditEvent& event = entries[0].event();
  CHECK(event.actor() == "producer-demo");
  CHECK(event.dataset_id() == kPersonal);
  CHECK(event.purpose() == kResearch);
  CHECK(event.subjects().empty());
  CHECK(event.detail().at("partner") == "partner-demo");
  CHECK(event.detail().at("subjects_asked") == "1");
  CHECK(event.revision() == answer.revision());
  CHECK_FALSE(entries[0].raw().empty());
  CHECK_FALSE(absl::StrContains(entries[0].raw(), alice));
  CHECK_FALSE(absl::StrContains(entries[0].event().SerializeAsString(), alice));

  // A subject without consent is counted, not named; a partner asking about
  // itself gets the same shape.
  v1::ExplainAccessResponse mixed;
  REQUIRE(Explain(partner, {alice, kNobody}, &mixed).ok());
  CHECK(mixed.subjects_asked() == 2);
  CHECK(mixed.subjects_permitted() == 1);
  CHECK(mixed.subjects_without_consent() == 1);
  CHECK(mixed.decision().subjects().empty());
  CHECK(mixed.decision().consent_ids().empty());
  CHECK_FALSE(absl::StrContains(mixed.SerializeAsString(), alice));
  CHECK_FALSE(absl::StrContains(mixed.SerializeAsString(), kNobody));

  // The operator still gets the subjects and the consents.
  v1::ExplainAccessResponse full;
  REQUIRE(Explain(op, {alice, kNobody}, &full).ok());
  CHECK(full.subjects_asked() == 2);
  CHECK(full.subjects_permitted() == 1);
  REQUIRE(full.decision().subjects_size() == 1);
  CHECK(full.decision().subjects(0) == alice);
  REQUIRE(full.decision().consent_ids_size() == 1);
  CHECK(full.decision().consent_ids(0) == consent_id);

  // Three questions named subjects; one about an OPEN dataset names none
  // and writes nothing.
  v1::ExplainAccessResponse open;
  REQUIRE(Explain(producer, {}, &open, "rennes.mobility.bike-stations").ok());
  CHECK(open.subjects_asked() == 0);
  CHECK(open.revision() == 0);
  entries = ExplainEntries(auditor);
  REQUIRE(entries.size() == 3);
  CHECK(entries[1].event().actor() == "partner-demo");
  CHECK(entries[1].event().detail().at("subjects_asked") == "2");
  CHECK(entries[2].event().actor() == "operator");
  for (const v1::LogEntry& e : entries) {
    CHECK_FALSE(absl::StrContains(e.raw(), alice));
    CHECK_FALSE(absl::StrContains(e.raw(), kNobody));
  }

  // The CLI shows the producer the counts, and no pseudonym.
  CliResult cli =
      broker.Cli({"policy", "explain", "--partner", "partner-demo", "--dataset",
                  kPersonal, "--purpose", kResearch, "--subjects",
                  alice + "," + kNobody, "--as", "producer-demo"});
  INFO(cli.out << cli.err);
  REQUIRE(cli.exit_code == 0);
  CHECK(absl::StrContains(cli.out, "PERMIT"));
  CHECK(absl::StrContains(cli.out,
                          "subjects: 2 asked, 1 permitted, 1 without consent"));
  CHECK_FALSE(absl::StrContains(cli.out, alice));
  CHECK_FALSE(absl::StrContains(cli.out, consent_id));
  CHECK(ExplainEntries(auditor).size() == 4);
}

TEST_CASE(
    "a partner's grant responses name the subjects granted and no "
    "consent id") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const auto [alice, consent_id] = AliceConsents(broker);
  Stubs partner(broker, "partner-demo");

  v1::RequestGrantResponse one;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(Far());
    grpc::Status s = partner.access->RequestGrant(
        &ctx, HouseholdRequest(kResearch, alice), &one);
    INFO(s.error_message());
    REQUIRE(s.ok());
  }
  CHECK(one.decision().outcome() == v1::OUTCOME_PERMIT);
  REQUIRE(one.decision().subjects_size() == 1);
  CHECK(one.decision().subjects(0) == alice);
  REQUIRE(one.grants_size() == 1);
  CHECK(one.grants(0).subjects_size() == 1);
  CHECK(one.decision().consent_ids().empty());
  CHECK_FALSE(absl::StrContains(one.SerializeAsString(), consent_id));

  v1::RequestGrantsRequest batch;
  *batch.add_requests() = HouseholdRequest(kResearch, alice);
  *batch.add_requests() = HouseholdRequest(kResearch, alice);
  v1::RequestGrantsResponse many;
  grpc::ClientContext ctx;
  ctx.set_deadline(Far());
  REQUIRE(partner.access->RequestGrants(&ctx, batch, &many).ok());
  REQUIRE(many.results_size() == 2);
  for (const v1::RequestGrantsResult& r : many.results()) {
    CHECK(r.status_code() == 0);
    CHECK(r.response().decision().subjects_size() == 1);
    CHECK(r.response().decision().consent_ids().empty());
  }
  CHECK_FALSE(absl::StrContains(many.SerializeAsString(), consent_id));
}

TEST_CASE(
    "a partner's revocation stream never groups the grants one "
    "withdrawal revoked") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  // Named copies: clang 14 does not let a lambda capture a structured
  // binding.
  const auto alice_consent = AliceConsents(broker);
  const std::string alice = alice_consent.first;
  const std::string consent_id = alice_consent.second;
  Stubs partner(broker, "partner-demo");
  Stubs op(broker, "operator");

  // Two grants naming Alice, for two purposes her consent covers.
  std::set<std::string> granted;
  for (const char* purpose : {kResearch, kAcademic}) {
    v1::RequestGrantResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(Far());
    grpc::Status s = partner.access->RequestGrant(
        &ctx, HouseholdRequest(purpose, alice), &response);
    INFO(purpose << ": " << s.error_message());
    REQUIRE(s.ok());
    REQUIRE(response.grants_size() == 1);
    granted.insert(response.grants(0).id());
  }
  REQUIRE(granted.size() == 2);

  // The partner follows the stream from the start; Alice withdraws.
  grpc::ClientContext live_ctx;
  live_ctx.set_deadline(Far());
  auto live = partner.trust->WatchRevocations(&live_ctx, {});
  CliResult withdrawn =
      broker.Cli({"consent", "withdraw", consent_id, "--citizen", "alice"});
  INFO(withdrawn.err);
  REQUIRE(withdrawn.exit_code == 0);

  // What the partner sees, as it happens and replayed later: one grant per
  // message, no revision shared by the two, no subject anywhere.
  auto check_partner_view = [&](const std::vector<v1::Revocation>& read) {
    std::set<std::string> seen;
    std::set<uint64_t> revisions;
    for (const v1::Revocation& r : read) {
      REQUIRE(r.grant_ids_size() == 1);
      CHECK(r.cause() == "consent_withdrawn");
      seen.insert(r.grant_ids(0));
      if (r.revision() != 0) CHECK(revisions.insert(r.revision()).second);
      CHECK_FALSE(absl::StrContains(r.SerializeAsString(), alice));
    }
    CHECK(seen == granted);
    CHECK(read.size() == 2);
    CHECK(revisions.size() <= 1);
  };
  std::vector<v1::Revocation> as_it_happened = ReadUntil(*live, granted);
  check_partner_view(as_it_happened);
  // The last message is the point to resume after.
  REQUIRE(!as_it_happened.empty());
  const uint64_t resume = as_it_happened.back().revision();
  CHECK(resume > 0);
  live_ctx.TryCancel();
  live->Finish();

  grpc::ClientContext replay_ctx;
  replay_ctx.set_deadline(Far());
  auto replay = partner.trust->WatchRevocations(&replay_ctx, {});
  check_partner_view(ReadUntil(*replay, granted));
  replay_ctx.TryCancel();
  replay->Finish();

  // The operator reads the revocation as stored: both grants, one message.
  grpc::ClientContext op_ctx;
  op_ctx.set_deadline(Far());
  auto op_stream = op.trust->WatchRevocations(&op_ctx, {});
  std::vector<v1::Revocation> op_read = ReadUntil(*op_stream, granted);
  REQUIRE(op_read.size() == 1);
  CHECK(op_read[0].grant_ids_size() == 2);
  CHECK(op_read[0].revision() == resume);
  op_ctx.TryCancel();
  op_stream->Finish();
}

}  // namespace
}  // namespace accord::testing
