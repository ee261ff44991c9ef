#include "policy/taxonomy.h"

#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"

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
  REQUIRE(t->Extend("purposes:\n"
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

}  // namespace
}  // namespace accord::policy
