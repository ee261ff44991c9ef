#include "policy/near_miss.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace accord::policy {
namespace {

TEST_CASE("edit distance", "[near_miss]") {
  struct Case {
    const char* a;
    const char* b;
    size_t limit;
    size_t want;
  };
  const Case cases[] = {
      {"", "", 3, 0},
      {"abc", "abc", 3, 0},
      {"reserch", "research", 3, 1},
      {"kitten", "sitting", 5, 3},
      {"a", "abcdefgh", 3, 4},
      {"abc", "xyz", 2, 3},
  };
  for (const Case& c : cases) {
    CAPTURE(c.a, c.b);
    CHECK(EditDistance(c.a, c.b, c.limit) == c.want);
  }
}

TEST_CASE("closest name finds near misses only", "[near_miss]") {
  const std::vector<std::string> ids = {
      "public-benefit", "public-benefit.energy", "research-and-development",
      "research-and-development.academic-research", "commercial.marketing"};
  CHECK(ClosestName("reserch", ids) == "research-and-development");
  CHECK(ClosestName("public-benfit", ids) == "public-benefit");
  CHECK(ClosestName("public-benefit.enrgy", ids) == "public-benefit.energy");
  CHECK(ClosestName("marketting", ids) == "commercial.marketing");
  CHECK(ClosestName("zzzzzzzz", ids).empty());
  CHECK(ClosestName("", ids).empty());
  CHECK(DidYouMean("public-benefit", ids).empty());
  CHECK_FALSE(DidYouMean("publik-benefit", ids).empty());
}

}  // namespace
}  // namespace accord::policy
