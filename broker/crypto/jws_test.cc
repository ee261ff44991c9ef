#include "broker/crypto/jws.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "broker/formats/base64url.h"

namespace accord::crypto {
namespace {

struct Fixture {
  SigningKey es = *SigningKey::Generate(Algorithm::kES256);
  SigningKey ed = *SigningKey::Generate(Algorithm::kEdDSA);
  Jwks jwks = Jwks::FromKeys({&es, &ed});
};

absl::StatusCode Code(absl::string_view token, const Jwks& jwks,
                      const JwsPolicy& policy = {}) {
  return VerifyJws(token, jwks, policy).status().code();
}

// Builds a token with an arbitrary header, signed by `key`.
std::string Forge(const SigningKey& key, const std::string& header,
                  const std::string& payload = R"({"a":1})") {
  std::string input = formats::Base64UrlEncode(header) + "." +
                      formats::Base64UrlEncode(payload);
  return input + "." + formats::Base64UrlEncode(*key.Sign(input));
}

TEST_CASE("JWS round trip for both algorithms", "[jws]") {
  Fixture f;
  for (const SigningKey* key : {&f.es, &f.ed}) {
    absl::StatusOr<std::string> token =
        SignJws(*key, "grant+jwt", R"({"sub":"p1","n":2})");
    REQUIRE(token.ok());
    std::vector<std::string> parts = absl::StrSplit(*token, '.');
    REQUIRE(parts.size() == 3);
    REQUIRE(*formats::Base64UrlDecode(parts[0]) ==
            std::string(R"({"alg":")") +
                std::string(AlgorithmName(key->algorithm())) +
                R"(","typ":"grant+jwt","kid":")" + key->kid() + R"("})");
    absl::StatusOr<VerifiedJws> v = VerifyJws(*token, f.jwks);
    REQUIRE(v.ok());
    REQUIRE(*v->payload.GetString("sub") == "p1");
    REQUIRE(*v->header.GetString("typ") == "grant+jwt");
  }
}

TEST_CASE("SignJws refuses a payload that is not JSON", "[jws]") {
  Fixture f;
  REQUIRE(SignJws(f.es, "x", "{").status().code() ==
          absl::StatusCode::kInvalidArgument);
}

TEST_CASE("VerifyJws rejects malformed tokens as INVALID_ARGUMENT", "[jws]") {
  Fixture f;
  std::string good = *SignJws(f.es, "t", R"({"a":1})");
  std::vector<std::string> p = absl::StrSplit(good, '.');
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  REQUIRE(Code("", f.jwks) == kInvalid);
  REQUIRE(Code(p[0] + "." + p[1], f.jwks) == kInvalid);
  REQUIRE(Code(good + ".", f.jwks) == kInvalid);
  REQUIRE(Code(good + "=", f.jwks) == kInvalid);  // padded signature
  REQUIRE(Code("!" + good, f.jwks) == kInvalid);
  REQUIRE(Code(Forge(f.es, "not json"), f.jwks) == kInvalid);
  REQUIRE(Code(Forge(f.es, "[1]"), f.jwks) == kInvalid);
  REQUIRE(Code(Forge(f.es, R"({"kid":")" + f.es.kid() + R"("})"), f.jwks) ==
          kInvalid);  // no alg
  REQUIRE(Code(Forge(f.es, R"({"alg":"ES256"})"), f.jwks) == kInvalid);
  // Duplicate header members are malformed JSON.
  REQUIRE(Code(Forge(f.es, R"({"alg":"ES256","alg":"none","kid":")" +
                               f.es.kid() + R"("})"),
               f.jwks) == kInvalid);
  REQUIRE(Code(Forge(f.es, R"({"alg":"ES256","kid":")" + f.es.kid() + R"("})",
                     "not json"),
               f.jwks) == kInvalid);
  JwsPolicy small;
  small.max_bytes = 64;
  REQUIRE(Code(good, f.jwks, small) == kInvalid);
}

