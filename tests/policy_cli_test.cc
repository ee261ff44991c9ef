// `accord policy test` and `accord policy diff` through the real CLI: the
// example suites of policy/examples pass, a wrong expectation fails the run,
// and a diff lists exactly what a new version allows and no longer allows,
// for local files and for versions stored in a real broker.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <tuple>

#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

using Entry = std::tuple<std::string, std::string, std::string>;

std::string Accord() { return BinDir() + "/accord"; }
std::string Source(const std::string& path) { return SourceDir() + "/" + path; }

int64_t Int(const formats::JsonValue& json, const std::string& key) {
  const formats::JsonValue* v = json.Find(key);
  if (v == nullptr) return -1;
  if (std::optional<int64_t> i = v->AsInt64()) return *i;
  if (std::optional<double> d = v->AsDouble()) return static_cast<int64_t>(*d);
  return -1;
}

std::set<Entry> Entries(const formats::JsonValue& json,
                        const std::string& key) {
  std::set<Entry> out;
  const formats::JsonValue* list = json.Find(key);
  if (list == nullptr || list->AsArray() == nullptr) return out;
  for (const formats::JsonValue& e : *list->AsArray()) {
    out.emplace(*e.GetString("assignee"), *e.GetString("purpose"),
                *e.GetString("field"));
  }
  return out;
}

bool Mentions(const std::set<Entry>& entries, const std::string& assignee) {
  for (const Entry& e : entries) {
    if (std::get<0>(e) == assignee) return true;
  }
  return false;
}

TEST_CASE("policy test passes on every example suite") {
  for (const char* name :
       {"bike-stations", "air-quality", "household-consumption"}) {
    const std::string suite =
        Source(std::string("policy/examples/") + name + ".suite.yaml");
    CliResult text = Run(Accord(), {"policy", "test", suite});
    INFO(text.out << text.err);
    CHECK(text.exit_code == 0);
    CHECK(text.out.find("PASS ") != std::string::npos);
    CHECK(text.out.find("FAIL ") == std::string::npos);

    CliResult json =
        Run(Accord(), {"policy", "test", suite, "--output", "json"});
    CHECK(json.exit_code == 0);
    CHECK(Int(json.json, "failed") == 0);
    CHECK(Int(json.json, "passed") > 0);
  }
}

TEST_CASE("cli: policy purposes lists the taxonomy in text and JSON") {
  CliResult text = Run(Accord(), {"policy", "purposes"});
  INFO(text.out << text.err);
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.rfind("ID ", 0) == 0);
  CHECK(text.out.find("research-and-development") != std::string::npos);
  CHECK(text.out.find("Research and development") != std::string::npos);
  CliResult fr = Run(Accord(), {"policy", "purposes", "--lang", "fr"});
  CHECK(fr.out.find("Intérêt général") != std::string::npos);
  CHECK(Run(Accord(), {"policy", "purposes", "--lang", "de"}).exit_code == 2);

  CliResult json = Run(Accord(), {"policy", "purposes", "--output", "json"});
  REQUIRE(json.exit_code == 0);
  const formats::JsonValue* list = json.json.Find("purposes");
  REQUIRE(list != nullptr);
  REQUIRE(list->AsArray() != nullptr);
  CHECK(list->AsArray()->size() > 10);
  bool energy = false;
  for (const formats::JsonValue& p : *list->AsArray()) {
    if (p.GetString("id").value_or("") != "public-benefit.energy") continue;
    energy = true;
    CHECK(p.GetString("parent").value_or("") == "public-benefit");
    CHECK(!p.Find("label")->GetString("fr").value_or("").empty());
    CHECK(!p.Find("label")->GetString("en").value_or("").empty());
  }
  CHECK(energy);
}

