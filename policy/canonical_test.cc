#include "policy/canonical.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/match.h"
#include "policy/parse.h"
#include "policy/test_fixtures.h"

namespace accord::policy {
namespace {

using testing::Household;
using testing::ParseDemo;

TEST_CASE("YAML and JSON of the same policy encode identically",
          "[canonical]") {
  absl::StatusOr<Policy> yaml = ParseDemo(R"(
dataset: rennes.energy.household-consumption
legal_basis: consent
max_subjects: 100
rules:
  - id: energy-studies
    effect: permit
    assignees: {principals: [partner-demo], categories: [academic]}
    purposes: [public-benefit.energy, research-and-development]
    fields: [day, kwh, district, subject]
    max_subjects: 100
    quota: {grants: 1000, per: 1d}
    duties: {delete_after: 30d, aggregate_min_k: 10, no_onward_transfer: true}
)",
                                          Household());
  absl::StatusOr<Policy> json = ParsePolicy(
      R"({"rules": [{"duties": {"no_onward_transfer": true,
        "aggregate_min_k": 10, "delete_after": "720h"},
        "quota": {"per": 86400, "grants": 1000}, "max_subjects": 100,
        "fields": ["subject", "kwh", "district", "day", "kwh"],
        "purposes": ["research-and-development", "public-benefit.energy"],
        "assignees": {"categories": ["academic"], "principals": ["partner-demo"]},
        "effect": "permit", "id": "energy-studies"}],
        "max_lifetime": "5m", "max_subjects": 100, "legal_basis": "consent"})",
      SourceFormat::kJson, "p.json", Household(), testing::DefaultTaxonomy(),
      testing::DemoDirectory());
  REQUIRE(yaml.ok());
  REQUIRE(json.ok());
  const std::string a = CanonicalEncoding(*yaml);
  CHECK(a == CanonicalEncoding(*json));
  CHECK(absl::StartsWith(a,
                         "{\"dataset\":\"rennes.energy.household-consumption\","
                         "\"legal_basis\":\"consent\","
                         "\"max_lifetime_seconds\":300,"));
  CHECK_FALSE(absl::StrContains(a, " "));
}

TEST_CASE("a change in meaning changes the encoding", "[canonical]") {
  const char* base =
      "legal_basis: consent\nrules:\n  - {id: a, effect: permit, assignees: "
      "any, purposes: [public-benefit]}\n  - {id: b, effect: prohibit, "
      "assignees: any, purposes: [commercial]}\n";
  const char* variants[] = {
      "legal_basis: public_task\nrules:\n  - {id: a, effect: permit, "
      "assignees: any, purposes: [public-benefit]}\n  - {id: b, effect: "
      "prohibit, assignees: any, purposes: [commercial]}\n",
      // Rule order is the order of reasons, so it is kept.
      "legal_basis: consent\nrules:\n  - {id: b, effect: prohibit, assignees: "
      "any, purposes: [commercial]}\n  - {id: a, effect: permit, assignees: "
      "any, purposes: [public-benefit]}\n",
      "legal_basis: consent\nrules:\n  - {id: a, effect: permit, assignees: "
      "any, purposes: [public-benefit], fields: [kwh]}\n  - {id: b, effect: "
      "prohibit, assignees: any, purposes: [commercial]}\n",
  };
  absl::StatusOr<Policy> p = ParseDemo(base, Household());
  REQUIRE(p.ok());
  for (const char* v : variants) {
    absl::StatusOr<Policy> q = ParseDemo(v, Household());
    REQUIRE(q.ok());
    CHECK(CanonicalEncoding(*p) != CanonicalEncoding(*q));
  }
}

TEST_CASE("strings are escaped", "[canonical]") {
  Policy p;
  p.dataset = "d";
  Rule r;
  r.id = "a";
  r.any_assignee = r.any_purpose = true;
  r.duties.push_back({DutyKind::kAttribute, "say \"hi\"\n\\"});
  p.rules.push_back(r);
  CHECK(absl::StrContains(CanonicalEncoding(p), R"("say \"hi\"\n\\")"));
}

}  // namespace
}  // namespace accord::policy
