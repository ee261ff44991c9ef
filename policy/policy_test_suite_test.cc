#include "policy/policy_test_suite.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "policy/canonical.h"
#include "policy/parse.h"
#include "policy/test_fixtures.h"

namespace accord::policy {
namespace {

std::string SourceDir() {
  const char* dir = std::getenv("ACCORD_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

absl::StatusOr<std::string> ReadFile(absl::string_view path) {
  std::ifstream in{std::string(path)};
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_CASE("the shipped example suites pass", "[suite]") {
  for (const char* name :
       {"bike-stations", "air-quality", "household-consumption"}) {
    CAPTURE(name);
    const std::string path =
        absl::StrCat(SourceDir(), "/policy/examples/", name, ".suite.yaml");
    absl::StatusOr<std::string> text = ReadFile(path);
    REQUIRE(text.ok());
    absl::StatusOr<SuiteResult> result =
        RunPolicySuite(*text, path, testing::DefaultTaxonomy(), ReadFile);
    REQUIRE(result.ok());
    INFO(FormatSuiteResult(*result));
    CHECK(result->cases.size() >= 5);
    CHECK(result->failed() == 0);
  }
}

TEST_CASE("the JSON and YAML household policies hash the same", "[suite]") {
  const DatasetInfo hh = testing::Household();
  const std::string dir = SourceDir() + "/policy/examples/";
  absl::StatusOr<std::string> yaml =
      ReadFile(dir + "household-consumption.policy.yaml");
  absl::StatusOr<std::string> json =
      ReadFile(dir + "household-consumption.policy.json");
  REQUIRE(yaml.ok());
  REQUIRE(json.ok());
  absl::StatusOr<Policy> a =
      ParsePolicy(*yaml, SourceFormat::kYaml, "a", hh,
                  testing::DefaultTaxonomy(), testing::DemoDirectory());
  absl::StatusOr<Policy> b =
      ParsePolicy(*json, SourceFormat::kJson, "b", hh,
                  testing::DefaultTaxonomy(), testing::DemoDirectory());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(CanonicalEncoding(*a) == CanonicalEncoding(*b));
}

constexpr char kInlineSuite[] = R"(dataset:
  id: d
  classification: RESTRICTED
  fields: [a, b]
directory:
  principals: {p1: academic}
  categories: [academic]
policy:
  rules:
    - {id: r, effect: permit, assignees: any, purposes: [public-benefit], fields: [a]}
cases:
  - name: good
    request: {partner: p1, purpose: public-benefit}
    expect: {outcome: permit, fields: [a], reasons: [rule_permitted]}
  - name: wrong outcome
    request: {partner: p1, purpose: commercial}
    expect: {outcome: permit}
  - name: wrong fields
    request: {partner: p1, purpose: public-benefit}
    expect: {fields: [a, b]}
  - name: missing reason
    request: {partner: p1, purpose: public-benefit}
    expect: {reasons: [prohibited]}
)";

TEST_CASE("failing expectations are reported per case", "[suite]") {
  absl::StatusOr<SuiteResult> result = RunPolicySuite(
      kInlineSuite, "s.yaml", testing::DefaultTaxonomy(), ReadFile);
  REQUIRE(result.ok());
  REQUIRE(result->cases.size() == 4);
  CHECK(result->cases[0].passed);
  CHECK_FALSE(result->cases[1].passed);
  CHECK_FALSE(result->cases[2].passed);
  CHECK_FALSE(result->cases[3].passed);
  CHECK(result->failed() == 3);
  const std::string text = FormatSuiteResult(*result);
  CHECK(absl::StartsWith(text, "PASS "));
  CHECK(absl::StrContains(text, "FAIL "));
}

constexpr char kPersonalSuite[] = R"(dataset:
  id: d
  classification: PERSONAL
  fields: [a, b]
directory:
  principals: {p1: academic}
  categories: [academic]
policy:
  legal_basis: consent
  rules:
    - {id: r, effect: permit, assignees: any, purposes: [public-benefit]}
consents:
  - {id: c1, subject: s1, purpose: public-benefit, recipient_partner: p1}
cases:
  - name: no subjects is refused as the broker refuses it
    request: {partner: p1, purpose: public-benefit}
    expect: {outcome: invalid}
  - name: no subjects expected to permit fails
    request: {partner: p1, purpose: public-benefit}
    expect: {outcome: permit, subjects: [s1]}
  - name: named subjects are decided
    request: {partner: p1, purpose: public-benefit, subjects: [s1]}
    expect: {outcome: permit, subjects: [s1]}
  - name: a valid request expected invalid fails
    request: {partner: p1, purpose: public-benefit, subjects: [s1]}
    expect: {outcome: invalid}
)";

TEST_CASE("suites refuse PERSONAL requests without subjects like the broker",
          "[suite]") {
  absl::StatusOr<SuiteResult> result = RunPolicySuite(
      kPersonalSuite, "p.yaml", testing::DefaultTaxonomy(), ReadFile);
  REQUIRE(result.ok());
  REQUIRE(result->cases.size() == 4);
  CHECK(result->cases[0].passed);
  CHECK(result->cases[0].invalid ==
        "subjects: a PERSONAL dataset needs the subjects asked for");
  CHECK(result->cases[0].decision.outcome == Outcome::kDeny);
  CHECK(result->cases[0].decision.subjects.empty());
  CHECK_FALSE(result->cases[1].passed);
  REQUIRE(result->cases[1].failures.size() == 1);
  CHECK(absl::StartsWith(result->cases[1].failures[0], "request is invalid: "));
  CHECK(result->cases[2].passed);
  CHECK(result->cases[2].invalid.empty());
  CHECK_FALSE(result->cases[3].passed);
  CHECK(result->cases[3].failures ==
        std::vector<std::string>{"request is valid; outcome is permit"});
}

TEST_CASE("suites refuse subjects on datasets that are not PERSONAL",
          "[suite]") {
  std::string yaml = kInlineSuite;
  yaml +=
      "  - name: subjects on a RESTRICTED dataset\n"
      "    request: {partner: p1, purpose: public-benefit, subjects: [s1]}\n"
      "    expect: {outcome: invalid}\n";
  absl::StatusOr<SuiteResult> result =
      RunPolicySuite(yaml, "s.yaml", testing::DefaultTaxonomy(), ReadFile);
  REQUIRE(result.ok());
  REQUIRE(result->cases.size() == 5);
  CHECK(result->cases[4].passed);
  CHECK(result->cases[4].invalid ==
        "subjects: only PERSONAL datasets take subjects");
}

TEST_CASE("the subjects rule of requests", "[suite]") {
  CHECK(CheckRequestSubjects(Classification::kPersonal, 1).ok());
  CHECK(CheckRequestSubjects(Classification::kOpen, 0).ok());
  CHECK(CheckRequestSubjects(Classification::kRestricted, 0).ok());
  CHECK(CheckRequestSubjects(Classification::kPersonal, 0).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(CheckRequestSubjects(Classification::kOpen, 2).code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("malformed suites are errors with locations", "[suite]") {
  struct Case {
    const char* name;
    std::string yaml;
  };
  const std::string head = "dataset: {id: d, fields: [a]}\n";
  const Case cases[] = {
      {"unknown key", head + "policy: {rules: []}\ncases: []\nextra: 1\n"},
      {"no policy", head + "cases: []\n"},
      {"both policies",
       head + "policy: {rules: []}\npolicy_file: x\ncases: []\n"},
      {"bad case", head + "policy: {rules: []}\ncases:\n  - {name: x}\n"},
      {"invalid policy", head + "policy: {rules: [{id: r}]}\ncases: []\n"},
      {"bad outcome",
       head + "policy: {rules: []}\ncases:\n  - {name: x, request: {}, "
              "expect: {outcome: maybe}}\n"},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      absl::StatusOr<SuiteResult> r = RunPolicySuite(
          c.yaml, "s.yaml", testing::DefaultTaxonomy(), ReadFile);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
      CHECK(absl::StartsWith(r.status().message(), "s.yaml:"));
    }
  }
  SECTION("missing policy file") {
    absl::StatusOr<SuiteResult> r = RunPolicySuite(
        head + "policy_file: does-not-exist.yaml\ncases: []\n",
        "/nonexistent/s.yaml", testing::DefaultTaxonomy(), ReadFile);
    CHECK(r.status().code() == absl::StatusCode::kNotFound);
  }
}

TEST_CASE("relative paths resolve next to the suite", "[suite]") {
  CHECK(ResolveRelative("a/b/s.yaml", "p.yaml") == "a/b/p.yaml");
  CHECK(ResolveRelative("s.yaml", "p.yaml") == "p.yaml");
  CHECK(ResolveRelative("a/s.yaml", "/abs/p.yaml") == "/abs/p.yaml");
}

TEST_CASE("the context of a suite is read without running it", "[suite]") {
  absl::StatusOr<SuiteContext> context = ReadSuiteContext(
      "dataset: {id: d.x, classification: PERSONAL, fields: [a, b]}\n"
      "directory:\n  principals: {p1: academic, p2: company}\n"
      "  categories: [academic, company]\n"
      "cases: []\n",
      "ctx.yaml");
  REQUIRE(context.ok());
  CHECK(context->has_dataset);
  CHECK(context->dataset.id == "d.x");
  CHECK(context->dataset.classification == Classification::kPersonal);
  CHECK(context->dataset.fields == std::vector<std::string>{"a", "b"});
  CHECK(context->directory.principal_categories.at("p2") == "company");
  CHECK(context->directory.categories.size() == 2);

  absl::StatusOr<SuiteContext> bare =
      ReadSuiteContext("directory: {categories: [academic]}\n", "bare.yaml");
  REQUIRE(bare.ok());
  CHECK_FALSE(bare->has_dataset);

  absl::StatusOr<SuiteContext> bad = ReadSuiteContext(
      "directory: {categories: [academic]}\ncolour: red\n", "bad.yaml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(bad.status().message(), "bad.yaml:2:"));

  absl::StatusOr<SuiteContext> bad_class =
      ReadSuiteContext("dataset: {id: d, classification: SECRET}\n", "c.yaml");
  CHECK_FALSE(bad_class.ok());
}

}  // namespace
}  // namespace accord::policy