TEST_CASE("policy test exits non-zero on a wrong expectation") {
  const std::string wrong = Source("tests/data/wrong-expectation.suite.yaml");
  CliResult r = Run(Accord(), {"policy", "test", wrong});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("PASS " + wrong + ": academic research is permitted") !=
        std::string::npos);
  CHECK(r.out.find("FAIL " + wrong + ": marketing by a company") !=
        std::string::npos);
  CHECK(r.out.find("outcome is deny") != std::string::npos);

  CliResult json = Run(Accord(), {"policy", "test", wrong, "--output", "json"});
  CHECK(json.exit_code == 1);
  CHECK(Int(json.json, "passed") == 1);
  CHECK(Int(json.json, "failed") == 1);

  // A failing suite among passing ones still fails the whole run.
  CliResult mixed =
      Run(Accord(), {"policy", "test",
                     Source("policy/examples/air-quality.suite.yaml"), wrong});
  CHECK(mixed.exit_code == 1);
}

TEST_CASE("policy test refuses a missing or malformed suite") {
  CliResult none = Run(Accord(), {"policy", "test"});
  CHECK(none.exit_code == 2);
  CliResult missing = Run(Accord(), {"policy", "test", "/no/such/suite.yaml"});
  CHECK(missing.exit_code == 1);
  // A policy file is not a suite: its keys are unknown to the suite format.
  CliResult policy = Run(
      Accord(),
      {"policy", "test", Source("policy/examples/air-quality.policy.yaml")});
  CHECK(policy.exit_code == 1);
  CHECK(policy.out.find("ERROR ") != std::string::npos);
}

