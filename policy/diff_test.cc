#include "policy/diff.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "policy/test_fixtures.h"

namespace accord::policy {
namespace {

using testing::AirQuality;

PolicyDiff DiffDemo(const char* old_yaml, const char* new_yaml) {
  absl::StatusOr<CompiledPolicy> a =
      testing::CompileDemo(old_yaml, AirQuality());
  absl::StatusOr<CompiledPolicy> b =
      testing::CompileDemo(new_yaml, AirQuality());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  return DiffPolicies(*a, *b, AirQuality(), testing::DefaultTaxonomy(),
                      testing::DemoDirectory());
}

TEST_CASE("identical policies differ in nothing", "[diff]") {
  const char* p =
      "rules:\n  - {id: a, effect: permit, assignees: any, purposes: any}\n";
  const PolicyDiff d = DiffDemo(p, p);
  CHECK(d.newly_allowed.empty());
  CHECK(d.no_longer_allowed.empty());
}

TEST_CASE("adding a field, a purpose or a partner is listed exactly",
          "[diff]") {
  const char* base =
      "rules:\n  - {id: a, effect: permit, assignees: {principals: "
      "[rennes-metropole]}, purposes: [public-benefit.air-quality], fields: "
      "[pm25]}\n";
  SECTION("field") {
    const PolicyDiff d = DiffDemo(
        base,
        "rules:\n  - {id: a, effect: permit, assignees: {principals: "
        "[rennes-metropole]}, purposes: [public-benefit.air-quality], fields: "
        "[pm25, no2]}\n");
    CHECK(d.newly_allowed ==
          std::vector<DiffEntry>{
              {"rennes-metropole", "public-benefit.air-quality", "no2"}});
    CHECK(d.no_longer_allowed.empty());
  }
  SECTION("category assignee") {
    const PolicyDiff d =
        DiffDemo(base,
                 "rules:\n  - {id: a, effect: permit, assignees: {principals: "
                 "[rennes-metropole], categories: [association]}, purposes: "
                 "[public-benefit.air-quality], fields: [pm25]}\n");
    CHECK(d.newly_allowed ==
          std::vector<DiffEntry>{
              {"category:association", "public-benefit.air-quality", "pm25"},
              {"velo-asso", "public-benefit.air-quality", "pm25"}});
  }
  SECTION("removal") {
    const PolicyDiff d = DiffDemo(base, "rules: []\n");
    CHECK(d.newly_allowed.empty());
    CHECK(d.no_longer_allowed ==
          std::vector<DiffEntry>{
              {"rennes-metropole", "public-benefit.air-quality", "pm25"}});
  }
}

TEST_CASE("a new prohibition shows as no longer allowed", "[diff]") {
  const PolicyDiff d = DiffDemo(
      "rules:\n  - {id: a, effect: permit, assignees: {categories: "
      "[company]}, purposes: [commercial], fields: [pm25]}\n",
      "rules:\n  - {id: a, effect: permit, assignees: {categories: "
      "[company]}, purposes: [commercial], fields: [pm25]}\n"
      "  - {id: x, effect: prohibit, assignees: any, purposes: "
      "[commercial.marketing]}\n");
  CHECK(d.newly_allowed.empty());
  // adtech and category:company, for marketing and direct marketing.
  CHECK(d.no_longer_allowed.size() == 4);
  for (const DiffEntry& e : d.no_longer_allowed) {
    CHECK(e.field == "pm25");
    CHECK(e.purpose.rfind("commercial.marketing", 0) == 0);
  }
}

}  // namespace
}  // namespace accord::policy
