#include "clients/dev_token.h"

#include "absl/strings/str_cat.h"
#include "broker/crypto/jws.h"
#include "broker/dev/dev_layout.h"
#include "broker/formats/json.h"

namespace accord::client {

absl::StatusOr<std::string> MintDevCitizenToken(
    const crypto::SigningKey& issuer_key, absl::string_view name, int64_t now) {
  if (name.empty() || name.size() > 256) {
    return absl::InvalidArgumentError(
        "citizen name: must be 1 to 256 bytes long");
  }
  formats::JsonValue payload = formats::JsonValue::Object();
  payload.Set("iss", dev::kIssuer)
      .Set("aud", dev::kAudience)
      .Set("azp", dev::kCitizenClientId)
      .Set("sub", name)
      .Set("iat", static_cast<long long>(now))
      .Set("nbf", static_cast<long long>(now))
      .Set("exp",
           static_cast<long long>(now + dev::kCitizenTokenLifetimeSeconds));
  return crypto::SignJws(issuer_key, "JWT", payload.Serialize());
}

absl::StatusOr<std::string> MintDevCitizenTokenFromDataDir(
    absl::string_view data_dir, absl::string_view name, int64_t now) {
  absl::StatusOr<crypto::SigningKey> key =
      crypto::SigningKey::ReadPemFile(dev::IssuerKeyPath(data_dir));
  if (!key.ok()) return key.status();
  return MintDevCitizenToken(*key, name, now);
}

}  // namespace accord::client