TEST_CASE("policy diff lists what a new local version allows and removes") {
  const std::string directory =
      Source("policy/examples/air-quality.suite.yaml");
  const std::string v1 = Source("policy/examples/air-quality.policy.yaml");
  const std::string v2 = Source("tests/data/air-quality-v2.policy.yaml");
  CliResult r = Run(Accord(), {"policy", "diff", v1, v2, "--directory",
                               directory, "--output", "json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::set<Entry> added = Entries(r.json, "newly_allowed");
  const std::set<Entry> removed = Entries(r.json, "no_longer_allowed");
  // Associations gain exactly pm25 and no2, for air quality only.
  CHECK(added.count({"velo-asso", "public-benefit.air-quality", "pm25"}) == 1);
  CHECK(added.count({"velo-asso", "public-benefit.air-quality", "no2"}) == 1);
  CHECK(added.count({"category:association", "public-benefit.air-quality",
                     "no2"}) == 1);
  for (const Entry& e : added) {
    CHECK((std::get<0>(e) == "velo-asso" ||
           std::get<0>(e) == "category:association"));
    CHECK((std::get<2>(e) == "pm25" || std::get<2>(e) == "no2"));
  }
  // Public-service partners lose everything they had; academics keep theirs.
  CHECK(removed.count(
            {"rennes-metropole", "research-and-development", "lat"}) == 1);
  CHECK(removed.count(
            {"category:public-service", "public-benefit", "measured_at"}) == 1);
  for (const Entry& e : removed) {
    CHECK((std::get<0>(e) == "rennes-metropole" ||
           std::get<0>(e) == "category:public-service"));
  }
  CHECK_FALSE(Mentions(added, "partner-demo"));
  CHECK_FALSE(Mentions(removed, "univ-rennes"));

  // The reverse diff swaps the lists.
  CliResult back = Run(Accord(), {"policy", "diff", v2, v1, "--directory",
                                  directory, "--output", "json"});
  REQUIRE(back.exit_code == 0);
  CHECK(Entries(back.json, "newly_allowed") == removed);
  CHECK(Entries(back.json, "no_longer_allowed") == added);

  // The same version twice: nothing changes.
  CliResult same = Run(Accord(), {"policy", "diff", v1, v1, "--directory",
                                  directory, "--output", "json"});
  CHECK(Entries(same.json, "newly_allowed").empty());
  CHECK(Entries(same.json, "no_longer_allowed").empty());

  CliResult text =
      Run(Accord(), {"policy", "diff", v1, v2, "--directory", directory});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("+ velo-asso") != std::string::npos);
  CHECK(text.out.find("- rennes-metropole") != std::string::npos);
}

TEST_CASE("policy diff refuses what it cannot check") {
  const std::string v1 = Source("policy/examples/air-quality.policy.yaml");
  const std::string v2 = Source("tests/data/air-quality-v2.policy.yaml");
  // No directory: a usage error.
  CHECK(Run(Accord(), {"policy", "diff", v1, v2}).exit_code == 2);
  // A directory file without a dataset block for local files.
  TempDir dir;
  const std::string bare = dir.path() + "/directory.yaml";
  {
    FILE* f = std::fopen(bare.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs(
        "directory:\n  principals: {univ-rennes: academic}\n"
        "  categories: [academic]\n",
        f);
    std::fclose(f);
  }
  CHECK(Run(Accord(), {"policy", "diff", v1, v2, "--directory", bare})
            .exit_code == 2);
  // A policy for another dataset fails to load, naming the file.
  CliResult other =
      Run(Accord(),
          {"policy", "diff", v1,
           Source("policy/examples/bike-stations.policy.yaml"), "--directory",
           Source("policy/examples/air-quality.suite.yaml")});
  CHECK(other.exit_code == 1);
  CHECK(other.err.find("bike-stations.policy.yaml") != std::string::npos);
}

TEST_CASE("policy diff compares versions stored in the broker") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const std::string dataset = "rennes.environment.air-quality";
  const std::string v2 = Source("tests/data/air-quality-v2.policy.yaml");
  CliResult put = broker.Cli({"policy", "put", dataset, v2, "--as",
                              "producer-demo", "--output", "json"});
  INFO(put.out << put.err);
  REQUIRE(put.exit_code == 0);

  const std::string directory =
      Source("policy/examples/air-quality.suite.yaml");
  CliResult stored = broker.Cli({"policy", "diff", "1", "2", "--dataset",
                                 dataset, "--directory", directory, "--as",
                                 "producer-demo", "--output", "json"});
  INFO(stored.out << stored.err);
  REQUIRE(stored.exit_code == 0);
  CliResult local =
      Run(Accord(),
          {"policy", "diff", Source("policy/examples/air-quality.policy.yaml"),
           v2, "--directory", directory, "--output", "json"});
  REQUIRE(local.exit_code == 0);
  CHECK(Entries(stored.json, "newly_allowed") ==
        Entries(local.json, "newly_allowed"));
  CHECK(Entries(stored.json, "no_longer_allowed") ==
        Entries(local.json, "no_longer_allowed"));
  CHECK_FALSE(Entries(stored.json, "newly_allowed").empty());

  // Explain shows the outcome, then one reason per rule as a table.
  CliResult explain =
      broker.Cli({"policy", "explain", "--partner", "partner-demo", "--dataset",
                  dataset, "--purpose", "research-and-development", "--fields",
                  "pm25,lat", "--as", "producer-demo"});
  INFO(explain.out << explain.err);
  CHECK(explain.exit_code == 0);
  CHECK(explain.out.find("PERMIT") != std::string::npos);
  CHECK(explain.out.find("RULE_ID") != std::string::npos);
  for (const char* rule :
       {"public-interest-use", "associations-air-quality", "no-marketing"}) {
    const size_t at = explain.out.find(std::string("\n") + rule);
    CHECK(at != std::string::npos);
  }
  CHECK(explain.out.find("rule_permitted") != std::string::npos);
  CHECK(explain.out.find("assignee_mismatch") != std::string::npos);

  // A version that does not exist is the broker's NOT_FOUND.
  CliResult missing =
      broker.Cli({"policy", "diff", "1", "9", "--dataset", dataset,
                  "--directory", directory, "--as", "producer-demo"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("NOT_FOUND") != std::string::npos);
  CHECK(broker
            .Cli({"policy", "diff", "0", "2", "--dataset", dataset,
                  "--directory", directory, "--as", "producer-demo"})
            .exit_code == 2);
}

}  // namespace
}  // namespace accord::testing
