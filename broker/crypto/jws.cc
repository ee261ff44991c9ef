#include "broker/crypto/jws.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/formats/base64url.h"

namespace accord::crypto {
namespace {

constexpr absl::string_view kUnknownKidPayload =
    "type.accord.dev/accord.crypto.UnknownKid";

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("jws: ", what));
}

absl::Status Rejected(absl::string_view what) {
  return absl::UnauthenticatedError(absl::StrCat("jws: ", what));
}

absl::StatusOr<formats::JsonValue> DecodeObject(absl::string_view part,
                                                absl::string_view name,
                                                size_t max_bytes) {
  absl::StatusOr<std::string> raw = formats::Base64UrlDecode(part);
  if (!raw.ok()) return Malformed(absl::StrCat(name, " is not base64url"));
  formats::JsonLimits limits;
  limits.max_bytes = max_bytes;
  absl::StatusOr<formats::JsonValue> json = formats::ParseJson(*raw, limits);
  if (!json.ok() || !json->is_object()) {
    return Malformed(absl::StrCat(name, " is not a JSON object"));
  }
  return json;
}

}  // namespace

absl::StatusOr<std::string> SignJws(const SigningKey& key,
                                    absl::string_view typ,
                                    absl::string_view payload_json) {
  if (!formats::ParseJson(payload_json).ok()) {
    return absl::InvalidArgumentError("jws: payload is not valid JSON");
  }
  formats::JsonValue header = formats::JsonValue::Object();
  header.Set("alg", AlgorithmName(key.algorithm()));
  if (!typ.empty()) header.Set("typ", typ);
  header.Set("kid", key.kid());
  std::string input = absl::StrCat(formats::Base64UrlEncode(header.Serialize()),
                                   ".", formats::Base64UrlEncode(payload_json));
  absl::StatusOr<std::string> sig = key.Sign(input);
  if (!sig.ok()) return sig.status();
  absl::StrAppend(&input, ".", formats::Base64UrlEncode(*sig));
  return input;
}

absl::StatusOr<VerifiedJws> VerifyJws(absl::string_view compact,
                                      const Jwks& jwks,
                                      const JwsPolicy& policy) {
  if (compact.size() > policy.max_bytes) {
    return Malformed(
        absl::StrCat("token larger than ", policy.max_bytes, " bytes"));
  }
  size_t dot1 = compact.find('.');
  size_t dot2 =
      dot1 == absl::string_view::npos ? dot1 : compact.find('.', dot1 + 1);
  if (dot2 == absl::string_view::npos ||
      compact.find('.', dot2 + 1) != absl::string_view::npos) {
    return Malformed("not three dot-separated parts");
  }
  absl::string_view header_part = compact.substr(0, dot1);
  absl::string_view payload_part = compact.substr(dot1 + 1, dot2 - dot1 - 1);
  absl::string_view sig_part = compact.substr(dot2 + 1);

  absl::StatusOr<formats::JsonValue> header =
      DecodeObject(header_part, "header", policy.max_bytes);
  if (!header.ok()) return header.status();
  const formats::JsonValue* alg_value = header->Find("alg");
  if (alg_value == nullptr || !alg_value->is_string()) {
    return Malformed("header \"alg\" missing or not a string");
  }
  std::optional<Algorithm> alg = AlgorithmFromName(*alg_value->AsString());
  if (!alg || std::find(policy.allowed_algorithms.begin(),
                        policy.allowed_algorithms.end(),
                        *alg) == policy.allowed_algorithms.end()) {
    return Rejected("header \"alg\" not allowed");
  }
  if (header->Find("crit") != nullptr) {
    return Rejected("header \"crit\" not supported");
  }
  if (!policy.expected_typ.empty()) {
    const formats::JsonValue* typ = header->Find("typ");
    if (typ == nullptr || !typ->is_string() ||
        !absl::EqualsIgnoreCase(*typ->AsString(), policy.expected_typ)) {
      return Rejected("header \"typ\" is not the expected type");
    }
  }
  const formats::JsonValue* kid = header->Find("kid");
  if (kid == nullptr || !kid->is_string()) {
    return Malformed("header \"kid\" missing or not a string");
  }
  const VerifyingKey* key = jwks.Find(*kid->AsString());
  if (key == nullptr) {
    absl::Status s = Rejected("unknown \"kid\"");
    s.SetPayload(kUnknownKidPayload, absl::Cord("1"));
    return s;
  }
  if (key->algorithm() != *alg) {
    return Rejected("header \"alg\" does not match the key's algorithm");
  }
  absl::StatusOr<std::string> sig = formats::Base64UrlDecode(sig_part);
  if (!sig.ok()) return Malformed("signature is not base64url");
  absl::Status verified = key->Verify(compact.substr(0, dot2), *sig);
  if (!verified.ok()) return Rejected("signature does not verify");

  absl::StatusOr<formats::JsonValue> payload =
      DecodeObject(payload_part, "payload", policy.max_bytes);
  if (!payload.ok()) return payload.status();
  return VerifiedJws{std::move(*header), std::move(*payload)};
}

bool IsUnknownKidError(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnauthenticated &&
         status.GetPayload(kUnknownKidPayload).has_value();
}

}  // namespace accord::crypto
