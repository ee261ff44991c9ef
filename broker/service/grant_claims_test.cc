#include "broker/service/grant_claims.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "broker/crypto/signing_key.h"
#include "broker/formats/base64url.h"
#include "broker/formats/json.h"
#include "broker/service/grant_claims_json.h"
#include "broker/service/grant_issuer.h"

namespace accord::service {
namespace {

constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();

// Pieces the random strings are made of: ASCII, JSON's special characters,
// every kind of control character, and UTF-8 of 2, 3 and 4 bytes (U+2028
// and U+2029, which JavaScript treats as line ends, included).
const std::vector<std::string>& Pieces() {
  static const auto* pieces = new std::vector<std::string>{"a",
                                                           "Z",
                                                           "0",
                                                           " ",
                                                           "-",
                                                           "_",
                                                           ".",
                                                           "/",
                                                           ":",
                                                           "#",
                                                           "\"",
                                                           "\\",
                                                           "\\\"",
                                                           "\\u0041",
                                                           "\n",
                                                           "\r",
                                                           "\t",
                                                           "\b",
                                                           "\f",
                                                           std::string(1, '\0'),
                                                           "\x01",
                                                           "\x1f",
                                                           "\x7f",
                                                           "é",
                                                           "ß",
                                                           "€",
                                                           "中文",
                                                           "\xe2\x80\xa8",
                                                           "\xe2\x80\xa9",
                                                           "\xef\xbb\xbf",
                                                           "😀",
                                                           "\xf4\x8f\xbf\xbf",
                                                           "</script>",
                                                           "null",
                                                           "{}",
                                                           "[]",
                                                           ","};
  return *pieces;
}

class ClaimsGenerator {
 public:
  explicit ClaimsGenerator(uint64_t seed) : rng_(seed) {}

  size_t Below(size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }

  // Empty, short or long (up to 300 pieces).
  std::string String() {
    const size_t pieces = Below(8) == 0 ? 0 : Below(4) == 0 ? 300 : 12;
    std::string s;
    for (size_t i = Below(pieces + 1); i > 0; --i) {
      s += Pieces()[Below(Pieces().size())];
    }
    return s;
  }

  std::vector<std::string> List() {
    const size_t max = Below(10) == 0 ? 1200 : 12;
    std::vector<std::string> items(Below(max + 1));
    for (std::string& item : items) item = String();
    return items;
  }

  // Zero, small, near the int64 limits, or anything in between.
  int64_t Number(int64_t max) {
    switch (Below(4)) {
      case 0:
        return 0;
      case 1:
        return static_cast<int64_t>(Below(1000));
      case 2:
        return max - static_cast<int64_t>(Below(1000));
      default:
        return std::uniform_int_distribution<int64_t>(0, max)(rng_);
    }
  }

  std::string DutyValue() {
    switch (Below(5)) {
      case 0:
        return "";
      case 1:
        return std::to_string(Number(kMaxInt64));
      case 2:
        return "-" + std::to_string(Below(100000));
      case 3:
        return "99999999999999999999";  // out of int64: a string
      default:
        return String();
    }
  }

