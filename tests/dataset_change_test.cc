// A dataset change that its live policy would no longer apply to: refused
// unless forced, audited either way; once forced, partners read a generic
// error while the producer and the operator read the policy's problems.
#include <catch2/catch.hpp>
#include <fstream>

#include "absl/strings/match.h"
#include "tests/broker_harness.h"
#include "tests/cli_refusal.h"

namespace accord::testing {
namespace {

constexpr char kDataset[] = "rennes.test.sensors";
constexpr char kGeneric[] =
    "the dataset's policy cannot be applied; its producer has been told";

std::string Str(const formats::JsonValue* v, const char* key) {
  if (v == nullptr) return "";
  const formats::JsonValue* f = v->Find(key);
  return f != nullptr && f->AsString() != nullptr ? *f->AsString() : "";
}

CliResult PutDataset(const BrokerProcess& broker, const char* fields,
                     std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"dataset",
                                   "put",
                                   "--id",
                                   kDataset,
                                   "--title",
                                   "Sensors",
                                   "--classification",
                                   "open",
                                   "--fields",
                                   fields,
                                   "--as",
                                   "producer-demo"};
  args.insert(args.end(), extra.begin(), extra.end());
  return broker.Cli(std::move(args));
}

CliResult PutPolicy(const BrokerProcess& broker, const std::string& dir,
                    const char* fields) {
  const std::string path = dir + "/sensors.policy.yaml";
  {
    std::ofstream out(path);
    out << "dataset: " << kDataset << "\n"
        << "rules:\n"
           "  - id: service\n"
           "    effect: permit\n"
           "    assignees: {principals: [partner-demo]}\n"
           "    purposes: [service-provision]\n"
           "    fields: ["
        << fields << "]\n";
  }
  return broker.Cli({"policy", "put", kDataset, path, "--as", "producer-demo"});
}

CliResult Grant(const BrokerProcess& broker) {
  return broker.Cli({"grant", "request", "--dataset", kDataset, "--purpose",
                     "service-provision", "--audience", "svc", "--as",
                     "partner-demo", "--output", "json"});
}

// The dataset's audit events, oldest first.
std::vector<formats::JsonValue> DatasetEvents(const BrokerProcess& broker) {
  CliResult r =
      broker.Cli({"audit", "query", "--type", "dataset", "--dataset", kDataset,
                  "--as", "auditor-demo", "--output", "json"});
  REQUIRE(r.exit_code == 0);
  std::vector<formats::JsonValue> events;
  const formats::JsonValue* entries = r.json.Find("entries");
  if (entries == nullptr || entries->AsArray() == nullptr) return events;
  for (const formats::JsonValue& e : *entries->AsArray()) {
    events.push_back(*e.Find("event"));
  }
  return events;
}

TEST_CASE("a dataset change that breaks its policy is refused unless forced") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  REQUIRE(PutDataset(broker, "a,b,c").exit_code == 0);
  REQUIRE(PutPolicy(broker, dir.path(), "a, b").exit_code == 0);
  REQUIRE(Grant(broker).exit_code == 0);

  // Dropping a field no rule names, or changing the title, needs no force.
  CHECK(PutDataset(broker, "a,b").exit_code == 0);

  // Dropping b, which the policy names: refused, naming it; nothing changes.
  CliResult refused = PutDataset(broker, "a");
  INFO(refused.err);
  CHECK(Refused(refused, "FAILED_PRECONDITION", "still uses field b"));
  CliResult get = broker.Cli({"dataset", "get", kDataset, "--as",
                              "producer-demo", "--output", "json"});
  REQUIRE(get.exit_code == 0);
  CHECK(get.json.Find("dataset")->Find("fields")->AsArray()->size() == 2);
  CliResult still = Grant(broker);
  INFO(still.err);
  CHECK(still.exit_code == 0);
  CHECK(Str(still.json.Find("decision"), "outcome") == "permit");

  // --force needs a reason, and a reason needs --force.
  CHECK(PutDataset(broker, "a", {"--force"}).exit_code == 2);
  CHECK(PutDataset(broker, "a", {"--reason", "x"}).exit_code == 2);

  // Forced: applied, with the reason on the record.
  CliResult forced =
      PutDataset(broker, "a", {"--force", "--reason", "sensor b retired"});
  INFO(forced.err);
  REQUIRE(forced.exit_code == 0);

  // The partner gets a generic error, not the producer's policy problems.
  CliResult partner = Grant(broker);
  CHECK(Refused(partner, "FAILED_PRECONDITION", kGeneric));
  CHECK_FALSE(absl::StrContains(partner.err, "unknown field"));
  CliResult partner_explain = broker.Cli(
      {"policy", "explain", "--partner", "partner-demo", "--dataset", kDataset,
       "--purpose", "service-provision", "--as", "partner-demo"});
  CHECK(Refused(partner_explain, "FAILED_PRECONDITION", kGeneric));
  CHECK_FALSE(absl::StrContains(partner_explain.err, "unknown field"));

  // The producer and the operator read the problems.
  for (const char* who : {"producer-demo", "operator"}) {
    CAPTURE(who);
    CliResult explain = broker.Cli(
        {"policy", "explain", "--partner", "partner-demo", "--dataset",
         kDataset, "--purpose", "service-provision", "--as", who});
    CHECK(Refused(explain, "FAILED_PRECONDITION", "unknown field 'b'"));
  }

  // The operator sees the refusal and the forced change in the audit log.
  std::vector<formats::JsonValue> events = DatasetEvents(broker);
  const formats::JsonValue* refusal = nullptr;
  const formats::JsonValue* force = nullptr;
  for (const formats::JsonValue& e : events) {
    const std::string change = Str(e.Find("detail"), "change");
    if (change == "refused") refusal = &e;
    if (change == "forced") force = &e;
  }
  REQUIRE(refusal != nullptr);
  CHECK(Str(refusal, "actor") == "producer-demo");
  CHECK(Str(refusal->Find("detail"), "fields_in_use") == "b");
  CHECK(Str(refusal->Find("detail"), "policy_version") == "1");
  REQUIRE(force != nullptr);
  CHECK(Str(force->Find("detail"), "reason") == "sensor b retired");
  CHECK(Str(force->Find("detail"), "policy_no_longer_applies") == "true");
  CHECK(Str(force->Find("detail"), "fields_in_use") == "b");

  // A policy that applies again brings the grants back.
  REQUIRE(PutPolicy(broker, dir.path(), "a").exit_code == 0);
  CliResult again = Grant(broker);
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(Str(again.json.Find("decision"), "outcome") == "permit");
}

}  // namespace
}  // namespace accord::testing
