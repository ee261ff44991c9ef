#include "policy/yaml_tree.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/match.h"

namespace accord::policy {
namespace {

TEST_CASE("yaml tree keeps structure and 1-based positions", "[yaml]") {
  absl::StatusOr<YamlNode> root =
      ParseYamlTree("a: 1\nb:\n  - x\n  - 'y'\n", "f.yaml");
  REQUIRE(root.ok());
  REQUIRE(root->IsMap());
  REQUIRE(root->size() == 2);
  CHECK(root->key(0).scalar == "a");
  CHECK(root->key(0).pos.line == 1);
  CHECK(root->key(0).pos.column == 1);
  const YamlNode& list = root->value(1);
  REQUIRE(list.IsSequence());
  REQUIRE(list.size() == 2);
  CHECK(list.children[1].scalar == "y");
  CHECK(list.children[1].quoted);
  CHECK_FALSE(list.children[0].quoted);
  CHECK(list.children[1].pos.line == 4);
  CHECK(list.children[1].pos.column == 5);
}

TEST_CASE("yaml tree rejects hostile documents", "[yaml]") {
  struct Case {
    const char* name;
    std::string text;
  };
  const Case cases[] = {
      {"deep flow nesting", std::string(100000, '[')},
      {"deep flow maps", std::string(5000, '{')},
      {"nesting just over the limit",
       std::string(33, '[') + std::string(33, ']')},
      {"deep block nesting",
       [] {
         std::string s;
         for (int i = 0; i < 40; ++i) s += std::string(i, ' ') + "k:\n";
         return s;
       }()},
      {"dash chain",
       [] {
         std::string s;
         for (int i = 0; i < 40; ++i) s += "- ";
         return s + "x\n";
       }()},
      {"block nesting after a stray bracket",
       [] {
         std::string s = "a: x[\n";
         for (int i = 0; i < 40; ++i) s += std::string(i, ' ') + "k:\n";
         return s;
       }()},
      {"anchor", "a: &x 1\nb: *x\n"},
      {"alias", "a: *x\n"},
      {"tag", "a: !!str 1\n"},
      {"two documents", "a: 1\n---\nb: 2\n"},
      {"syntax error", "a: [1, 2\n"},
      {"nul byte", std::string("a: 1\0", 5)},
      {"too large", std::string((1 << 20) + 1, ' ')},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      absl::StatusOr<YamlNode> root = ParseYamlTree(c.text, "h.yaml");
      REQUIRE_FALSE(root.ok());
      CHECK(root.status().code() == absl::StatusCode::kInvalidArgument);
      CHECK(absl::StartsWith(root.status().message(), "h.yaml:"));
    }
  }
}

TEST_CASE("nesting within the limit is accepted", "[yaml]") {
  std::string text = std::string(30, '[') + std::string(30, ']');
  CHECK(ParseYamlTree(text, "ok.yaml").ok());
  CHECK(CheckNestingDepth("a:\n  b:\n    c: 'x # [[[[[['\n", "f", 4).ok());
  CHECK_FALSE(CheckNestingDepth("a:\n  b:\n    c:\n      d: 1\n", "f", 3).ok());
}

TEST_CASE("empty document is a null root", "[yaml]") {
  absl::StatusOr<YamlNode> root = ParseYamlTree("", "e.yaml");
  REQUIRE(root.ok());
  CHECK(root->kind == YamlNode::Kind::kNull);
}

}  // namespace
}  // namespace accord::policy
