#include "policy/odrl_export.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/match.h"
#include "policy/test_fixtures.h"

namespace accord::policy {
namespace {

using testing::DefaultTaxonomy;
using testing::ParseDemo;

std::string Export(absl::string_view source, const DatasetInfo& dataset,
                   uint64_t version = 0) {
  absl::StatusOr<Policy> p = ParseDemo(source, dataset);
  INFO(p.status().message());
  REQUIRE(p.ok());
  absl::StatusOr<std::string> doc = ExportOdrl(
      *p, dataset, "producer-demo", DefaultTaxonomy(), {.version = version});
  INFO(doc.status().message());
  REQUIRE(doc.ok());
  return *doc;
}

bool Has(const std::string& doc, absl::string_view text) {
  return absl::StrContains(doc, text);
}

constexpr absl::string_view kHousehold = R"(
dataset: rennes.energy.household-consumption
legal_basis: consent
max_subjects: 100
rules:
  - id: energy-studies
    effect: permit
    assignees: {principals: [partner-demo], categories: [academic]}
    purposes: [public-benefit.energy, research-and-development]
    fields: [day, kwh, district, subject]
    not_before: 2025-01-01T00:00:00Z
    not_after: 2026-12-31T23:59:59Z
    locations: [eu]
    max_lifetime: 2m
    max_subjects: 50
    quota: {grants: 1000, per: 1d}
    duties:
      delete_after: 30d
      aggregate_min_k: 10
      attribute: "Source: \"Rennes\" Métropole"
      no_onward_transfer: true
      notify_producer: true
  - id: no-marketing
    effect: prohibit
    assignees: any
    purposes: [commercial.marketing]
)";

TEST_CASE("odrl export: writes every part of a rule", "[odrl]") {
  const std::string doc =
      Export(kHousehold, testing::Household(), /*version=*/3);
  CAPTURE(doc);
  CHECK(absl::StartsWith(doc,
                         "{\n  \"@context\": [\n    "
                         "\"http://www.w3.org/ns/odrl.jsonld\",\n"));
  CHECK(Has(doc, "\"dpv\": \"https://w3id.org/dpv#\""));
  CHECK(Has(doc, "\"accord\": \"urn:accord:odrl:\""));
  CHECK(Has(doc, "\"@type\": \"Set\""));
  CHECK(Has(doc,
            "\"uid\": \"urn:accord:policy:"
            "rennes.energy.household-consumption:v3\""));
  CHECK(Has(doc,
            "\"uid\": \"urn:accord:policy:"
            "rennes.energy.household-consumption:v3:rule:energy-studies\""));
  CHECK(Has(doc, "\"conflict\": \"prohibit\""));
  CHECK(Has(doc, "\"dpv:hasLegalBasis\": {\n    \"@id\": \"dpv:Consent\""));
  CHECK(Has(doc, "\"assigner\": \"urn:accord:principal:producer-demo\""));
  // Fields: a refined part of the dataset.
  CHECK(Has(doc,
            "\"source\": \"urn:accord:dataset:"
            "rennes.energy.household-consumption\""));
  CHECK(Has(doc, "\"leftOperand\": \"accord:field\""));
  // A principal and a category: a collection with both as members.
  CHECK(Has(doc, "\"uid\": \"urn:accord:principal:partner-demo\""));
  CHECK(Has(doc, "\"uid\": \"urn:accord:category:academic\""));
  CHECK(Has(doc, "\"@reverse\": {"));
  // Purposes: DPV where mapped, an Accord IRI otherwise.
  CHECK(Has(doc, "\"operator\": \"isAnyOf\""));
  CHECK(Has(doc, "\"@id\": \"urn:accord:purpose:public-benefit.energy\""));
  CHECK(Has(doc, "\"@id\": \"dpv:ResearchAndDevelopment\""));
  CHECK(Has(doc, "\"@value\": \"2025-01-01T00:00:00Z\""));
  CHECK(Has(doc, "\"@value\": \"2026-12-31T23:59:59Z\""));
  CHECK(Has(doc, "\"@id\": \"urn:accord:location:eu\""));
  CHECK(Has(doc, "\"@value\": \"PT2M\""));  // lifetime cap
  CHECK(Has(doc, "\"rightOperand\": 50"));  // subject cap
  CHECK(Has(doc, "\"accord:period\": {"));  // quota
  CHECK(Has(doc, "\"rightOperand\": 1000"));
  // Duties.
  CHECK(Has(doc, "\"action\": \"delete\""));
  CHECK(Has(doc, "\"@value\": \"P30D\""));
  CHECK(Has(doc, "\"@id\": \"odrl:aggregate\""));
  CHECK(Has(doc, "\"rightOperand\": 10"));
  CHECK(Has(doc, "\"@id\": \"odrl:attribute\""));
  CHECK(Has(doc, "\"rightOperand\": \"Source: \\\"Rennes\\\" Métropole\""));
  CHECK(Has(doc, "\"action\": \"accord:noOnwardTransfer\""));
  CHECK(Has(doc, "\"action\": \"inform\""));
  CHECK(Has(doc, "\"informedParty\": \"urn:accord:principal:producer-demo\""));
  // The prohibition: any assignee (none named), one purpose as isA.
  CHECK(Has(doc, "\"prohibition\": ["));
  CHECK(Has(doc, "\"operator\": \"isA\""));
  CHECK(Has(doc, "\"@id\": \"dpv:Marketing\""));
}

TEST_CASE("odrl export: is deterministic with sorted keys", "[odrl]") {
  const std::string a = Export(kHousehold, testing::Household());
  const std::string b = Export(kHousehold, testing::Household());
  CHECK(a == b);
  // Without a version the uid has none.
  CHECK(Has(a,
            "\"uid\": \"urn:accord:policy:"
            "rennes.energy.household-consumption\""));
  // Keys of the top-level object in byte order.
  const size_t context = a.find("\"@context\"");
  const size_t type = a.find("\"@type\": \"Set\"");
  const size_t conflict = a.find("\"conflict\"");
  const size_t permission = a.find("\"permission\"");
  const size_t prohibition = a.find("\"prohibition\"");
  const size_t uid = a.rfind("\n  \"uid\"");
  CHECK(context < type);
  CHECK(type < conflict);
  CHECK(conflict < permission);
  CHECK(permission < prohibition);
  CHECK(prohibition < uid);
}

TEST_CASE("odrl export: of single assignees and whole datasets", "[odrl]") {
  const std::string doc = Export(R"(
rules:
  - id: one-partner
    effect: permit
    assignees: {principals: [univ-rennes]}
    purposes: any
  - id: one-category
    effect: permit
    assignees: {categories: [association]}
    purposes: [public-benefit.air-quality]
)",
                                 testing::AirQuality());
  CAPTURE(doc);
  CHECK(Has(doc, "\"assignee\": \"urn:accord:principal:univ-rennes\""));
  CHECK(Has(doc,
            "\"assignee\": {\n        \"@type\": \"PartyCollection\",\n"
            "        \"uid\": \"urn:accord:category:association\""));
  CHECK(Has(doc,
            "\"target\": \"urn:accord:dataset:"
            "rennes.environment.air-quality\""));
  CHECK_FALSE(Has(doc, "@reverse"));
  CHECK_FALSE(Has(doc, "prohibition"));
  CHECK_FALSE(Has(doc, "hasLegalBasis"));
  // Not a PERSONAL dataset: no subject cap; the policy's lifetime cap.
  CHECK_FALSE(Has(doc, "subjectCount"));
  CHECK(Has(doc, "\"@value\": \"PT5M\""));
}

