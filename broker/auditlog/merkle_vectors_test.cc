// Runs every public test vector of transparency-dev/merkle, kept in
// broker/auditlog/testdata/merkle (see its README), against the verifiers, and
// checks that the proofs we generate for the reference tree are the ones in the
// valid vectors.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "broker/auditlog/merkle.h"
#include "broker/auditlog/test_tree.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace accord::auditlog {
namespace {

namespace fs = std::filesystem;
using google::protobuf::Struct;
using google::protobuf::Value;

fs::path VectorDir() {
  const char* source = std::getenv("ACCORD_SOURCE_DIR");
  const fs::path root = source != nullptr ? fs::path(source) : fs::path(".");
  return root / "broker" / "auditlog" / "testdata" / "merkle";
}

struct Case {
  std::string path;
  std::string text;
  Struct json;
};

std::vector<Case> LoadCases(const std::string& kind) {
  const fs::path dir = VectorDir() / kind;
  INFO("vector directory " << dir.string());
  REQUIRE(fs::is_directory(dir));
  std::vector<Case> out;
  for (const auto& f : fs::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file() || f.path().extension() != ".json") continue;
    std::ifstream in(f.path());
    std::stringstream text;
    text << in.rdbuf();
    Case c;
    c.path = f.path().string();
    c.text = text.str();
    INFO(c.path);
    REQUIRE(
        google::protobuf::util::JsonStringToMessage(text.str(), &c.json).ok());
    out.push_back(std::move(c));
  }
  return out;
}

const Value& Field(const Case& c, const std::string& name) {
  INFO(c.path << " field " << name);
  const auto it = c.json.fields().find(name);
  REQUIRE(it != c.json.fields().end());
  return it->second;
}

std::string Bytes(const Case& c, const std::string& name) {
  std::string out;
  INFO(c.path << " field " << name);
  REQUIRE(absl::Base64Unescape(Field(c, name).string_value(), &out));
  return out;
}

// JSON numbers parse as doubles, which cannot hold the 64-bit sizes of some
// vectors: read the digits from the text instead.
uint64_t Number(const Case& c, const std::string& name) {
  INFO(c.path << " field " << name);
  REQUIRE(Field(c, name).has_number_value());
  const std::string key = "\"" + name + "\"";
  size_t pos = c.text.find(key);
  REQUIRE(pos != std::string::npos);
  pos = c.text.find(':', pos + key.size());
  REQUIRE(pos != std::string::npos);
  ++pos;
  while (pos < c.text.size() && c.text[pos] == ' ') ++pos;
  size_t end = pos;
  while (end < c.text.size() && absl::ascii_isdigit(c.text[end])) ++end;
  uint64_t value = 0;
  REQUIRE(absl::SimpleAtoi(c.text.substr(pos, end - pos), &value));
  return value;
}

// `proof` is a list of base64 hashes, or null for none.
Proof ProofOf(const Case& c) {
  Proof out;
  const Value& v = Field(c, "proof");
  if (v.has_null_value()) return out;
  INFO(c.path);
  REQUIRE(v.has_list_value());
  for (const Value& e : v.list_value().values()) {
    std::string h;
    REQUIRE(absl::Base64Unescape(e.string_value(), &h));
    out.push_back(h);
  }
  return out;
}

bool WantErr(const Case& c) { return Field(c, "wantErr").bool_value(); }

// The tree the valid vectors were made from.
void BuildReferenceTree(testing::TestTree& tree) {
  for (const std::string& leaf :
       {std::string(), std::string("\x00", 1), std::string("\x10"),
        std::string("\x20\x21"), std::string("\x30\x31"),
        std::string("\x40\x41\x42\x43"),
        std::string("\x50\x51\x52\x53\x54\x55\x56\x57"),
        std::string("\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c"
                    "\x6d\x6e\x6f")}) {
    tree.Add(leaf);
  }
}

TEST_CASE("Inclusion verifier agrees with every public vector",
          "[merkle][vectors]") {
  const std::vector<Case> cases = LoadCases("inclusion");
  REQUIRE(cases.size() >= 50);
  testing::TestTree tree;
  BuildReferenceTree(tree);
  int valid = 0;
  for (const Case& c : cases) {
    INFO(c.path);
    const uint64_t index = Number(c, "leafIdx");
    const uint64_t size = Number(c, "treeSize");
    const Proof proof = ProofOf(c);
    const absl::Status s = VerifyInclusion(Bytes(c, "leafHash"), index, size,
                                           proof, Bytes(c, "root"));
    CHECK(s.ok() == !WantErr(c));
    if (!WantErr(c)) {
      ++valid;
      if (size <= 8 && Bytes(c, "root") == HashToBytes(testing::ReferenceMth(
                                               tree.leaves, 0, size))) {
        absl::StatusOr<Proof> generated =
            InclusionProof(tree.source, index, size);
        REQUIRE(generated.ok());
        CHECK(*generated == proof);
      }
    }
  }
  CHECK(valid >= 5);
}

TEST_CASE("Consistency verifier agrees with every public vector",
          "[merkle][vectors]") {
  const std::vector<Case> cases = LoadCases("consistency");
  REQUIRE(cases.size() >= 50);
  testing::TestTree tree;
  BuildReferenceTree(tree);
  int valid = 0;
  int generated_checked = 0;
  for (const Case& c : cases) {
    INFO(c.path);
    const uint64_t size1 = Number(c, "size1");
    const uint64_t size2 = Number(c, "size2");
    const Proof proof = ProofOf(c);
    const absl::Status s = VerifyConsistency(
        size1, size2, proof, Bytes(c, "root1"), Bytes(c, "root2"));
    CHECK(s.ok() == !WantErr(c));
    if (!WantErr(c)) {
      ++valid;
      if (size2 <= 8 && Bytes(c, "root2") == HashToBytes(testing::ReferenceMth(
                                                 tree.leaves, 0, size2))) {
        absl::StatusOr<Proof> generated =
            ConsistencyProof(tree.source, size1, size2);
        REQUIRE(generated.ok());
        CHECK(*generated == proof);
        ++generated_checked;
      }
    }
  }
  CHECK(valid >= 5);
  CHECK(generated_checked >= 3);
}

}  // namespace
}  // namespace accord::auditlog
