// `accord policy export --format odrl` through the real CLI, checked as
// JSON-LD by tests/check_odrl.py (pyld, with the vendored ODRL context):
// every example policy exported offline, the dev-mode demo datasets
// exported from a real broker, a second stored version, and a tampered
// export that the check must refuse.
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

std::string Accord() { return BinDir() + "/accord"; }
std::string Source(const std::string& path) { return SourceDir() + "/" + path; }

void WriteFile(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  REQUIRE(f != nullptr);
  std::fputs(text.c_str(), f);
  std::fclose(f);
}

// Runs the JSON-LD check of `document` against the policy it came from.
CliResult Check(const TempDir& dir, const std::string& document,
                const std::string& policy, const std::string& dataset_file,
                int version = 0) {
  const std::string path = dir.path() + "/export.jsonld";
  WriteFile(path, document);
  std::vector<std::string> args = {Source("tests/check_odrl.py"),
                                   "--policy",
                                   policy,
                                   "--dataset-file",
                                   dataset_file,
                                   "--producer",
                                   "producer-demo"};
  if (version > 0) {
    args.push_back("--version");
    args.push_back(std::to_string(version));
  }
  args.push_back(path);
  return Run("/usr/bin/python3", args);
}

struct Example {
  const char* policy;
  const char* suite;
};

const Example kExamples[] = {
    {"policy/examples/bike-stations.policy.yaml",
     "policy/examples/bike-stations.suite.yaml"},
    {"policy/examples/air-quality.policy.yaml",
     "policy/examples/air-quality.suite.yaml"},
    {"policy/examples/household-consumption.policy.yaml",
     "policy/examples/household-consumption.suite.yaml"},
    {"policy/examples/household-consumption.policy.json",
     "policy/examples/household-consumption.suite.yaml"},
    {"tests/data/air-quality-v2.policy.yaml",
     "policy/examples/air-quality.suite.yaml"},
    {"tests/data/odrl/every-constraint.policy.yaml",
     "policy/examples/household-consumption.suite.yaml"},
};

