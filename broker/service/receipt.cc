#include "broker/service/receipt.h"

#include "broker/crypto/jws.h"
#include "broker/crypto/random.h"
#include "broker/formats/json.h"

namespace accord::service {

absl::StatusOr<std::string> SignReceipt(const crypto::SigningKey& key,
                                        absl::string_view issuer,
                                        absl::string_view controller,
                                        const accord::v1::Consent& consent,
                                        int64_t now) {
  using formats::JsonValue;
  JsonValue recipient = JsonValue::Object();
  if (consent.recipient().has_partner()) {
    recipient.Set("partner", consent.recipient().partner());
  } else {
    recipient.Set("category", consent.recipient().category());
  }
  JsonValue notice = JsonValue::Object();
  notice.Set("version", static_cast<long long>(consent.notice().version()))
      .Set("hash", consent.notice().hash());
  JsonValue claims = JsonValue::Object();
  claims.Set("iss", issuer)
      .Set("aud", kReceiptAudience)
      .Set("jti", crypto::RandomId())
      .Set("iat", static_cast<long long>(now))
      .Set("sub", consent.subject())
      .Set("consent_id", consent.id())
      .Set("controller", controller)
      .Set("dataset", consent.dataset_id())
      .Set("purpose", consent.purpose())
      .Set("recipient", recipient)
      .Set("notice", notice)
      .Set("legal_basis", accord::v1::LegalBasis_Name(consent.legal_basis()))
      .Set("state", accord::v1::ConsentState_Name(consent.state()))
      .Set("objection", consent.objection());
  if (consent.expires_at() != 0) {
    claims.Set("expires_at", static_cast<long long>(consent.expires_at()));
  }
  return crypto::SignJws(key, kReceiptType, claims.Serialize());
}

}  // namespace accord::service
