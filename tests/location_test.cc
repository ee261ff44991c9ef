// The processing location a partner declares, matched against the
// `locations` of policy rules: grant requests, batches and explanations.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

constexpr char kDataset[] = "rennes.test.where";

std::string Outcome(const formats::JsonValue& response) {
  const formats::JsonValue* decision = response.Find("decision");
  const formats::JsonValue* outcome =
      decision != nullptr ? decision->Find("outcome") : nullptr;
  return outcome != nullptr && outcome->AsString() != nullptr
             ? *outcome->AsString()
             : "";
}

bool HasReason(const formats::JsonValue& response, const std::string& code) {
  const formats::JsonValue* reasons =
      response.Find("decision")->Find("reasons");
  if (reasons == nullptr || reasons->AsArray() == nullptr) return false;
  for (const formats::JsonValue& r : *reasons->AsArray()) {
    const formats::JsonValue* c = r.Find("code");
    if (c != nullptr && c->AsString() != nullptr && *c->AsString() == code) {
      return true;
    }
  }
  return false;
}

CliResult Grant(const BrokerProcess& broker, std::vector<std::string> extra) {
  std::vector<std::string> args = {
      "grant",     "request",           "--dataset",  kDataset,
      "--purpose", "service-provision", "--audience", "svc",
      "--as",      "partner-demo",      "--output",   "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return broker.Cli(std::move(args));
}

CliResult Explain(const BrokerProcess& broker, const char* location) {
  return broker.Cli({"policy", "explain", "--partner", "partner-demo",
                     "--dataset", kDataset, "--purpose", "service-provision",
                     "--location", location, "--as", "partner-demo", "--output",
                     "json"});
}

TEST_CASE("a location rule permits eu and denies a request located in us") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  REQUIRE(broker
              .Cli({"dataset", "put", "--id", kDataset, "--title", "Where",
                    "--classification", "open", "--fields", "a,b", "--as",
                    "producer-demo"})
              .exit_code == 0);
  const std::string policy = dir.path() + "/where.policy.yaml";
  {
    std::ofstream out(policy);
    out << "dataset: " << kDataset << "\n"
        << "rules:\n"
           "  - id: in-the-eu\n"
           "    effect: permit\n"
           "    assignees: {principals: [partner-demo]}\n"
           "    purposes: [service-provision]\n"
           "    locations: [eu]\n";
  }
  CliResult put =
      broker.Cli({"policy", "put", kDataset, policy, "--as", "producer-demo"});
  INFO(put.err);
  REQUIRE(put.exit_code == 0);

  CliResult us = Grant(broker, {"--location", "us"});
  INFO(us.err);
  REQUIRE(us.exit_code == 0);
  CHECK(Outcome(us.json) == "deny");
  CHECK(HasReason(us.json, "location_not_allowed"));
  const formats::JsonValue* grants = us.json.Find("grants");
  CHECK((grants == nullptr || grants->AsArray()->empty()));

  CliResult eu = Grant(broker, {"--location", "eu"});
  INFO(eu.err);
  REQUIRE(eu.exit_code == 0);
  CHECK(Outcome(eu.json) == "permit");

  // No location: eu.
  CliResult none = Grant(broker, {});
  REQUIRE(none.exit_code == 0);
  CHECK(Outcome(none.json) == "permit");

  // Not a location code: refused before any decision.
  for (const char* bad : {"US", "e u", "-eu"}) {
    CAPTURE(bad);
    CliResult r = Grant(broker, {"--location", bad});
    CHECK(r.exit_code == 1);
    CHECK(absl::StrContains(r.err, "INVALID_ARGUMENT"));
    CHECK(absl::StrContains(r.err, "location"));
  }

  // ExplainAccess takes the same field.
  CliResult explain_us = Explain(broker, "us");
  INFO(explain_us.err);
  REQUIRE(explain_us.exit_code == 0);
  CHECK(Outcome(explain_us.json) == "deny");
  CHECK(HasReason(explain_us.json, "location_not_allowed"));
  CliResult explain_eu = Explain(broker, "eu");
  REQUIRE(explain_eu.exit_code == 0);
  CHECK(Outcome(explain_eu.json) == "permit");

  // So does each request of a batch.
  const std::string batch = dir.path() + "/batch.json";
  {
    std::ofstream out(batch);
    for (const char* prefix : {"[", ","}) {
      out << prefix << "{\"dataset_id\": \"" << kDataset
          << "\", \"purpose\": \"service-provision\", \"audience\": \"svc\", "
             "\"location\": \""
          << (prefix[0] == '[' ? "us" : "eu") << "\"}";
    }
    out << "]";
  }
  CliResult batched = broker.Cli({"grant", "request-batch", batch, "--as",
                                  "partner-demo", "--output", "json"});
  INFO(batched.err);
  REQUIRE(batched.exit_code == 0);
  const formats::JsonValue* results = batched.json.Find("results");
  REQUIRE(results != nullptr);
  REQUIRE(results->AsArray()->size() == 2);
  CHECK(Outcome(*results->AsArray()->at(0).Find("response")) == "deny");
  CHECK(Outcome(*results->AsArray()->at(1).Find("response")) == "permit");

  // Each decision's log entry records the location it was made for: us, eu,
  // eu (none given), then the batch's us and eu.
  CliResult decisions =
      broker.Cli({"audit", "query", "--dataset", kDataset, "--type", "decision",
                  "--as", "auditor-demo", "--output", "json"});
  INFO(decisions.err);
  REQUIRE(decisions.exit_code == 0);
  std::vector<std::string> locations;
  for (const formats::JsonValue& e :
       *decisions.json.Find("entries")->AsArray()) {
    const formats::JsonValue* where =
        e.Find("event")->Find("detail")->Find("location");
    locations.push_back(where != nullptr && where->AsString() != nullptr
                            ? *where->AsString()
                            : "(none)");
  }
  CHECK(locations == std::vector<std::string>{"us", "eu", "eu", "us", "eu"});
}

}  // namespace
}  // namespace accord::testing
