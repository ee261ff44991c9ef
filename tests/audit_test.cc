// The auditor's tools against the real broker: signed checkpoints, proofs of
// grants, event queries, export and offline verification.
#include <catch2/catch.hpp>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "broker/testing/metrics_sample.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

constexpr char kOpen[] = "rennes.mobility.bike-stations";
constexpr char kAirQuality[] = "rennes.environment.air-quality";

std::string Str(const formats::JsonValue& v, const char* key) {
  const formats::JsonValue* f = v.Find(key);
  return f != nullptr && f->AsString() != nullptr ? *f->AsString() : "";
}

size_t Count(const formats::JsonValue& v, const char* key) {
  const formats::JsonValue* list = v.Find(key);
  return list != nullptr && list->AsArray() != nullptr ? list->AsArray()->size()
                                                       : 0;
}

CliResult Audit(const BrokerProcess& broker, std::vector<std::string> args) {
  args.insert(args.begin(), "audit");
  args.insert(args.end(), {"--as", "auditor-demo", "--output", "json"});
  return broker.Cli(std::move(args));
}

std::string RequestGrant(const BrokerProcess& broker, const char* dataset,
                         const char* purpose) {
  CliResult r = broker.Cli({"grant", "request", "--dataset", dataset,
                            "--purpose", purpose, "--audience", "svc", "--as",
                            "partner-demo", "--output", "json"});
  const formats::JsonValue* grants = r.json.Find("grants");
  if (grants == nullptr || grants->AsArray() == nullptr ||
      grants->AsArray()->empty()) {
    return "";
  }
  return Str(grants->AsArray()->at(0), "id");
}

