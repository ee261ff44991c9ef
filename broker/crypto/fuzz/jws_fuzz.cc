// libFuzzer entry point: hostile bytes through the JSON parser and the JWS
// verifier. Built only with -DACCORD_FUZZ=ON (clang).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "broker/crypto/json.h"
#include "broker/crypto/jwks.h"
#include "broker/crypto/jws.h"

namespace {

// The public keys of RFC 8037 A.1 (Ed25519) and RFC 7515 A.3 (P-256), so
// seeds signed with those published private keys reach the signature check.
constexpr absl::string_view kJwks =
    R"({"keys":[)"
    R"({"kty":"OKP","crv":"Ed25519","kid":"ed",)"
    R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},)"
    R"({"kty":"EC","crv":"P-256","kid":"ec",)"
    R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
    R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})";

const accord::crypto::Jwks& FixedJwks() {
  static const accord::crypto::Jwks* jwks = [] {
    auto parsed = accord::crypto::Jwks::Parse(kJwks);
    if (!parsed.ok()) std::abort();
    return new accord::crypto::Jwks(std::move(*parsed));
  }();
  return *jwks;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);

  // Whatever parses must serialize to text that parses to the same value.
  absl::StatusOr<accord::crypto::JsonValue> json =
      accord::crypto::ParseJson(input);
  if (json.ok()) {
    absl::StatusOr<accord::crypto::JsonValue> again =
        accord::crypto::ParseJson(json->Serialize());
    if (!again.ok() || !(*again == *json)) std::abort();
  }

  absl::StatusOr<accord::crypto::VerifiedJws> jws =
      accord::crypto::VerifyJws(input, FixedJwks());
  // Only a token signed by one of the fixed keys may pass.
  if (jws.ok() && !jws->payload.is_object()) std::abort();
  return 0;
}
