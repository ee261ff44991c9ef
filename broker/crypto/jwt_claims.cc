#include "broker/crypto/jwt_claims.h"

#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"

namespace accord::crypto {
namespace {

// Reads a NumericDate claim. Returns nullopt in *value when absent.
absl::Status ReadTime(const formats::JsonValue& payload, absl::string_view name,
                      std::optional<double>* value) {
  value->reset();
  const formats::JsonValue* v = payload.Find(name);
  if (v == nullptr) return absl::OkStatus();
  std::optional<double> d = v->AsDouble();
  if (!d || !std::isfinite(*d)) {
    return absl::InvalidArgumentError(
        absl::StrCat("claim \"", name, "\" is not a NumericDate"));
  }
  *value = d;
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckClaims(const formats::JsonValue& payload,
                         const ClaimExpectations& expected) {
  if (!payload.is_object()) {
    return absl::InvalidArgumentError("claims: not a JSON object");
  }
  const double now = static_cast<double>(expected.now);
  const double skew = static_cast<double>(expected.skew_seconds);
  std::optional<double> exp, nbf, iat;
  absl::Status s = ReadTime(payload, "exp", &exp);
  if (s.ok()) s = ReadTime(payload, "nbf", &nbf);
  if (s.ok()) s = ReadTime(payload, "iat", &iat);
  if (!s.ok()) return s;

  if (!exp && expected.require_exp) {
    return absl::UnauthenticatedError("claim \"exp\" missing");
  }
  if (exp && now >= *exp + skew) {
    return absl::UnauthenticatedError("token expired (exp)");
  }
  if (nbf && now + skew < *nbf) {
    return absl::UnauthenticatedError("token not yet valid (nbf)");
  }
  if (iat && *iat > now + skew) {
    return absl::UnauthenticatedError("token issued in the future (iat)");
  }
  if (!expected.issuer.empty()) {
    const formats::JsonValue* iss = payload.Find("iss");
    if (iss == nullptr)
      return absl::UnauthenticatedError("claim \"iss\" missing");
    if (!iss->is_string()) {
      return absl::InvalidArgumentError("claim \"iss\" is not a string");
    }
    if (*iss->AsString() != expected.issuer) {
      return absl::UnauthenticatedError("iss mismatch");
    }
  }
  if (!expected.audience.empty()) {
    const formats::JsonValue* aud = payload.Find("aud");
    if (aud == nullptr)
      return absl::UnauthenticatedError("claim \"aud\" missing");
    bool match = false;
    if (const std::string* one = aud->AsString()) {
      match = *one == expected.audience;
    } else if (const formats::JsonValue::Elements* many = aud->AsArray()) {
      for (const formats::JsonValue& a : *many) {
        const std::string* str = a.AsString();
        if (str == nullptr) {
          return absl::InvalidArgumentError("claim \"aud\" holds a non-string");
        }
        if (*str == expected.audience) match = true;
      }
    } else {
      return absl::InvalidArgumentError(
          "claim \"aud\" is not a string or an array");
    }
    if (!match) return absl::UnauthenticatedError("aud mismatch");
  }
  return absl::OkStatus();
}

}  // namespace accord::crypto