TEST_CASE("auditors verify checkpoints, prove grants and query events") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const std::string grant = RequestGrant(broker, kOpen, "service-provision");
  REQUIRE(!grant.empty());
  // A denial: marketing is not allowed on the air-quality dataset.
  CliResult denied =
      broker.Cli({"grant", "request", "--dataset", kAirQuality, "--purpose",
                  "commercial.marketing", "--audience", "svc", "--as",
                  "partner-demo", "--output", "json"});
  INFO(denied.err << denied.out);

  SECTION("the checkpoint is verified and saved") {
    const std::string saved = dir.path() + "/cp.note";
    CliResult cp = Audit(broker, {"checkpoint", "--save", saved});
    INFO(cp.err);
    REQUIRE(cp.exit_code == 0);
    std::ifstream in(saved);
    std::string first_line;
    std::getline(in, first_line);
    CHECK(!first_line.empty());  // the origin line of the signed note
    // A well-formed key that is not the broker's (the Ed25519 public key
    // of RFC 8032's first test vector, under the log's name) refuses the
    // checkpoint.
    CliResult wrong =
        Audit(broker, {"checkpoint", "--log-key",
                       "accord.local/log+ef76c462+"
                       "AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"});
    INFO(wrong.err);
    CHECK(wrong.exit_code == 1);
    CHECK(wrong.err.find("UNAUTHENTICATED") != std::string::npos);
    CHECK(wrong.err.find("no signature by accord.local/log") !=
          std::string::npos);
  }

  SECTION("a grant's entry is proven in the signed checkpoint") {
    CliResult proof = Audit(broker, {"prove", "--grant", grant});
    INFO(proof.err);
    REQUIRE(proof.exit_code == 0);
    CHECK(Count(proof.json, "proof") > 0);
    CliResult unknown = Audit(broker, {"prove", "--grant", "no-such-grant"});
    INFO(unknown.err);
    CHECK(unknown.exit_code == 1);
    CHECK(unknown.err.find("NOT_FOUND") != std::string::npos);
  }

  SECTION("queries filter by partner, dataset, decision and type") {
    CliResult permits = Audit(
        broker, {"query", "--partner", "partner-demo", "--decision", "permit"});
    INFO(permits.err);
    REQUIRE(permits.exit_code == 0);
    REQUIRE(Count(permits.json, "entries") == 1);
    const formats::JsonValue& e =
        permits.json.Find("entries")->AsArray()->at(0);
    CHECK(Str(*e.Find("event"), "grant_id") == grant);
    CHECK(e.Find("index")->AsInt64().has_value());
    CliResult denials = Audit(
        broker, {"query", "--dataset", kAirQuality, "--decision", "deny"});
    REQUIRE(denials.exit_code == 0);
    CHECK(Count(denials.json, "entries") == 1);
    CliResult decisions = Audit(broker, {"query", "--type", "decision"});
    REQUIRE(decisions.exit_code == 0);
    CHECK(Count(decisions.json, "entries") == 2);
    CliResult policies = Audit(broker, {"query", "--type", "policy"});
    REQUIRE(policies.exit_code == 0);
    CHECK(Count(policies.json, "entries") >= 3);  // the demo policies
    CliResult none = Audit(broker, {"query", "--partner", "nobody"});
    REQUIRE(none.exit_code == 0);
    CHECK(Count(none.json, "entries") == 0);
    CliResult future = Audit(broker, {"query", "--since", "4000000000"});
    REQUIRE(future.exit_code == 0);
    CHECK(Count(future.json, "entries") == 0);
    // --limit: the first N in log order.
    CliResult first =
        Audit(broker, {"query", "--type", "policy", "--limit", "2"});
    REQUIRE(first.exit_code == 0);
    CHECK(Count(first.json, "entries") == 2);
    CHECK(
        first.json.Find("entries")->AsArray()->at(0).Find("index")->AsInt64() ==
        policies.json.Find("entries")
            ->AsArray()
            ->at(0)
            .Find("index")
            ->AsInt64());
    // Once the query indexes hold the whole log, they serve it alone: no
    // entry read one by one, no note. (Until then, the newest entries are
    // read in log order.)
    REQUIRE(WaitUntil([&] {
      auto page = broker.Get("/metrics");
      return page.ok() && Sample(page->body, "accord_log_indexed_entries") ==
                              Sample(page->body, "accord_log_size");
    }));
    CliResult indexed = Audit(broker, {"query", "--type", "policy"});
    REQUIRE(indexed.exit_code == 0);
    CHECK(Count(indexed.json, "entries") == Count(policies.json, "entries"));
    CHECK(indexed.json.Find("scanned")->AsInt64() == 0);
    CHECK(indexed.json.Find("examined")->AsInt64() ==
          Count(indexed.json, "entries"));
    CHECK(indexed.err.find("one by one") == std::string::npos);
    // Log entries name no subject: a query by subject alone reads the log
    // entry by entry, and says so.
    CliResult by_subject = Audit(broker, {"query", "--subject", "c3ViamVjdA"});
    REQUIRE(by_subject.exit_code == 0);
    CHECK(by_subject.json.Find("scanned")->AsInt64() > 0);
    CHECK(by_subject.err.find("read one by one") != std::string::npos);
    CliResult bad = Audit(broker, {"query", "--subject", "not a pseudonym"});
    CHECK(bad.exit_code == 1);
    CHECK(bad.err.find("INVALID_ARGUMENT") != std::string::npos);
  }

  SECTION("verify passes live and on an export, and checks a saved one") {
    const std::string saved = dir.path() + "/cp.note";
    REQUIRE(Audit(broker, {"checkpoint", "--save", saved}).exit_code == 0);
    RequestGrant(broker, kOpen, "service-provision");
    CliResult live = Audit(broker, {"verify", "--since", saved});
    INFO(live.err << live.out);
    REQUIRE(live.exit_code == 0);
    CHECK(live.json.Find("ok")->AsBool() == true);

    const std::string key = dir.path() + "/log.key";
    REQUIRE(Audit(broker, {"key", "--save", key}).exit_code == 0);
    const std::string file = dir.path() + "/log.export";
    CliResult exported = Audit(broker, {"export", file});
    INFO(exported.err);
    REQUIRE(exported.exit_code == 0);
    CliResult offline = Audit(
        broker, {"verify", "--file", file, "--key", key, "--since", saved});
    INFO(offline.err << offline.out);
    REQUIRE(offline.exit_code == 0);
    CHECK(offline.json.Find("ok")->AsBool() == true);
    // --file without the key to trust is a usage error.
    CHECK(Audit(broker, {"verify", "--file", file}).exit_code == 2);
  }
}

TEST_CASE("a citizen's access history is proven in the signed log") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const char kPersonal[] = "rennes.energy.household-consumption";
  CliResult given =
      broker.Cli({"consent", "give", "--dataset", kPersonal, "--purpose",
                  "research-and-development", "--partner", "partner-demo",
                  "--citizen", "alice", "--output", "json"});
  INFO(given.err);
  REQUIRE(given.exit_code == 0);
  const std::string alice = Str(*given.json.Find("consent"), "subject");
  for (int i = 0; i < 3; ++i) {
    CliResult grant = broker.Cli({"grant", "request", "--dataset", kPersonal,
                                  "--purpose", "research-and-development",
                                  "--audience", "svc", "--subjects", alice,
                                  "--as", "partner-demo", "--output", "json"});
    INFO(grant.err);
    REQUIRE(grant.exit_code == 0);
  }
  CliResult history = broker.Cli({"consent", "history", "--citizen", "alice",
                                  "--verify", "--output", "json"});
  INFO(history.err << history.out);
  REQUIRE(history.exit_code == 0);
  REQUIRE(Count(history.json, "records") == 3);
  for (const formats::JsonValue& r : *history.json.Find("records")->AsArray()) {
    CHECK(!Str(r, "log_entry").empty());
    CHECK(Count(r, "inclusion_proof") > 0);
  }
  CHECK(!Str(history.json, "checkpoint").empty());
  CHECK(history.err.find("verified 3 records") != std::string::npos);
}

}  // namespace
}  // namespace accord::testing
