// The README walk-through, end to end: the real broker in dev mode, driven
// over mutual TLS through the real CLI, each role in turn.
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

constexpr char kPersonal[] = "rennes.energy.household-consumption";
constexpr char kOpen[] = "rennes.mobility.bike-stations";
constexpr char kAudience[] = "data.rennes.example";

std::string Str(const formats::JsonValue& v,
                std::initializer_list<const char*> path) {
  const formats::JsonValue* cur = &v;
  for (const char* key : path) {
    cur = cur->Find(key);
    if (cur == nullptr) return "";
  }
  return cur->AsString() != nullptr ? *cur->AsString() : "";
}

size_t Count(const formats::JsonValue& v, const char* key) {
  const formats::JsonValue* list = v.Find(key);
  return list != nullptr && list->AsArray() != nullptr ? list->AsArray()->size()
                                                       : 0;
}

CliResult VerifyWithPyJwt(const BrokerProcess& broker,
                          const std::string& token) {
  return Run("/usr/bin/python3", {SourceDir() + "/tests/verify_grant.py",
                                  absl::StrCat("http://", broker.http_address(),
                                               "/.well-known/jwks.json"),
                                  kAudience, token});
}

TEST_CASE("each role's slice works end to end and survives a restart") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());

  // Producer: the demo datasets are there with their policies.
  CliResult datasets = broker.Cli(
      {"dataset", "list", "--as", "producer-demo", "--output", "json"});
  INFO(datasets.err);
  REQUIRE(datasets.exit_code == 0);
  CHECK(Count(datasets.json, "datasets") == 3);

  // Citizen: give a consent and list it.
  CliResult given =
      broker.Cli({"consent", "give", "--dataset", kPersonal, "--purpose",
                  "research-and-development", "--partner", "partner-demo",
                  "--citizen", "alice", "--output", "json"});
  INFO(given.err);
  REQUIRE(given.exit_code == 0);
  const std::string consent_id = Str(given.json, {"consent", "id"});
  const std::string alice = Str(given.json, {"consent", "subject"});
  REQUIRE(!consent_id.empty());
  REQUIRE(!alice.empty());
  CHECK(!Str(given.json, {"receipt"}).empty());
  CliResult listed =
      broker.Cli({"consent", "list", "--citizen", "alice", "--output", "json"});
  REQUIRE(listed.exit_code == 0);
  CHECK(Count(listed.json, "consents") == 1);
  // Another citizen sees none of it.
  CliResult bob_list =
      broker.Cli({"consent", "list", "--citizen", "bob", "--output", "json"});
  REQUIRE(bob_list.exit_code == 0);
  CHECK(Count(bob_list.json, "consents") == 0);

  // Partner: a grant names only the consenting subject and verifies with a
  // stock JWT library against the JWKS served over HTTP.
  const std::string nobody = "bm8tY29uc2VudC1zdWJqZWN0";
  CliResult grant =
      broker.Cli({"grant", "request", "--dataset", kPersonal, "--purpose",
                  "research-and-development", "--audience", kAudience,
                  "--subjects", absl::StrCat(alice, ",", nobody), "--as",
                  "partner-demo", "--output", "json"});
  INFO(grant.err << grant.out);
  REQUIRE(grant.exit_code == 0);
  CHECK(Str(grant.json, {"decision", "outcome"}) == "permit");
  REQUIRE(Count(grant.json, "grants") == 1);
  const formats::JsonValue& first = grant.json.Find("grants")->AsArray()->at(0);
  const std::string token = Str(first, {"token"});
  CliResult verified = VerifyWithPyJwt(broker, token);
  INFO(verified.err);
  REQUIRE(verified.exit_code == 0);
  CHECK(Str(verified.json, {"sub"}) == "partner-demo");
  CHECK(Str(verified.json, {"dataset"}) == kPersonal);
  const formats::JsonValue* subjects = verified.json.Find("subjects");
  REQUIRE(subjects != nullptr);
  REQUIRE(subjects->AsArray()->size() == 1);
  CHECK(*subjects->AsArray()->at(0).AsString() == alice);
  CHECK(!Str(verified.json, {"cnf", "x5t#S256"}).empty());
  CHECK(!Str(verified.json, {"policy", "hash"}).empty());

  // A grant for an OPEN dataset.
  CliResult open = broker.Cli(
      {"grant", "request", "--dataset", kOpen, "--purpose", "service-provision",
       "--audience", kAudience, "--as", "partner-demo", "--output", "json"});
  INFO(open.err << open.out);
  REQUIRE(open.exit_code == 0);
  CHECK(Str(open.json, {"decision", "outcome"}) == "permit");

  // The citizen sees who used the data, then withdraws.
  CliResult history = broker.Cli(
      {"consent", "history", "--citizen", "alice", "--output", "json"});
  REQUIRE(history.exit_code == 0);
  CHECK(Count(history.json, "records") == 1);
  CliResult withdrawn = broker.Cli({"consent", "withdraw", consent_id,
                                    "--citizen", "alice", "--output", "json"});
  INFO(withdrawn.err);
  REQUIRE(withdrawn.exit_code == 0);
  CHECK(Str(withdrawn.json, {"consent", "state"}) == "withdrawn");
  // Another citizen cannot withdraw alice's consent, nor see it.
  CliResult foreign = broker.Cli(
      {"consent", "show", consent_id, "--citizen", "bob", "--output", "json"});
  CHECK(foreign.exit_code == 1);
  CHECK(foreign.err.find("NOT_FOUND") != std::string::npos);

  // The next request names nobody: denied, with reasons.
  CliResult after = broker.Cli({"grant", "request", "--dataset", kPersonal,
                                "--purpose", "research-and-development",
                                "--audience", kAudience, "--subjects", alice,
                                "--as", "partner-demo", "--output", "json"});
  REQUIRE(after.exit_code == 0);
  CHECK(Str(after.json, {"decision", "outcome"}) == "deny");
  CHECK(Count(after.json, "grants") == 0);
  CHECK(Count(after.json.Find("decision") ? *after.json.Find("decision")
                                          : formats::JsonValue(),
              "reasons") > 0);

  // Everything survives a restart.
  REQUIRE(broker.Stop() == 0);
  REQUIRE(broker.Start().ok());
  CliResult again = broker.Cli({"consent", "show", consent_id, "--citizen",
                                "alice", "--output", "json"});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(Str(again.json, {"consent", "state"}) == "withdrawn");
  CHECK(Count(*again.json.Find("consent"), "events") == 2);
  CliResult history_again = broker.Cli(
      {"consent", "history", "--citizen", "alice", "--output", "json"});
  REQUIRE(history_again.exit_code == 0);
  CHECK(Count(history_again.json, "records") == 1);
  // The grant issued before the restart still verifies.
  CHECK(VerifyWithPyJwt(broker, token).exit_code == 0);
}

}  // namespace
}  // namespace accord::testing