TEST_CASE("VerifyJws rejects unacceptable tokens as UNAUTHENTICATED", "[jws]") {
  Fixture f;
  const auto kUnauth = absl::StatusCode::kUnauthenticated;
  const std::string kid = f.es.kid();
  // alg none, HS256 and a lowercase spelling.
  for (const char* alg : {"none", "HS256", "es256", "RS256"}) {
    std::string header =
        std::string(R"({"alg":")") + alg + R"(","kid":")" + kid + R"("})";
    REQUIRE(Code(Forge(f.es, header), f.jwks) == kUnauth);
  }
  std::string none =
      formats::Base64UrlEncode(R"({"alg":"none","kid":")" + kid + R"("})") +
      "." + formats::Base64UrlEncode("{}") + ".";
  REQUIRE(Code(none, f.jwks) != absl::StatusCode::kOk);
  // alg the key does not have.
  REQUIRE(Code(Forge(f.es, R"({"alg":"EdDSA","kid":")" + kid + R"("})"),
               f.jwks) == kUnauth);
  // crit.
  REQUIRE(Code(Forge(f.es, R"({"alg":"ES256","kid":")" + kid +
                               R"(","crit":["exp"],"exp":1})"),
               f.jwks) == kUnauth);
  // Algorithm not allowed by policy.
  JwsPolicy only_ed;
  only_ed.allowed_algorithms = {Algorithm::kEdDSA};
  REQUIRE(Code(*SignJws(f.es, "t", "{}"), f.jwks, only_ed) == kUnauth);
  REQUIRE(VerifyJws(*SignJws(f.ed, "t", "{}"), f.jwks, only_ed).ok());
  // typ.
  JwsPolicy typed;
  typed.expected_typ = "grant+jwt";
  REQUIRE(VerifyJws(*SignJws(f.es, "GRANT+JWT", "{}"), f.jwks, typed).ok());
  REQUIRE(Code(*SignJws(f.es, "receipt+jwt", "{}"), f.jwks, typed) == kUnauth);
  REQUIRE(Code(*SignJws(f.es, "", "{}"), f.jwks, typed) == kUnauth);
  // Bad signature: payload swapped, signature bit flipped.
  std::string a = *SignJws(f.es, "t", R"({"a":1})");
  std::string b = *SignJws(f.es, "t", R"({"a":2})");
  std::vector<std::string> pa = absl::StrSplit(a, '.');
  std::vector<std::string> pb = absl::StrSplit(b, '.');
  REQUIRE(Code(pa[0] + "." + pb[1] + "." + pa[2], f.jwks) == kUnauth);
  std::string sig = *formats::Base64UrlDecode(pa[2]);
  sig[5] ^= 0x40;
  REQUIRE(Code(pa[0] + "." + pa[1] + "." + formats::Base64UrlEncode(sig),
               f.jwks) == kUnauth);
  // A DER-encoded ES256 signature is not accepted.
  REQUIRE(Code(pa[0] + "." + pa[1] + "." +
                   formats::Base64UrlEncode(std::string(70, 'x')),
               f.jwks) == kUnauth);
}

TEST_CASE("unknown kid is a distinct error", "[jws]") {
  Fixture f;
  SigningKey other = *SigningKey::Generate(Algorithm::kES256);
  absl::Status s = VerifyJws(*SignJws(other, "t", "{}"), f.jwks).status();
  REQUIRE(s.code() == absl::StatusCode::kUnauthenticated);
  REQUIRE(IsUnknownKidError(s));
  std::string good = *SignJws(f.es, "t", R"({"a":1})");
  std::vector<std::string> p = absl::StrSplit(good, '.');
  std::string bad = *formats::Base64UrlDecode(p[2]);
  bad[0] ^= 1;
  absl::Status sig_err =
      VerifyJws(p[0] + "." + p[1] + "." + formats::Base64UrlEncode(bad), f.jwks)
          .status();
  REQUIRE(sig_err.code() == absl::StatusCode::kUnauthenticated);
  REQUIRE_FALSE(IsUnknownKidError(sig_err));
  REQUIRE_FALSE(IsUnknownKidError(absl::OkStatus()));
}

}  // namespace
}  // namespace accord::crypto