TEST_CASE("odrl export: every example policy passes the JSON-LD check") {
  TempDir dir;
  for (const Example& e : kExamples) {
    CAPTURE(e.policy);
    CliResult r =
        Run(Accord(),
            {"policy", "export", "--format", "odrl", "--file", Source(e.policy),
             "--dataset-file", Source(e.suite), "--producer", "producer-demo"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    // The document is the output, in either output format.
    CHECK(r.json.Find("@context") != nullptr);
    CliResult json =
        Run(Accord(), {"policy", "export", "--format", "odrl", "--file",
                       Source(e.policy), "--dataset-file", Source(e.suite),
                       "--producer", "producer-demo", "--output", "json"});
    CHECK(json.out == r.out);

    CliResult check = Check(dir, r.out, Source(e.policy), Source(e.suite));
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
    CHECK(check.out.rfind("ok: ", 0) == 0);
  }
}

TEST_CASE("odrl export: the check refuses a tampered export") {
  TempDir dir;
  const Example& e = kExamples[5];
  CliResult r = Run(Accord(), {"policy", "export", "--format", "odrl", "--file",
                               Source(e.policy), "--dataset-file",
                               Source(e.suite), "--producer", "producer-demo"});
  REQUIRE(r.exit_code == 0);
  struct Tamper {
    const char* from;
    const char* to;
  };
  const Tamper tampers[] = {
      {"\"partOf\"", "\"memberOf\""},  // a term ODRL lacks
      {"\"action\": \"inform\"", "\"action\": \"tell\""},
      {"dpv:AcademicResearch", "dpv:CommercialResearch"},
      {"\"P1DT1H1M1S\"", "\"P1D\""},
      {"urn:accord:location:fr", "urn:accord:location:de"},
      {"http://www.w3.org/ns/odrl.jsonld", "https://example.org/c.jsonld"},
      {":rule:no-identifiers", ":rule:other"},
  };
  for (const Tamper& t : tampers) {
    CAPTURE(t.from);
    std::string doc = r.out;
    const size_t at = doc.find(t.from);
    REQUIRE(at != std::string::npos);
    doc.replace(at, std::string(t.from).size(), t.to);
    CliResult check = Check(dir, doc, Source(e.policy), Source(e.suite));
    INFO(check.out << check.err);
    CHECK(check.exit_code == 1);
    CHECK(check.out.find("FAIL ") != std::string::npos);
  }
}

TEST_CASE("odrl export: refuses a bad command line") {
  const std::string policy = Source("policy/examples/air-quality.policy.yaml");
  const std::string suite = Source("policy/examples/air-quality.suite.yaml");
  // No format, another format, an offline export without its context.
  CHECK(Run(Accord(), {"policy", "export", "--file", policy, "--dataset-file",
                       suite, "--producer", "p"})
            .exit_code == 2);
  CHECK(Run(Accord(), {"policy", "export", "--format", "xml", "--file", policy,
                       "--dataset-file", suite, "--producer", "p"})
            .exit_code == 2);
  CHECK(Run(Accord(), {"policy", "export", "--format", "odrl", "--file", policy,
                       "--dataset-file", suite})
            .exit_code == 2);
  CHECK(Run(Accord(), {"policy", "export", "--format", "odrl", "--file", policy,
                       "--producer", "p"})
            .exit_code == 2);
  // A policy that does not fit the dataset names the file.
  CliResult other =
      Run(Accord(), {"policy", "export", "--format", "odrl", "--file",
                     Source("policy/examples/bike-stations.policy.yaml"),
                     "--dataset-file", suite, "--producer", "p"});
  CHECK(other.exit_code == 1);
  CHECK(other.err.find("bike-stations.policy.yaml") != std::string::npos);
}

TEST_CASE("odrl export: the demo datasets of a real broker pass the check") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const struct {
    const char* dataset;
    Example example;
  } demos[] = {
      {"rennes.mobility.bike-stations", kExamples[0]},
      {"rennes.environment.air-quality", kExamples[1]},
      {"rennes.energy.household-consumption", kExamples[2]},
  };
  for (const auto& d : demos) {
    CAPTURE(d.dataset);
    CliResult r = broker.Cli({"policy", "export", "--format", "odrl", d.dataset,
                              "--as", "producer-demo"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CliResult check = Check(dir, r.out, Source(d.example.policy),
                            Source(d.example.suite), /*version=*/1);
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
    // Deterministic: the same version exports to the same bytes.
    CliResult again =
        broker.Cli({"policy", "export", "--format", "odrl", d.dataset,
                    "--version", "1", "--as", "producer-demo"});
    CHECK(again.out == r.out);
  }

  // A second version: the current one is exported, and --version picks.
  const std::string dataset = "rennes.environment.air-quality";
  const Example& v2 = kExamples[4];
  CliResult put = broker.Cli(
      {"policy", "put", dataset, Source(v2.policy), "--as", "producer-demo"});
  INFO(put.out << put.err);
  REQUIRE(put.exit_code == 0);
  CliResult current = broker.Cli({"policy", "export", "--format", "odrl",
                                  dataset, "--as", "producer-demo"});
  REQUIRE(current.exit_code == 0);
  CliResult check = Check(dir, current.out, Source(v2.policy), Source(v2.suite),
                          /*version=*/2);
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CliResult first = broker.Cli({"policy", "export", "--format", "odrl", dataset,
                                "--version", "1", "--as", "producer-demo"});
  REQUIRE(first.exit_code == 0);
  CHECK(Check(dir, first.out, Source(kExamples[1].policy),
              Source(kExamples[1].suite), /*version=*/1)
            .exit_code == 0);
  // A version that does not exist is the broker's NOT_FOUND.
  CliResult missing =
      broker.Cli({"policy", "export", "--format", "odrl", dataset, "--version",
                  "9", "--as", "producer-demo"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("NOT_FOUND") != std::string::npos);
}

}  // namespace
}  // namespace accord::testing
