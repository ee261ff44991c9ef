#include "broker/crypto/rsa_public.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "absl/strings/str_cat.h"
#include "broker/formats/base64url.h"

namespace accord::crypto::internal {
namespace {

absl::StatusOr<std::string> DecodeMember(const formats::JsonValue& jwk,
                                         absl::string_view name) {
  absl::StatusOr<std::string> text = jwk.GetString(name);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("jwk: \"", name, "\" missing or not a string"));
  }
  absl::StatusOr<std::string> raw = formats::Base64UrlDecode(*text);
  if (!raw.ok() || raw->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("jwk: \"", name, "\" is not base64url"));
  }
  return raw;
}

OsslPtr<BIGNUM> ToBignum(const std::string& be) {
  return OsslPtr<BIGNUM>(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(be.data()),
                static_cast<int>(be.size()), nullptr));
}

}  // namespace

absl::StatusOr<RsaPublic> RsaPublicFromParts(std::string n, std::string e) {
  if (n.empty() || n[0] == '\0') {
    return absl::InvalidArgumentError("jwk: \"n\" has a leading zero byte");
  }
  if (e.empty() || e[0] == '\0') {
    return absl::InvalidArgumentError("jwk: \"e\" has a leading zero byte");
  }
  const size_t bits =
      n.size() * 8 - __builtin_clz(static_cast<unsigned char>(n[0])) + 24;
  if (bits < static_cast<size_t>(kMinRsaBits) ||
      bits > static_cast<size_t>(kMaxRsaBits)) {
    return absl::InvalidArgumentError(
        absl::StrCat("jwk: \"n\" must be a ", kMinRsaBits, " to ", kMaxRsaBits,
                     " bit modulus"));
  }
  if (e.size() > 4 || (static_cast<unsigned char>(e.back()) & 1) == 0 ||
      (e.size() == 1 && static_cast<unsigned char>(e[0]) < 3)) {
    return absl::InvalidArgumentError(
        "jwk: \"e\" must be an odd exponent of at least 3 and 32 bits at most");
  }
  OsslPtr<BIGNUM> bn_n = ToBignum(n);
  OsslPtr<BIGNUM> bn_e = ToBignum(e);
  OsslPtr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return OpenSslError(absl::StatusCode::kInternal, "jwk: building RSA key");
  }
  OsslPtr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  OsslPtr<EVP_PKEY_CTX> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) !=
          1) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "jwk: \"n\"/\"e\" is not an RSA public key");
  }
  return RsaPublic{OsslPtr<EVP_PKEY>(raw), std::move(n), std::move(e)};
}

absl::StatusOr<RsaPublic> RsaPublicFromJwk(const formats::JsonValue& jwk) {
  absl::StatusOr<std::string> n = DecodeMember(jwk, "n");
  if (!n.ok()) return n.status();
  absl::StatusOr<std::string> e = DecodeMember(jwk, "e");
  if (!e.ok()) return e.status();
  return RsaPublicFromParts(std::move(*n), std::move(*e));
}

absl::Status VerifyRs256(EVP_PKEY* pkey, absl::string_view data,
                         absl::string_view signature) {
  if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(pkey))) {
    return absl::UnauthenticatedError(
        absl::StrCat("signature: wrong length ", signature.size()));
  }
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const bool ok =
      ctx &&
      EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, pkey) ==
          1 &&
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
      EVP_DigestVerify(
          ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
          data.size()) == 1;
  if (!ok) {
    ERR_clear_error();
    return absl::UnauthenticatedError("signature: does not verify");
  }
  return absl::OkStatus();
}

std::string RsaThumbprintInput(const std::string& n, const std::string& e) {
  return absl::StrCat(R"({"e":")", formats::Base64UrlEncode(e),
                      R"(","kty":"RSA","n":")", formats::Base64UrlEncode(n),
                      R"("})");
}

}  // namespace accord::crypto::internal
