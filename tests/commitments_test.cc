// Subject commitments against the real broker: a log entry names no
// pseudonym, and a citizen's access history gives their own opening only.
// A grant names Alice and Bob; Alice's GetAccessHistory response, in bytes,
// holds nothing from which Bob's pseudonym can be read or recomputed (not
// his pseudonym, his key or his opening), and her history verifies.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "accord/v1/audit.grpc.pb.h"
#include "accord/v1/consent.grpc.pb.h"
#include "broker/auditlog/commitment.h"
#include "broker/auditlog/entry.h"
#include "broker/crypto/signing_key.h"
#include "broker/dev/dev_layout.h"
#include "broker/store/store.h"
#include "clients/dev_token.h"
#include "tests/broker_harness.h"
#include "tests/tls_callers.h"

namespace accord::testing {
namespace {

constexpr char kPersonal[] = "rennes.energy.household-consumption";
constexpr char kPurpose[] = "research-and-development";

std::string Str(const formats::JsonValue& v, const char* key) {
  const formats::JsonValue* f = v.Find(key);
  return f != nullptr && f->AsString() != nullptr ? *f->AsString() : "";
}

// Gives `citizen`'s consent to partner-demo; returns their pseudonym.
std::string Consent(const BrokerProcess& broker, const char* citizen) {
  CliResult given = broker.Cli(
      {"consent", "give", "--dataset", kPersonal, "--purpose", kPurpose,
       "--partner", "partner-demo", "--citizen", citizen, "--output", "json"});
  INFO(given.err);
  REQUIRE(given.exit_code == 0);
  return Str(*given.json.Find("consent"), "subject");
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(60));
  if (!token.empty()) {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  return ctx;
}

// Every entry of the log, as an auditor reads it.
std::vector<std::string> AllEntries(const BrokerProcess& broker,
                                    const std::string& ca) {
  auto auditor = DevIdentity(broker.data_dir(), "auditor-demo");
  REQUIRE(auditor.ok());
  auto stub = v1::AuditService::NewStub(
      OpenChannel(broker.grpc_address(), ca, *auditor));
  std::vector<std::string> out;
  for (;;) {
    v1::GetEntriesRequest request;
    request.set_start(out.size());
    request.set_count(1000);
    v1::GetEntriesResponse response;
    grpc::Status s = stub->GetEntries(Context("").get(), request, &response);
    if (s.error_code() == grpc::StatusCode::OUT_OF_RANGE) return out;
    INFO(s.error_message());
    REQUIRE(s.ok());
    if (response.entries().empty()) return out;
    for (const v1::LogEntry& e : response.entries()) out.push_back(e.raw());
  }
}

TEST_CASE(
    "a grant naming Alice and Bob: Alice's history reveals nothing of Bob") {
  TempDir dir;
  const std::string data = dir.path() + "/var";
  BrokerProcess broker(data);
  REQUIRE(broker.Start().ok());
  const std::string alice = Consent(broker, "alice");
  const std::string bob = Consent(broker, "bob");
  REQUIRE(!alice.empty());
  REQUIRE(!bob.empty());
  CliResult grant = broker.Cli({"grant", "request", "--dataset", kPersonal,
                                "--purpose", kPurpose, "--audience", "svc",
                                "--subjects", absl::StrCat(alice, ",", bob),
                                "--as", "partner-demo", "--output", "json"});
  INFO(grant.err << grant.out);
  REQUIRE(grant.exit_code == 0);
  REQUIRE(grant.out.find(bob) != std::string::npos);  // the grant names both

  // Alice's history, as the citizens' app receives it.
  auto ca = DevCaPem(data);
  REQUIRE(ca.ok());
  auto app = DevIdentity(data, "citizen-app");
  REQUIRE(app.ok());
  auto issuer = crypto::SigningKey::ReadPemFile(dev::IssuerKeyPath(data));
  REQUIRE(issuer.ok());
  auto token = client::MintDevCitizenToken(
      *issuer, "alice", static_cast<int64_t>(std::time(nullptr)));
  REQUIRE(token.ok());
  auto consent = v1::ConsentService::NewStub(
      OpenChannel(broker.grpc_address(), *ca, *app));
  v1::GetAccessHistoryResponse history;
  grpc::Status called = consent->GetAccessHistory(
      Context(*token).get(), v1::GetAccessHistoryRequest(), &history);
  INFO(called.error_message());
  REQUIRE(called.ok());
  const std::string bytes = history.SerializeAsString();
  CHECK(history.subject() == alice);
  REQUIRE(history.records_size() == 1);
  const v1::AccessRecord& record = history.records(0);
  CHECK_FALSE(record.recorded_before_commitments());
  CHECK(record.subject_opening().size() == auditlog::kOpeningBytes);
  absl::StatusOr<v1::AuditEvent> event =
      auditlog::DecodeEntry(record.log_entry());
  REQUIRE(event.ok());
  CHECK(auditlog::EntryVersion(record.log_entry()) == auditlog::kEntryVersion);
  CHECK(event->subject_count() == 2);
  CHECK(event->subjects().empty());
  CHECK(auditlog::HasCommitment(*event, record.subject_opening(), alice));
  CHECK(bytes.find(bob) == std::string::npos);

  // Alice's own check, as `accord consent history --verify` does it.
  CliResult verified =
      broker.Cli({"consent", "history", "--citizen", "alice", "--verify"});
  INFO(verified.err << verified.out);
  CHECK(verified.exit_code == 0);
  CHECK(verified.err.find("verified 1 records") != std::string::npos);

  // No entry of the log names a pseudonym: every entry is of version 2.
  const std::vector<std::string> entries = AllEntries(broker, *ca);
  REQUIRE(entries.size() >= 3);  // the demo content, two consents, a grant
  for (const std::string& raw : entries) {
    CHECK(auditlog::EntryVersion(raw) == auditlog::kEntryVersion);
    CHECK(raw.find(alice) == std::string::npos);
    CHECK(raw.find(bob) == std::string::npos);
    CHECK(raw.find("subject:") == std::string::npos);
  }

  // An auditor still finds Bob's events by his pseudonym: the broker
  // matches his commitments with his key.
  CliResult query = broker.Cli({"audit", "query", "--subject", bob, "--as",
                                "auditor-demo", "--output", "json"});
  INFO(query.err);
  REQUIRE(query.exit_code == 0);
  const formats::JsonValue* found = query.json.Find("entries");
  REQUIRE(found != nullptr);
  REQUIRE(found->AsArray() != nullptr);
  CHECK(found->AsArray()->size() == 2);  // his consent and the grant
  CHECK(query.out.find(bob) == std::string::npos);

  // Under a court order the operator hands Bob's key to an auditor, who
  // finds Bob's entries offline; the export is logged without his name.
  const std::string key_file = dir.path() + "/bob.key";
  CliResult no_reference =
      broker.Cli({"admin", "subject-key", "export", "--subject", bob, "--out",
                  key_file, "--as", "operator"});
  INFO(no_reference.err);
  CHECK(no_reference.exit_code == 1);
  CHECK(no_reference.err.find("INVALID_ARGUMENT") != std::string::npos);
  CHECK(no_reference.err.find("legal_reference") != std::string::npos);
  CliResult not_operator = broker.Cli(
      {"admin", "subject-key", "export", "--subject", bob, "--legal-reference",
       "TJ Rennes 2026/123", "--out", key_file, "--as", "auditor-demo"});
  INFO(not_operator.err);
  CHECK(not_operator.exit_code == 1);
  CHECK(not_operator.err.find("PERMISSION_DENIED") != std::string::npos);
  CliResult exported = broker.Cli(
      {"admin", "subject-key", "export", "--subject", bob, "--legal-reference",
       "TJ Rennes 2026/123", "--out", key_file, "--as", "operator"});
  INFO(exported.err << exported.out);
  REQUIRE(exported.exit_code == 0);
  CliResult traced =
      broker.Cli({"audit", "trace", "--subject", bob, "--subject-key-file",
                  key_file, "--as", "auditor-demo", "--output", "json"});
  INFO(traced.err << traced.out);
  REQUIRE(traced.exit_code == 0);
  const formats::JsonValue* trace = traced.json.Find("entries");
  REQUIRE(trace != nullptr);
  REQUIRE(trace->AsArray() != nullptr);
  CHECK(trace->AsArray()->size() == 2);  // his consent and the grant
  CliResult alice_trace =
      broker.Cli({"audit", "trace", "--subject", alice, "--subject-key-file",
                  key_file, "--as", "auditor-demo", "--output", "json"});
  REQUIRE(alice_trace.exit_code == 0);
  const formats::JsonValue* none = alice_trace.json.Find("entries");
  CHECK((none == nullptr || none->AsArray()->empty()));  // not her key
  CliResult exports =
      broker.Cli({"audit", "query", "--type", "subject-key-export", "--as",
                  "auditor-demo", "--output", "json"});
  REQUIRE(exports.exit_code == 0);
  CHECK(exports.out.find("TJ Rennes 2026/123") != std::string::npos);
  const std::vector<std::string> after = AllEntries(broker, *ca);
  REQUIRE(after.size() == entries.size() + 1);
  CHECK(after.back().find(bob) == std::string::npos);

  // Bob's key and his opening of the grant's entry are nowhere in Alice's
  // response, though the entry does commit to him.
  REQUIRE(broker.Stop() == 0);
  store::StoreOptions read_only;
  read_only.read_only = true;
  auto store = store::Store::Open(data + "/db", read_only);
  REQUIRE(store.ok());
  absl::StatusOr<std::string> bob_key = (*store)->GetSubjectKey(bob);
  REQUIRE(bob_key.ok());
  absl::StatusOr<std::string> bob_opening =
      auditlog::SubjectOpening(*bob_key, event->commitment_salt());
  REQUIRE(bob_opening.ok());
  CHECK(auditlog::HasCommitment(*event, *bob_opening, bob));
  CHECK(bytes.find(*bob_key) == std::string::npos);
  CHECK(bytes.find(*bob_opening) == std::string::npos);
  absl::StatusOr<std::string> alice_key = (*store)->GetSubjectKey(alice);
  REQUIRE(alice_key.ok());
  CHECK(bytes.find(*alice_key) == std::string::npos);  // only her opening
  CHECK(absl::HexStringToBytes(std::string(
            absl::StripAsciiWhitespace(ReadAll(key_file)))) == *bob_key);
}

}  // namespace
}  // namespace accord::testing
