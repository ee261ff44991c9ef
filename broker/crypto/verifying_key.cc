#include "broker/crypto/verifying_key.h"

#include <openssl/core_names.h>
#include <openssl/err.h>

#include "absl/strings/str_cat.h"
#include "broker/crypto/ecdsa_raw.h"
#include "broker/crypto/openssl_util.h"
#include "broker/crypto/rsa_public.h"
#include "broker/crypto/sha256.h"
#include "broker/crypto/verify_context.h"
#include "broker/formats/base64url.h"

namespace accord::crypto {
namespace {

using internal::OpenSslError;
using internal::OsslPtr;

constexpr size_t kCoordinateBytes = 32;

// Member names that only private (or symmetric) JWKs carry.
constexpr absl::string_view kPrivateMembers[] = {"d",  "p",  "q", "dp",
                                                 "dq", "qi", "k", "oth"};

absl::StatusOr<std::string> DecodeCoordinate(const formats::JsonValue& jwk,
                                             absl::string_view name) {
  absl::StatusOr<std::string> text = jwk.GetString(name);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("jwk: \"", name, "\" missing or not a string"));
  }
  absl::StatusOr<std::string> raw = formats::Base64UrlDecode(*text);
  if (!raw.ok() || raw->size() != kCoordinateBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("jwk: \"", name, "\" is not 32 base64url bytes"));
  }
  return raw;
}

std::string Thumbprint(Algorithm alg, const std::string& x,
                       const std::string& y) {
  // RFC 7638: required members only, lexicographic order, no whitespace.
  std::string canonical;
  if (alg == Algorithm::kRS256) {
    canonical = internal::RsaThumbprintInput(x, y);
  } else if (alg == Algorithm::kES256) {
    canonical = absl::StrCat(R"({"crv":"P-256","kty":"EC","x":")",
                             formats::Base64UrlEncode(x), R"(","y":")",
                             formats::Base64UrlEncode(y), R"("})");
  } else {
    canonical = absl::StrCat(R"({"crv":"Ed25519","kty":"OKP","x":")",
                             formats::Base64UrlEncode(x), R"("})");
  }
  return formats::Base64UrlEncode(AsBytes(Sha256(canonical)));
}

absl::StatusOr<OsslPtr<EVP_PKEY>> EcPublicKey(const std::string& x,
                                              const std::string& y) {
  std::string point = absl::StrCat("\x04", x, y);
  OsslPtr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                       "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                        point.data(), point.size())) {
    return OpenSslError(absl::StatusCode::kInternal, "jwk: building EC key");
  }
  OsslPtr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) !=
          1) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "jwk: \"x\"/\"y\" is not a P-256 point");
  }
  OsslPtr<EVP_PKEY> pkey(raw);
  OsslPtr<EVP_PKEY_CTX> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "jwk: \"x\"/\"y\" is not a point on P-256");
  }
  return pkey;
}

}  // namespace

absl::StatusOr<VerifyingKey> VerifyingKey::FromCoordinates(Algorithm alg,
                                                           std::string x,
                                                           std::string y,
                                                           std::string kid) {
  OsslPtr<EVP_PKEY> pkey;
  if (alg == Algorithm::kES256) {
    absl::StatusOr<OsslPtr<EVP_PKEY>> ec = EcPublicKey(x, y);
    if (!ec.ok()) return ec.status();
    pkey = std::move(*ec);
  } else {
    pkey.reset(EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr,
        reinterpret_cast<const unsigned char*>(x.data()), x.size()));
    if (!pkey) {
      return OpenSslError(absl::StatusCode::kInvalidArgument,
                          "jwk: \"x\" is not an Ed25519 public key");
    }
  }
  VerifyingKey key;
  key.pkey_ = std::shared_ptr<EVP_PKEY>(pkey.release(), EVP_PKEY_free);
  key.alg_ = alg;
  key.thumbprint_ = Thumbprint(alg, x, y);
  key.kid_ = kid.empty() ? key.thumbprint_ : std::move(kid);
  key.x_ = std::move(x);
  key.y_ = std::move(y);
  return key;
}

