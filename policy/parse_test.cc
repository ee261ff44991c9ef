#include "policy/parse.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "policy/test_fixtures.h"

namespace accord::policy {
namespace {

using testing::AirQuality;
using testing::BikeStations;
using testing::Household;
using testing::ParseDemo;

constexpr char kHousehold[] = R"(dataset: rennes.energy.household-consumption
legal_basis: consent
max_lifetime: 10m
max_subjects: 50
rules:
  - id: energy
    effect: permit
    description: energy studies
    assignees:
      principals: [partner-demo, partner-demo]
      categories: [academic]
    purposes: [research-and-development, public-benefit.energy]
    fields: [kwh, day]
    not_before: 2025-01-01T00:00:00Z
    not_after: 2026-01-01T00:00:00+01:00
    locations: [eu, fr]
    max_lifetime: 2m
    max_subjects: 20
    quota: {grants: 5, per: 1h}
    duties:
      notify_producer: true
      delete_after: 30d
      aggregate_min_k: 10
      attribute: Rennes
      no_onward_transfer: false
  - id: no-ads
    effect: prohibit
    assignees: any
    purposes: any
)";

TEST_CASE("a complete policy parses into the model", "[parse]") {
  absl::StatusOr<Policy> p = ParseDemo(kHousehold, Household());
  REQUIRE(p.ok());
  CHECK(p->dataset == "rennes.energy.household-consumption");
  CHECK(p->legal_basis == LegalBasis::kConsent);
  CHECK(p->max_lifetime_seconds == 600);
  CHECK(p->max_subjects == 50);
  REQUIRE(p->rules.size() == 2);
  const Rule& r = p->rules[0];
  CHECK(r.effect == Effect::kPermit);
  CHECK(r.principals == std::vector<std::string>{"partner-demo"});
  CHECK(r.categories == std::vector<std::string>{"academic"});
  CHECK(r.purposes == std::vector<std::string>{"public-benefit.energy",
                                               "research-and-development"});
  CHECK(r.fields == std::vector<std::string>{"day", "kwh"});
  CHECK(r.not_before == 1735689600);
  CHECK(r.not_after == 1767222000);
  CHECK(r.locations == std::vector<std::string>{"eu", "fr"});
  CHECK(r.max_lifetime_seconds == 120u);
  CHECK(r.max_subjects == 20u);
  REQUIRE(r.quota.has_value());
  CHECK(r.quota->grants == 5u);
  CHECK(r.quota->period_seconds == 3600u);
  // no_onward_transfer: false is no duty; the rest is sorted by kind.
  REQUIRE(r.duties.size() == 4);
  CHECK(r.duties[0] == Duty{DutyKind::kDeleteAfter, "2592000"});
  CHECK(r.duties[1] == Duty{DutyKind::kAggregateMinK, "10"});
  CHECK(r.duties[2] == Duty{DutyKind::kAttribute, "Rennes"});
  CHECK(r.duties[3] == Duty{DutyKind::kNotifyProducer, ""});
  CHECK(p->rules[1].any_assignee);
  CHECK(p->rules[1].any_purpose);
  CHECK(p->rules[1].effect == Effect::kProhibit);
}

TEST_CASE("defaults are filled in", "[parse]") {
  absl::StatusOr<Policy> p = ParseDemo(
      "rules:\n  - {id: a, effect: permit, assignees: any, purposes: any}\n",
      BikeStations());
  REQUIRE(p.ok());
  CHECK(p->max_lifetime_seconds == 300);
  CHECK(p->max_subjects == 1000);
  CHECK(p->legal_basis == LegalBasis::kNone);
  CHECK(p->rules[0].fields.empty());
}

// Each invalid document gives INVALID_ARGUMENT located at `line:column`
// naming `names` (the offending input and, for near misses, the suggestion).
TEST_CASE("validation reports located problems", "[parse]") {
  struct Case {
    const char* name;
    DatasetInfo dataset;
    std::string yaml;
    const char* location;
    std::vector<const char*> names;
  };
  const std::string head = "rules:\n  - id: r\n    effect: permit\n";
  const std::string ok_rule = head + "    assignees: any\n    purposes: any\n";
  const Case cases[] = {
      {"unknown top-level key",
       BikeStations(),
       "rulez: []\n",
       "1:1",
       {"rulez", "rules"}},
      {"unknown rule key",
       BikeStations(),
       ok_rule + "    feilds: [lat]\n",
       "6:5",
       {"feilds", "fields"}},
      {"unknown purpose with suggestion",
       BikeStations(),
       head + "    assignees: any\n    purposes: [reserch]\n",
       "5:16",
       {"reserch", "research-and-development"}},
      {"unknown field",
       BikeStations(),
       ok_rule + "    fields: [lat, longitude]\n",
       "6:19",
       {"longitude", "lon"}},
      {"unknown principal",
       BikeStations(),
       head + "    assignees: {principals: [partner-dmo]}\n    purposes: any\n",
       "4:30",
       {"partner-dmo", "partner-demo"}},
      {"unknown category",
       BikeStations(),
       head +
           "    assignees:\n      categories: [academics]\n    purposes: any\n",
       "5:20",
       {"academics", "academic"}},
      {"unknown effect",
       BikeStations(),
       "rules:\n  - id: r\n    effect: permitt\n    assignees: any\n"
       "    purposes: any\n",
       "3:13",
       {"permitt", "permit"}},
      {"personal without legal basis",
       Household(),
       ok_rule,
       "1:1",
       {"legal_basis"}},
      {"legal basis on open data",
       BikeStations(),
       "legal_basis: consent\n" + ok_rule,
       "1:14",
       {"legal_basis"}},
      {"unknown legal basis",
       Household(),
       "legal_basis: consnt\n" + ok_rule,
       "1:14",
       {"consnt", "consent"}},
      {"duplicate rule id",
       BikeStations(),
       ok_rule + "  - {id: r, effect: permit, assignees: any, purposes: any}\n",
       "6:5",
       {"'r'"}},
      {"bad rule id",
       BikeStations(),
       "rules:\n  - {id: Rule_1, effect: permit, assignees: any, purposes: "
       "any}\n",
       "2:10",
       {"Rule_1"}},
      {"bad duration",
       BikeStations(),
       "max_lifetime: 5 minutes\n" + ok_rule,
       "1:15",
       {"max_lifetime"}},
      {"lifetime over a day",
       BikeStations(),
       "max_lifetime: 2d\n" + ok_rule,
       "1:15",
       {"max_lifetime"}},
      {"bad time",
       BikeStations(),
       ok_rule + "    not_before: yesterday\n",
       "6:17",
       {"not_before"}},
      {"inverted window",
       BikeStations(),
       ok_rule + "    not_before: 2026-01-01T00:00:00Z\n"
                 "    not_after: 2025-01-01T00:00:00Z\n",
       "2:5",
       {"not_before"}},
      {"duty on a prohibition",
       BikeStations(),
       "rules:\n  - id: r\n    effect: prohibit\n    assignees: any\n"
       "    purposes: any\n    duties: {attribute: x}\n",
       "6:13",
       {"duties"}},
      {"unknown duty",
       BikeStations(),
       ok_rule + "    duties: {atribute: x}\n",
       "6:14",
       {"atribute", "attribute"}},
      {"aggregate k below two",
       Household(),
       "legal_basis: consent\n" + ok_rule +
           "    duties: {aggregate_min_k: 1}\n",
       "7:31",
       {"aggregate_min_k"}},
      {"max_subjects on open data",
       BikeStations(),
       ok_rule + "    max_subjects: 3\n",
       "6:19",
       {"max_subjects"}},
      {"quota without period",
       BikeStations(),
       ok_rule + "    quota: {grants: 3}\n",
       "6:12",
       {"quota"}},
      {"missing assignees",
       BikeStations(),
       head + "    purposes: any\n",
       "2:5",
       {"assignees"}},
      {"missing purposes",
       BikeStations(),
       head + "    assignees: any\n",
       "2:5",
       {"purposes"}},
      {"policy for another dataset",
       BikeStations(),
       "dataset: rennes.other\n" + ok_rule,
       "1:10",
       {"rennes.other"}},
      {"not a mapping", BikeStations(), "- a\n- b\n", "1:1", {"policy"}},
      {"empty document", BikeStations(), "", "1:1", {"empty"}},
      {"list where a value is expected",
       BikeStations(),
       ok_rule + "    locations: eu\n",
       "6:16",
       {"locations"}},
      {"invalid location",
       BikeStations(),
       ok_rule + "    locations: [EU]\n",
       "6:16",
       {"'EU'"}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      absl::StatusOr<Policy> p = ParseDemo(c.yaml, c.dataset);
      REQUIRE_FALSE(p.ok());
      CHECK(p.status().code() == absl::StatusCode::kInvalidArgument);
      const std::string message(p.status().message());
      CAPTURE(message);
      CHECK(absl::StrContains(message,
                              absl::StrCat("p.yaml:", c.location, ": ")));
      for (const char* name : c.names) CHECK(absl::StrContains(message, name));
    }
  }
}

TEST_CASE("every problem is reported, one per line", "[parse]") {
  absl::StatusOr<Policy> p = ParseDemo(
      "rules:\n"
      "  - id: a\n    effect: permit\n    assignees: {categories: [acdemic]}\n"
      "    purposes: [reserch, public-benefit]\n    fields: [lat, lng]\n"
      "    colour: blue\n",
      BikeStations());
  REQUIRE_FALSE(p.ok());
  const std::vector<std::string> lines =
      absl::StrSplit(p.status().message(), '\n');
  CHECK(lines.size() == 4);
  for (const std::string& line : lines)
    CHECK(absl::StartsWith(line, "p.yaml:"));
}

TEST_CASE("document limits", "[parse]") {
  SECTION("more than 1000 rules") {
    std::string yaml = "rules:\n";
    for (int i = 0; i < 1001; ++i) {
      absl::StrAppend(&yaml, "  - {id: r", i,
                      ", effect: permit, assignees: any, purposes: any}\n");
    }
    absl::StatusOr<Policy> p = ParseDemo(yaml, BikeStations());
    REQUIRE_FALSE(p.ok());
    CHECK(absl::StrContains(p.status().message(), "1000"));
  }
  SECTION("over 1 MiB") {
    std::string yaml = "rules: []\n# " + std::string(kMaxPolicyBytes, 'x');
    CHECK(ParseDemo(yaml, BikeStations()).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  SECTION("nested deeper than 32") {
    std::string yaml = "rules: " + std::string(40, '[') + std::string(40, ']');
    CHECK(ParseDemo(yaml, BikeStations()).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  SECTION("JSON must be an object") {
    absl::StatusOr<Policy> p =
        ParsePolicy("[1]", SourceFormat::kJson, "p.json", BikeStations(),
                    testing::DefaultTaxonomy(), testing::DemoDirectory());
    CHECK(p.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("JSON policies parse like YAML ones", "[parse]") {
  absl::StatusOr<Policy> p = ParsePolicy(
      R"({"rules": [{"id": "a", "effect": "permit", "assignees": "any",
          "purposes": ["public-benefit"], "fields": ["pm25"],
          "duties": {"no_onward_transfer": true}}]})",
      SourceFormat::kJson, "p.json", AirQuality(), testing::DefaultTaxonomy(),
      testing::DemoDirectory());
  REQUIRE(p.ok());
  REQUIRE(p->rules.size() == 1);
  CHECK(p->rules[0].duties.size() == 1);
  absl::StatusOr<Policy> bad = ParsePolicy(
      R"({"rules": [{"id": "a", "effect": "permit", "assignees": "any",
          "purposes": ["reserch"]}]})",
      SourceFormat::kJson, "p.json", AirQuality(), testing::DefaultTaxonomy(),
      testing::DemoDirectory());
  REQUIRE_FALSE(bad.ok());
  CHECK(absl::StrContains(bad.status().message(), "p.json:2:24: "));
}

TEST_CASE("policies and requests share one rule for locations", "[parse]") {
  CHECK(kDefaultLocation == "eu");
  for (const char* ok : {"eu", "us", "fr", "eu-west", "x1"}) {
    CAPTURE(ok);
    CHECK(IsLocation(ok));
  }
  for (const char* bad : {"", "EU", "-eu", "e u", "eu;us"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsLocation(bad));
  }
  CHECK(IsLocation(std::string(128, 'a')));
  CHECK_FALSE(IsLocation(std::string(129, 'a')));
}

}  // namespace
}  // namespace accord::policy