TEST_CASE("odrl export: refuses what it cannot name", "[odrl]") {
  absl::StatusOr<Policy> p = ParseDemo(kHousehold, testing::Household());
  REQUIRE(p.ok());
  const Taxonomy& t = DefaultTaxonomy();
  CHECK(ExportOdrl(*p, testing::Household(), "", t).status().code() ==
        absl::StatusCode::kInvalidArgument);
  absl::Status other = ExportOdrl(*p, testing::AirQuality(), "p", t).status();
  CHECK(other.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(other.message(), "dataset"));
  Policy unknown = *p;
  unknown.rules[0].purposes = {"no.such.purpose"};
  absl::Status s = ExportOdrl(unknown, testing::Household(), "p", t).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(s.message(), "energy-studies"));
  Policy bad_duty = *p;
  bad_duty.rules[0].duties[0].value = "soon";
  CHECK(ExportOdrl(bad_duty, testing::Household(), "p", t).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("odrl export: IRIs are percent-encoded URNs", "[odrl]") {
  CHECK(AccordIri("dataset", "rennes.x_y~z-1") ==
        "urn:accord:dataset:rennes.x_y~z-1");
  CHECK(AccordIri("location", "a b/c:é") ==
        "urn:accord:location:a%20b%2Fc%3A%C3%A9");
  CHECK(OdrlPurposeIri(DefaultTaxonomy(), "commercial") ==
        "https://w3id.org/dpv#CommercialPurpose");
  CHECK(OdrlPurposeIri(DefaultTaxonomy(), "public-benefit.urban-planning") ==
        "urn:accord:purpose:public-benefit.urban-planning");
}

}  // namespace
}  // namespace accord::policy