absl::StatusOr<VerifyingKey> VerifyingKey::FromJwk(
    const formats::JsonValue& jwk) {
  if (!jwk.is_object()) {
    return absl::InvalidArgumentError("jwk: not a JSON object");
  }
  for (absl::string_view member : kPrivateMembers) {
    if (jwk.Find(member) != nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "jwk: private or symmetric member \"", member, "\" present"));
    }
  }
  absl::StatusOr<std::string> kty = jwk.GetString("kty");
  if (!kty.ok()) {
    return absl::InvalidArgumentError("jwk: \"kty\" missing or not a string");
  }
  absl::StatusOr<std::string> crv = jwk.GetString("crv");
  Algorithm alg;
  if (*kty == "EC") {
    if (!crv.ok() || *crv != "P-256") {
      return absl::InvalidArgumentError("jwk: \"crv\" must be P-256 for EC");
    }
    alg = Algorithm::kES256;
  } else if (*kty == "OKP") {
    if (!crv.ok() || *crv != "Ed25519") {
      return absl::InvalidArgumentError("jwk: \"crv\" must be Ed25519 for OKP");
    }
    alg = Algorithm::kEdDSA;
  } else if (*kty == "RSA") {
    alg = Algorithm::kRS256;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("jwk: unsupported \"kty\" (need EC, OKP or RSA)"));
  }
  if (const formats::JsonValue* a = jwk.Find("alg")) {
    if (!a->is_string() || *a->AsString() != AlgorithmName(alg)) {
      return absl::InvalidArgumentError(
          absl::StrCat("jwk: \"alg\" does not match key type (expected ",
                       AlgorithmName(alg), ")"));
    }
  }
  if (const formats::JsonValue* use = jwk.Find("use")) {
    if (!use->is_string() || *use->AsString() != "sig") {
      return absl::InvalidArgumentError("jwk: \"use\" is not \"sig\"");
    }
  }
  std::string kid;
  if (const formats::JsonValue* k = jwk.Find("kid")) {
    if (!k->is_string() || k->AsString()->empty()) {
      return absl::InvalidArgumentError(
          "jwk: \"kid\" is not a non-empty string");
    }
    kid = *k->AsString();
  }
  if (alg == Algorithm::kRS256) return FromRsaJwk(jwk, std::move(kid));
  absl::StatusOr<std::string> x = DecodeCoordinate(jwk, "x");
  if (!x.ok()) return x.status();
  std::string y;
  if (alg == Algorithm::kES256) {
    absl::StatusOr<std::string> yy = DecodeCoordinate(jwk, "y");
    if (!yy.ok()) return yy.status();
    y = std::move(*yy);
  } else if (jwk.Find("y") != nullptr) {
    return absl::InvalidArgumentError("jwk: \"y\" present in an OKP key");
  }
  return FromCoordinates(alg, std::move(*x), std::move(y), std::move(kid));
}

absl::StatusOr<VerifyingKey> VerifyingKey::FromRsaJwk(
    const formats::JsonValue& jwk, std::string kid) {
  absl::StatusOr<internal::RsaPublic> rsa = internal::RsaPublicFromJwk(jwk);
  if (!rsa.ok()) return rsa.status();
  VerifyingKey key;
  key.pkey_ = std::shared_ptr<EVP_PKEY>(rsa->pkey.release(), EVP_PKEY_free);
  key.alg_ = Algorithm::kRS256;
  key.thumbprint_ = Thumbprint(Algorithm::kRS256, rsa->n, rsa->e);
  key.kid_ = kid.empty() ? key.thumbprint_ : std::move(kid);
  key.x_ = std::move(rsa->n);
  key.y_ = std::move(rsa->e);
  return key;
}

absl::Status VerifyingKey::Verify(absl::string_view data,
                                  absl::string_view signature) const {
  if (alg_ == Algorithm::kRS256) {
    return internal::VerifyRs256(pkey_.get(), data, signature);
  }
  if (signature.size() != 64) {
    return absl::UnauthenticatedError(
        absl::StrCat("signature: wrong length ", signature.size()));
  }
  EVP_PKEY* pkey = pkey_.get();
  int ok = 0;
  if (alg_ == Algorithm::kES256) {
    unsigned char der[internal::kMaxDerP256Signature];
    const size_t der_len = internal::RawToDerSignature(signature, der);
    if (der_len == 0) {
      return absl::UnauthenticatedError("signature: invalid r||s");
    }
    const Digest digest = Sha256(data);
    ok = internal::VerifyDigestCached(pkey, AsBytes(digest), der, der_len);
  } else {
    OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    ok =
        ctx &&
        EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey) == 1 &&
        EVP_DigestVerify(
            ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
            signature.size(),
            reinterpret_cast<const unsigned char*>(data.data()),
            data.size()) == 1;
  }
  if (!ok) {
    ERR_clear_error();
    return absl::UnauthenticatedError("signature: does not verify");
  }
  return absl::OkStatus();
}

formats::JsonValue VerifyingKey::PublicJwk() const {
  formats::JsonValue jwk = formats::JsonValue::Object();
  if (alg_ == Algorithm::kRS256) {
    jwk.Set("kty", "RSA");
    jwk.Set("n", formats::Base64UrlEncode(x_))
        .Set("e", formats::Base64UrlEncode(y_));
  } else if (alg_ == Algorithm::kES256) {
    jwk.Set("kty", "EC").Set("crv", "P-256");
    jwk.Set("x", formats::Base64UrlEncode(x_))
        .Set("y", formats::Base64UrlEncode(y_));
  } else {
    jwk.Set("kty", "OKP").Set("crv", "Ed25519");
    jwk.Set("x", formats::Base64UrlEncode(x_));
  }
  jwk.Set("kid", kid_).Set("alg", AlgorithmName(alg_)).Set("use", "sig");
  return jwk;
}

std::string VerifyingKey::RawPublicKey() const {
  if (alg_ == Algorithm::kES256) return absl::StrCat("\x04", x_, y_);
  return x_;
}

}  // namespace accord::crypto
