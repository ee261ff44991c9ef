#include "broker/crypto/jwks.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "broker/formats/json.h"

namespace accord::crypto {

absl::StatusOr<Jwks> Jwks::Parse(absl::string_view json) {
  absl::StatusOr<formats::JsonValue> doc = formats::ParseJson(json);
  if (!doc.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("jwks: ", doc.status().message()));
  }
  const formats::JsonValue* keys = doc->Find("keys");
  if (keys == nullptr || !keys->is_array()) {
    return absl::InvalidArgumentError("jwks: \"keys\" array missing");
  }
  Jwks out;
  size_t index = 0;
  for (const formats::JsonValue& jwk : *keys->AsArray()) {
    absl::StatusOr<VerifyingKey> key = VerifyingKey::FromJwk(jwk);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("jwks: keys[", index, "]: ", key.status().message()));
    }
    if (out.Find(key->kid()) != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("jwks: keys[", index, "]: duplicate kid"));
    }
    out.keys_.push_back(std::move(*key));
    ++index;
  }
  return out;
}

Jwks Jwks::FromKeys(const std::vector<const SigningKey*>& keys) {
  std::vector<VerifyingKey> pub;
  for (const SigningKey* key : keys) {
    if (key != nullptr) pub.push_back(key->verifying_key());
  }
  return FromVerifyingKeys(std::move(pub));
}

Jwks Jwks::FromVerifyingKeys(std::vector<VerifyingKey> keys) {
  Jwks out;
  for (VerifyingKey& key : keys) {
    if (out.Find(key.kid()) == nullptr) out.keys_.push_back(std::move(key));
  }
  return out;
}

const VerifyingKey* Jwks::Find(absl::string_view kid) const {
  for (const VerifyingKey& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

std::string Jwks::ToJson() const {
  formats::JsonValue list = formats::JsonValue::Array();
  for (const VerifyingKey& key : keys_) list.Push(key.PublicJwk());
  formats::JsonValue doc = formats::JsonValue::Object();
  doc.Set("keys", std::move(list));
  return doc.Serialize();
}

}  // namespace accord::crypto
