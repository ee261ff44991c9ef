#include "policy/compiled.h"

#include <catch2/catch.hpp>

#include "policy/test_fixtures.h"

namespace accord::policy {
namespace {

using testing::DefaultTaxonomy;
using testing::DemoDirectory;

Policy OneRule(Rule r) {
  r.id = "r";
  Policy p;
  p.rules.push_back(r);
  return p;
}

TEST_CASE("compiled policy exposes caps and legal basis", "[compiled]") {
  absl::StatusOr<CompiledPolicy> c = testing::CompileDemo(
      "legal_basis: legitimate_interest_opt_out\nmax_subjects: 7\n"
      "rules: []\n",
      testing::Household());
  REQUIRE(c.ok());
  CHECK(c->legal_basis() == LegalBasis::kLegitimateInterestOptOut);
  CHECK(c->max_lifetime_seconds() == 300);
  CHECK(c->max_subjects() == 7);
  CHECK(c->FieldIndex("kwh") == 3);
  CHECK(c->FieldIndex("nope") == -1);
  CHECK(c->PurposeIndex("public-benefit") >= 0);
  CHECK(c->PurposeCovers(c->PurposeIndex("public-benefit"),
                         c->PurposeIndex("public-benefit.energy")));
  CHECK_FALSE(c->PurposeCovers(c->PurposeIndex("public-benefit.energy"),
                               c->PurposeIndex("public-benefit")));
}

TEST_CASE("purpose bitsets cover the subtree", "[compiled]") {
  absl::StatusOr<CompiledPolicy> c = testing::CompileDemo(
      "rules:\n  - {id: a, effect: permit, assignees: any, purposes: "
      "[public-benefit]}\n",
      testing::AirQuality());
  REQUIRE(c.ok());
  const CompiledRule& r = c->rules()[0];
  CHECK(r.purposes.Test(c->PurposeIndex("public-benefit.air-quality")));
  CHECK(r.purposes.Test(c->PurposeIndex("public-benefit")));
  CHECK_FALSE(r.purposes.Test(c->PurposeIndex("commercial")));
  CHECK(r.all_fields);
  CHECK(r.fields.count() == 7);
}

TEST_CASE("compile rejects policies that do not fit their context",
          "[compiled]") {
  Rule any;
  any.any_assignee = any.any_purpose = true;
  struct Case {
    const char* name;
    Policy policy;
    DatasetInfo dataset;
  };
  Rule unknown_field = any;
  unknown_field.fields = {"nope"};
  Rule unknown_purpose = any;
  unknown_purpose.any_purpose = false;
  unknown_purpose.purposes = {"nope"};
  Rule unknown_principal = any;
  unknown_principal.any_assignee = false;
  unknown_principal.principals = {"nope"};
  Rule no_assignee = any;
  no_assignee.any_assignee = false;
  Policy other = OneRule(any);
  other.dataset = "other";
  Policy consent_on_open = OneRule(any);
  consent_on_open.legal_basis = LegalBasis::kConsent;
  DatasetInfo wide = testing::BikeStations();
  wide.fields.resize(300, "x");
  DatasetInfo duplicate = testing::BikeStations();
  duplicate.fields.push_back("lat");
  const Case cases[] = {
      {"unknown field", OneRule(unknown_field), testing::BikeStations()},
      {"unknown purpose", OneRule(unknown_purpose), testing::BikeStations()},
      {"unknown principal", OneRule(unknown_principal),
       testing::BikeStations()},
      {"no assignee", OneRule(no_assignee), testing::BikeStations()},
      {"another dataset", other, testing::BikeStations()},
      {"personal without basis", OneRule(any), testing::Household()},
      {"basis on open data", consent_on_open, testing::BikeStations()},
      {"too many fields", OneRule(any), wide},
      {"duplicate field", OneRule(any), duplicate},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      CHECK(Compile(c.policy, c.dataset, DefaultTaxonomy(), DemoDirectory())
                .status()
                .code() == absl::StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace accord::policy