 private:
  std::mt19937_64 rng_;
};

struct ClaimSet {
  GrantOrder order;
  AccessAnswer answer;
};

ClaimSet RandomClaimSet(ClaimsGenerator& g) {
  ClaimSet c;
  c.order.issuer = g.String();
  c.order.partner = g.String();
  c.order.audience = g.String();
  c.order.purpose = g.String();
  c.order.cert_thumbprint = g.String();
  // exp = now + lifetime stays within int64.
  c.order.now = g.Number(kMaxInt64 - std::numeric_limits<uint32_t>::max());
  auto policy = std::make_shared<DatasetPolicy>();
  policy->dataset.set_id(g.String());
  policy->info.classification =
      g.Below(2) == 0 ? policy::Classification::kPersonal
                      : static_cast<policy::Classification>(g.Below(2));
  policy->ref.set_version(static_cast<uint64_t>(g.Number(kMaxInt64)));
  policy->ref.set_hash(g.String());
  c.answer.policy = policy;
  policy::Decision& d = c.answer.decision;
  d.fields = g.List();
  d.subjects = g.List();
  d.lifetime_seconds = static_cast<uint32_t>(
      g.Below(3) == 0 ? std::numeric_limits<uint32_t>::max() : g.Below(100000));
  // Any kinds, in any order, some named twice.
  for (size_t i = g.Below(7); i > 0; --i) {
    d.duties.push_back(
        {static_cast<policy::DutyKind>(g.Below(5)), g.DutyValue()});
  }
  c.answer.revision = static_cast<uint64_t>(g.Number(kMaxInt64));
  return c;
}

// The writer's bytes for `c`, the JsonValue's, and (when every string is
// UTF-8, which the parser demands) the parse of the writer's bytes.
void CheckSame(const ClaimSet& c, absl::string_view jti) {
  const absl::Span<const std::string> subjects = c.answer.decision.subjects;
  std::string written;
  GrantClaimsWriter(c.order, c.answer).Write(jti, subjects, &written);
  const formats::JsonValue want =
      GrantClaimsJson(c.order, c.answer, jti, subjects);
  REQUIRE(written == want.Serialize());
  const absl::StatusOr<formats::JsonValue> parsed = formats::ParseJson(
      written, {.max_depth = 4, .max_bytes = 64 * 1024 * 1024});
  REQUIRE(parsed.ok());
  REQUIRE(*parsed == want);
}

TEST_CASE(
    "Grant claims: the written bytes are JsonValue's, over random claim "
    "sets") {
  // ACCORD_CLAIMS_SEED=N replays a run; the seed is printed either way.
  const char* replay = std::getenv("ACCORD_CLAIMS_SEED");
  const uint64_t seed = replay != nullptr ? std::strtoull(replay, nullptr, 10)
                                          : std::random_device()();
  std::cout << "grant claims seed: " << seed << std::endl;
  INFO("seed " << seed);
  ClaimsGenerator g(seed);
  for (int i = 0; i < 500; ++i) {
    INFO("claim set " << i);
    const ClaimSet c = RandomClaimSet(g);
    CheckSame(c, g.String());
  }
}

TEST_CASE("Grant claims: the written bytes are JsonValue's, edge cases") {
  ClaimSet c;
  auto policy = std::make_shared<DatasetPolicy>();
  c.answer.policy = policy;
  policy::Decision& d = c.answer.decision;

  // Everything empty: empty strings, lists, duties; zero numbers.
  policy->info.classification = policy::Classification::kPersonal;
  CheckSame(c, "");
  policy->info.classification = policy::Classification::kOpen;
  CheckSame(c, "");

  // Quotes, backslashes, every control character, DEL, unicode.
  std::string all_controls;
  for (int ch = 0; ch < 0x20; ++ch)
    all_controls.push_back(static_cast<char>(ch));
  all_controls += "\x7f\"\\/";
  c.order.issuer = all_controls;
  c.order.partner = "partner-\"quoted\"";
  c.order.audience = "C:\\data\\";
  c.order.purpose = "recherche-et-développement 😀 \xe2\x80\xa8";
  c.order.cert_thumbprint = "中文";
  policy->dataset.set_id(std::string(1, '\0'));
  policy->ref.set_hash("\xef\xbb\xbf");
  d.fields = {"", "\"", "\\", "\n", "é"};
  d.subjects = {"\x01", "\u2029"};
  CheckSame(c, all_controls);
  policy->info.classification = policy::Classification::kPersonal;
  CheckSame(c, "jti-\t");

  // Large numbers: every number at the int64 limit it may reach.
  c.order.now = kMaxInt64 - std::numeric_limits<uint32_t>::max();
  d.lifetime_seconds = std::numeric_limits<uint32_t>::max();
  policy->ref.set_version(static_cast<uint64_t>(kMaxInt64));
  c.answer.revision = static_cast<uint64_t>(kMaxInt64);
  d.duties = {{policy::DutyKind::kDeleteAfter, std::to_string(kMaxInt64)},
              {policy::DutyKind::kAggregateMinK, "-9223372036854775808"},
              {policy::DutyKind::kAttribute, "9223372036854775808"},
              {policy::DutyKind::kNoOnwardTransfer, ""},
              {policy::DutyKind::kNotifyProducer, ""},
              // Named again: first place, last value.
              {policy::DutyKind::kDeleteAfter, "0"}};
  CheckSame(c, "jti");

  // Long lists: 5,000 subjects and 500 fields.
  d.subjects.clear();
  for (int i = 0; i < 5000; ++i) d.subjects.push_back("s-" + std::to_string(i));
  d.fields.assign(500, "field");
  CheckSame(c, "jti");
}

TEST_CASE(
    "Grant claims: the signed grants carry the written bytes, slice by "
    "slice") {
  absl::StatusOr<crypto::SigningKey> key =
      crypto::SigningKey::Generate(crypto::Algorithm::kES256);
  REQUIRE(key.ok());
  ClaimsGenerator g(7);
  ClaimSet c = RandomClaimSet(g);
  c.answer.policy = std::make_shared<DatasetPolicy>(*c.answer.policy);
  std::const_pointer_cast<DatasetPolicy>(c.answer.policy)->info.classification =
      policy::Classification::kPersonal;
  c.answer.decision.subjects = {"a", "b", "c", "d", "e", "f", "g"};
  c.order.max_subjects_per_grant = 3;
  absl::StatusOr<std::vector<IssuedGrant>> grants =
      IssueGrants(*key, c.order, c.answer);
  REQUIRE(grants.ok());
  REQUIRE(grants->size() == 3);
  for (const IssuedGrant& grant : *grants) {
    const std::vector<absl::string_view> parts =
        absl::StrSplit(grant.token, '.');
    REQUIRE(parts.size() == 3);
    absl::StatusOr<std::string> payload = formats::Base64UrlDecode(parts[1]);
    REQUIRE(payload.ok());
    const std::vector<std::string> named(grant.record.subjects().begin(),
                                         grant.record.subjects().end());
    CHECK(named.size() == (&grant == &grants->back() ? 1u : 3u));
    CHECK(*payload ==
          GrantClaimsJson(c.order, c.answer, grant.record.id(), named)
              .Serialize());
  }
}

}  // namespace
}  // namespace accord::service
