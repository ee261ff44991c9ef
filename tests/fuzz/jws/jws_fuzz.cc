// libFuzzer entry point: hostile bytes through the JSON parser, the JWS
// verifier and the downstream GrantVerifier (clients/verifier) that data
// services run on every grant they are shown. Built only with
// -DACCORD_FUZZ=ON (clang); seeds in fuzz/corpus/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/crypto/jwks.h"
#include "broker/crypto/jws.h"
#include "broker/formats/json.h"
#include "clients/verifier/grant_verifier.h"
#include "clients/verifier/key_source.h"

namespace {

// The public keys of RFC 8037 A.1 (Ed25519) and of the P-256 scalar
// SHA-256("accord fuzz p-256"), so seeds signed with those published private
// keys reach the signature and claim checks.
constexpr absl::string_view kJwks =
    R"({"keys":[)"
    R"({"kty":"OKP","crv":"Ed25519","kid":"ed",)"
    R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},)"
    R"({"kty":"EC","crv":"P-256","kid":"ec",)"
    R"("x":"wfGgXeV1exmkcaYNVWZWBqRx6njI5pPGQCef2G_ybhM",)"
    R"("y":"8ys8f0p2hO7-RghkXHcaA3CGcfPQh1V51jBW7z6Z9h8"}]})";

// The seeds' grants are valid at this instant.
constexpr int64_t kNow = 1'700'000'000;
constexpr absl::string_view kThumbprint =
    "cGFydG5lci1kZW1vLWNlcnQtdGh1bWJwcmludA";

const accord::crypto::Jwks& FixedJwks() {
  static const accord::crypto::Jwks* jwks = [] {
    auto parsed = accord::crypto::Jwks::Parse(kJwks);
    if (!parsed.ok()) std::abort();
    return new accord::crypto::Jwks(std::move(*parsed));
  }();
  return *jwks;
}

// A verifier as a data service builds one; its clock stands still, so an
// unknown kid never passes the refresh floor after the first load.
const accord::verifier::GrantVerifier& Verifier() {
  static const accord::verifier::GrantVerifier* verifier = [] {
    accord::verifier::JwksSource::Options source_options;
    source_options.now = [] { return absl::FromUnixSeconds(kNow); };
    auto source = accord::verifier::JwksSource::FromLoader(
        [] { return absl::StatusOr<std::string>(std::string(kJwks)); },
        source_options);
    if (!source.ok()) std::abort();
    accord::verifier::GrantVerifierOptions options;
    options.audience = "data.rennes.example";
    options.issuer = "accord";
    options.now = [] { return absl::FromUnixSeconds(kNow); };
    return new accord::verifier::GrantVerifier(*std::move(source),
                                               std::move(options));
  }();
  return *verifier;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);

  // Whatever parses must serialize to text that parses to the same value.
  absl::StatusOr<accord::formats::JsonValue> json =
      accord::formats::ParseJson(input);
  if (json.ok()) {
    absl::StatusOr<accord::formats::JsonValue> again =
        accord::formats::ParseJson(json->Serialize());
    if (!again.ok() || !(*again == *json)) std::abort();
  }

  absl::StatusOr<accord::crypto::VerifiedJws> jws =
      accord::crypto::VerifyJws(input, FixedJwks());
  // Only a token signed by one of the fixed keys may pass.
  if (jws.ok() && !jws->payload.is_object()) std::abort();

  const accord::verifier::GrantVerifier& verifier = Verifier();
  absl::StatusOr<accord::verifier::Grant> unbound =
      verifier.VerifyUnbound(input);
  absl::StatusOr<accord::verifier::Grant> bound =
      verifier.VerifyForThumbprint(input, kThumbprint);
  // Every refusal names the check it came from.
  if (!unbound.ok() && !accord::verifier::FailedCheck(unbound.status())) {
    std::abort();
  }
  if (!bound.ok() && !accord::verifier::FailedCheck(bound.status())) {
    std::abort();
  }
  // Binding only narrows: a bound grant is a valid grant, and a grant is
  // accepted only if its signature verifies against the fixed keys.
  if (bound.ok() && (!unbound.ok() || bound->cnf_x5t_s256 != kThumbprint)) {
    std::abort();
  }
  if (unbound.ok() && !jws.ok()) std::abort();
  return 0;
}
