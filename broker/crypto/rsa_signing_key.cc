#include "broker/crypto/rsa_signing_key.h"

#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "absl/strings/str_cat.h"
#include "broker/crypto/openssl_util.h"
#include "broker/crypto/rsa_public.h"
#include "broker/formats/base64url.h"
#include "broker/formats/json.h"

namespace accord::crypto {
namespace {

using internal::OpenSslError;
using internal::OsslPtr;

absl::StatusOr<std::string> BignumParam(EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "key: reading RSA key");
  }
  OsslPtr<BIGNUM> bn(raw);
  std::string out(BN_num_bytes(bn.get()), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

}  // namespace

absl::StatusOr<RsaSigningKey> RsaSigningKey::Generate(int bits) {
  if (bits < internal::kMinRsaBits || bits > internal::kMaxRsaBits) {
    return absl::InvalidArgumentError(
        absl::StrCat("key: RSA size must be 2048 to 8192 bits, not ", bits));
  }
  OsslPtr<EVP_PKEY> pkey(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  if (!pkey) {
    return OpenSslError(absl::StatusCode::kInternal, "key: generation failed");
  }
  absl::StatusOr<std::string> n =
      BignumParam(pkey.get(), OSSL_PKEY_PARAM_RSA_N);
  if (!n.ok()) return n.status();
  absl::StatusOr<std::string> e =
      BignumParam(pkey.get(), OSSL_PKEY_PARAM_RSA_E);
  if (!e.ok()) return e.status();
  formats::JsonValue jwk = formats::JsonValue::Object();
  jwk.Set("kty", "RSA")
      .Set("n", formats::Base64UrlEncode(*n))
      .Set("e", formats::Base64UrlEncode(*e));
  absl::StatusOr<VerifyingKey> pub = VerifyingKey::FromJwk(jwk);
  if (!pub.ok()) return pub.status();
  return RsaSigningKey(std::shared_ptr<EVP_PKEY>(pkey.release(), EVP_PKEY_free),
                       *std::move(pub));
}

absl::StatusOr<std::string> RsaSigningKey::SignJws(
    absl::string_view typ, absl::string_view payload_json) const {
  if (!formats::ParseJson(payload_json).ok()) {
    return absl::InvalidArgumentError("jws: payload is not valid JSON");
  }
  formats::JsonValue header = formats::JsonValue::Object();
  header.Set("alg", "RS256");
  if (!typ.empty()) header.Set("typ", typ);
  header.Set("kid", kid());
  std::string input = absl::StrCat(formats::Base64UrlEncode(header.Serialize()),
                                   ".", formats::Base64UrlEncode(payload_json));
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  size_t len = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr,
                         pkey_.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len,
                     reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "jws: RSA signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()),
                     &len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "jws: RSA signing failed");
  }
  sig.resize(len);
  absl::StrAppend(&input, ".", formats::Base64UrlEncode(sig));
  return input;
}

}  // namespace accord::crypto
