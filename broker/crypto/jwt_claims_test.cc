#include "broker/crypto/jwt_claims.h"

#include <catch2/catch.hpp>

namespace accord::crypto {
namespace {

constexpr int64_t kNow = 1'700'000'000;

formats::JsonValue Claims() {
  formats::JsonValue c = formats::JsonValue::Object();
  c.Set("iss", "https://idp.example")
      .Set("aud", "accord")
      .Set("iat", kNow - 10)
      .Set("nbf", kNow - 10)
      .Set("exp", kNow + 300);
  return c;
}

ClaimExpectations Expect() {
  ClaimExpectations e;
  e.now = kNow;
  e.issuer = "https://idp.example";
  e.audience = "accord";
  return e;
}

absl::StatusCode Check(const formats::JsonValue& c,
                       const ClaimExpectations& e) {
  return CheckClaims(c, e).code();
}

TEST_CASE("valid claims pass", "[claims]") {
  REQUIRE(CheckClaims(Claims(), Expect()).ok());
  formats::JsonValue arr = Claims();
  arr.Set("aud", formats::JsonValue::Array().Push("other").Push("accord"));
  REQUIRE(CheckClaims(arr, Expect()).ok());
  ClaimExpectations lax;
  lax.now = kNow;
  lax.require_exp = false;
  REQUIRE(CheckClaims(formats::JsonValue::Object(), lax).ok());
}

TEST_CASE("exp and nbf honour the skew", "[claims]") {
  const auto kUnauth = absl::StatusCode::kUnauthenticated;
  ClaimExpectations e = Expect();
  formats::JsonValue c = Claims();
  c.Set("exp", kNow - 59);
  REQUIRE(Check(c, e) == absl::StatusCode::kOk);
  c.Set("exp", kNow - 60);
  REQUIRE(Check(c, e) == kUnauth);
  e.skew_seconds = 0;
  c.Set("exp", kNow);
  REQUIRE(Check(c, e) == kUnauth);
  c.Set("exp", kNow + 1);
  REQUIRE(Check(c, e) == absl::StatusCode::kOk);
  c.Set("nbf", kNow + 1);
  REQUIRE(Check(c, e) == kUnauth);
  e.skew_seconds = 60;
  c.Set("nbf", kNow + 60);
  REQUIRE(Check(c, e) == absl::StatusCode::kOk);
  c.Set("nbf", kNow + 61);
  REQUIRE(Check(c, e) == kUnauth);
}

TEST_CASE("missing or wrong claims fail", "[claims]") {
  const auto kUnauth = absl::StatusCode::kUnauthenticated;
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  ClaimExpectations e = Expect();
  formats::JsonValue c = Claims();
  c.Set("iat", kNow + 3600);
  REQUIRE(Check(c, e) == kUnauth);

  formats::JsonValue no_exp = formats::JsonValue::Object();
  no_exp.Set("iss", "https://idp.example").Set("aud", "accord");
  REQUIRE(Check(no_exp, e) == kUnauth);

  c = Claims();
  c.Set("iss", "https://evil.example");
  REQUIRE(Check(c, e) == kUnauth);
  c = Claims();
  c.Set("aud", "other");
  REQUIRE(Check(c, e) == kUnauth);
  c.Set("aud", formats::JsonValue::Array().Push("a").Push("b"));
  REQUIRE(Check(c, e) == kUnauth);
  c.Set("aud", formats::JsonValue::Array());
  REQUIRE(Check(c, e) == kUnauth);
  c.Set("aud", formats::JsonValue::Array().Push(1));
  REQUIRE(Check(c, e) == kInvalid);
  c.Set("aud", 5);
  REQUIRE(Check(c, e) == kInvalid);
  c = Claims();
  c.Set("exp", "tomorrow");
  REQUIRE(Check(c, e) == kInvalid);
  c = Claims();
  c.Set("iss", 1);
  REQUIRE(Check(c, e) == kInvalid);
  REQUIRE(Check(formats::JsonValue("x"), e) == kInvalid);
  formats::JsonValue no_aud = Claims();
  formats::JsonValue rebuilt = formats::JsonValue::Object();
  for (const auto& [k, v] : *no_aud.AsObject()) {
    if (k != "aud") rebuilt.Set(k, v);
  }
  REQUIRE(Check(rebuilt, e) == kUnauth);
}

}  // namespace
}  // namespace accord::crypto
