#include "policy/taxonomy.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "policy/language.h"

namespace accord::policy {
namespace {

TEST_CASE("default taxonomy ships the DPV-style tree", "[taxonomy]") {
  absl::StatusOr<Taxonomy> t = Taxonomy::Default();
  REQUIRE(t.ok());
  for (const char* id :
       {"public-benefit", "public-benefit.improve-transport-mobility",
        "public-benefit.energy", "public-benefit.air-quality",
        "public-benefit.official-statistics",
        "public-benefit.public-policy-making", "research-and-development",
        "service-provision", "commercial", "commercial.marketing"}) {
    CAPTURE(id);
    CHECK(t->Contains(id));
  }
  CHECK_FALSE(t->Contains("public"));
  const auto ids = t->Ids();
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(ids.size() == t->size());
}

TEST_CASE("covers is same-or-below", "[taxonomy]") {
  absl::StatusOr<Taxonomy> t = Taxonomy::Default();
  REQUIRE(t.ok());
  struct Case {
    const char* allowed;
    const char* requested;
    bool want;
  };
  const Case cases[] = {
      {"public-benefit", "public-benefit.improve-transport-mobility", true},
      {"public-benefit", "public-benefit", true},
      {"public-benefit.improve-transport-mobility", "public-benefit", false},
      {"commercial", "commercial.marketing.direct-marketing", true},
      {"commercial.marketing", "commercial.advertising", false},
      {"public-benefit", "public-benefit-x", false},
      {"public-benefit", "unknown", false},
      {"unknown", "unknown", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.allowed, c.requested);
    CHECK(t->Covers(c.allowed, c.requested) == c.want);
  }
}

TEST_CASE("operators extend the taxonomy atomically", "[taxonomy]") {
  absl::StatusOr<Taxonomy> t = Taxonomy::Default();
  REQUIRE(t.ok());
  const size_t before = t->size();
  // Children may come before their parents in the document.
  REQUIRE(
      t->Extend(
           "purposes:\n"
           "  - id: public-benefit.improve-transport-mobility.cycling.counts\n"
           "  - id: public-benefit.improve-transport-mobility.cycling\n"
           "    label: Cycling\n",
           "local.yaml")
          .ok());
  CHECK(t->size() == before + 2);
  CHECK(t->Covers("public-benefit",
                  "public-benefit.improve-transport-mobility.cycling.counts"));
  CHECK(t->Label("public-benefit.improve-transport-mobility.cycling") ==
        "Cycling");

  struct Case {
    const char* name;
    const char* yaml;
  };
  const Case bad[] = {
      {"duplicate", "purposes:\n  - id: public-benefit\n"},
      {"missing parent", "purposes:\n  - id: nowhere.child\n"},
      {"bad id", "purposes:\n  - id: Public_Benefit\n"},
      {"unknown key", "purposes:\n  - id: x\n    parent: y\n"},
      {"not a list", "purposes: x\n"},
      {"good and bad together", "purposes:\n  - id: fine\n  - id: a..b\n"},
  };
  for (const Case& c : bad) {
    SECTION(c.name) {
      absl::Status s = t->Extend(c.yaml, "ext.yaml");
      CHECK(s.code() == absl::StatusCode::kInvalidArgument);
      CHECK(absl::StartsWith(s.message(), "ext.yaml:"));
      CHECK(t->size() == before + 2);
      CHECK_FALSE(t->Contains("fine"));
    }
  }
}

TEST_CASE("suggestions for misspelt purposes", "[taxonomy]") {
  absl::StatusOr<Taxonomy> t = Taxonomy::Default();
  REQUIRE(t.ok());
  CHECK(t->Suggest("reserch") == "research-and-development");
  CHECK(t->Suggest("public-benefit.enrgy") == "public-benefit.energy");
  CHECK(t->Suggest("qqqqqqqqqq").empty());
}

TEST_CASE("every default purpose has a label and a description in fr and en",
          "[taxonomy]") {
  absl::StatusOr<Taxonomy> t = Taxonomy::Default();
  REQUIRE(t.ok());
  const std::vector<std::string> missing = t->MissingTexts();
  INFO(absl::StrJoin(missing, "\n"));
  CHECK(missing.empty());
  CHECK(t->Label("research-and-development.academic-research", Language::kFr) ==
        "Recherche universitaire");
  CHECK(t->Label("research-and-development.academic-research", Language::kEn) ==
        "Academic research");
  // The one-argument form reads the English label, as before.
  CHECK(t->Label("research-and-development.academic-research") ==
        "Academic research");
  CHECK(absl::StartsWith(
      t->Description("research-and-development.academic-research",
                     Language::kFr),
      "Des chercheurs d'une université"));
  CHECK(t->Label("no.such", Language::kFr).empty());
  CHECK(t->Description("no.such", Language::kEn).empty());
}

TEST_CASE("DPV mappings are expanded IRIs", "[taxonomy]") {
  absl::StatusOr<Taxonomy> t = Taxonomy::Default();
  REQUIRE(t.ok());
  CHECK(t->DpvIri("public-benefit") == "https://w3id.org/dpv#PublicBenefit");
  CHECK(t->DpvIri("commercial.marketing.direct-marketing") ==
        "https://w3id.org/dpv#DirectMarketing");
  // DPV has no concept for this one.
  CHECK(t->DpvIri("public-benefit.energy").empty());
  CHECK(t->DpvIri("no.such").empty());
  for (const std::string& id : t->Ids()) {
    const std::string iri = t->DpvIri(id);
    CAPTURE(id);
    CHECK((iri.empty() || absl::StartsWith(iri, Taxonomy::kDpvNamespace)));
  }
}

TEST_CASE("extensions write texts per language or as plain English",
          "[taxonomy]") {
  absl::StatusOr<Taxonomy> t = Taxonomy::Default();
  REQUIRE(t.ok());
  REQUIRE(t->Extend("purposes:\n"
                    "  - id: public-benefit.tourism\n"
                    "    label: Tourism\n"
                    "    description: Visitors and their stays.\n"
                    "    dpv: https://w3id.org/dpv#PublicBenefit\n"
                    "  - id: public-benefit.culture\n"
                    "    label: {fr: Culture, en: Culture}\n"
                    "    description: {fr: Musées et spectacles.}\n",
                    "local.yaml")
              .ok());
  CHECK(t->Label("public-benefit.tourism", Language::kEn) == "Tourism");
  CHECK(t->Label("public-benefit.tourism", Language::kFr).empty());
  CHECK(t->Description("public-benefit.tourism", Language::kEn) ==
        "Visitors and their stays.");
  CHECK(t->DpvIri("public-benefit.tourism") ==
        "https://w3id.org/dpv#PublicBenefit");
  CHECK(t->Label("public-benefit.culture", Language::kFr) == "Culture");
  CHECK(t->Description("public-benefit.culture", Language::kFr) ==
        "Musées et spectacles.");
  const std::vector<std::string> missing = t->MissingTexts();
  CHECK(std::find(missing.begin(), missing.end(),
                  "public-benefit.tourism: no fr label") != missing.end());
  CHECK(std::find(missing.begin(), missing.end(),
                  "public-benefit.culture: no en description") !=
        missing.end());

  struct Case {
    const char* name;
    const char* yaml;
    const char* error;
  };
  const Case bad[] = {
      {"unknown language", "purposes:\n  - id: x\n    label: {de: X}\n",
       "unknown key 'de' in label"},
      {"empty label", "purposes:\n  - id: x\n    label: {fr: ''}\n",
       "label fr must be 1 to"},
      {"list label", "purposes:\n  - id: x\n    label: [a]\n",
       "label must be a text or a map"},
      {"bad dpv", "purposes:\n  - id: x\n    dpv: Marketing\n",
       "dpv 'Marketing' of 'x' must be dpv:Term"},
      {"foreign IRI", "purposes:\n  - id: x\n    dpv: https://example.org/a\n",
       "must be dpv:Term"},
  };
  for (const Case& c : bad) {
    SECTION(c.name) {
      absl::Status s = t->Extend(c.yaml, "ext.yaml");
      CHECK(s.code() == absl::StatusCode::kInvalidArgument);
      CHECK(absl::StrContains(s.message(), c.error));
      CHECK_FALSE(t->Contains("x"));
    }
  }
}

}  // namespace
}  // namespace accord::policy
