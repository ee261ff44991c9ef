#include "broker/crypto/signing_key.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

#include "broker/crypto/ecdsa_raw.h"
#include "broker/crypto/openssl_util.h"
#include "broker/crypto/sha256.h"
#include "broker/crypto/verify_context.h"
#include "broker/formats/base64url.h"

namespace accord::crypto {
namespace {

using internal::OpenSslError;
using internal::OsslPtr;

// Clears a buffer that held key material before it is freed.
struct WipedString {
  std::string s;
  ~WipedString() {
    if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  }
};

bool CoordinateBytes(EVP_PKEY* pkey, const char* name, std::string* out) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return false;
  OsslPtr<BIGNUM> owned(bn);
  unsigned char buf[32];
  if (BN_bn2binpad(bn, buf, sizeof(buf)) != 32) return false;
  out->assign(reinterpret_cast<char*>(buf), sizeof(buf));
  return true;
}

}  // namespace

void SigningKey::Free::operator()(evp_pkey_st* p) const { EVP_PKEY_free(p); }

SigningKey::~SigningKey() = default;

absl::StatusOr<SigningKey> SigningKey::FromPkey(evp_pkey_st* raw) {
  OsslPtr<EVP_PKEY> pkey(raw);
  std::string x;
  std::string y;
  Algorithm alg;
  if (EVP_PKEY_is_a(pkey.get(), "ED25519")) {
    alg = Algorithm::kEdDSA;
    unsigned char buf[32];
    size_t len = sizeof(buf);
    if (EVP_PKEY_get_raw_public_key(pkey.get(), buf, &len) != 1 || len != 32) {
      return OpenSslError(absl::StatusCode::kInvalidArgument,
                          "key: cannot read the Ed25519 public key");
    }
    x.assign(reinterpret_cast<char*>(buf), len);
  } else if (EVP_PKEY_is_a(pkey.get(), "EC")) {
    alg = Algorithm::kES256;
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey.get(), group, sizeof(group), &len) != 1 ||
        (std::strcmp(group, "prime256v1") != 0 &&
         std::strcmp(group, "P-256") != 0)) {
      ERR_clear_error();
      return absl::InvalidArgumentError("key: EC key is not on P-256");
    }
    if (!CoordinateBytes(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
        !CoordinateBytes(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y)) {
      return OpenSslError(absl::StatusCode::kInvalidArgument,
                          "key: cannot read the P-256 public point");
    }
  } else {
    return absl::InvalidArgumentError(
        "key: not a P-256 or Ed25519 private key");
  }
  absl::StatusOr<VerifyingKey> pub =
      VerifyingKey::FromCoordinates(alg, std::move(x), std::move(y), "");
  if (!pub.ok()) return pub.status();
  return SigningKey(std::unique_ptr<evp_pkey_st, Free>(pkey.release()),
                    std::move(*pub));
}

absl::StatusOr<SigningKey> SigningKey::Generate(Algorithm alg) {
  if (alg != Algorithm::kES256 && alg != Algorithm::kEdDSA) {
    return absl::InvalidArgumentError(
        "key: only ES256 and EdDSA signing keys are generated");
  }
  EVP_PKEY* pkey = alg == Algorithm::kES256
                       ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                       : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (pkey == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "key: generation failed");
  }
  return FromPkey(pkey);
}

absl::StatusOr<SigningKey> SigningKey::FromPem(absl::string_view pem) {
  constexpr absl::string_view kBegin = "-----BEGIN PRIVATE KEY-----";
  constexpr absl::string_view kEnd = "-----END PRIVATE KEY-----";
  if (pem.size() > 64 * 1024) {
    return absl::InvalidArgumentError("key: PEM larger than 64 KiB");
  }
  size_t begin = pem.find(kBegin);
  size_t end = begin == absl::string_view::npos
                   ? begin
                   : pem.find(kEnd, begin + kBegin.size());
  if (end == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "key: not an unencrypted PKCS#8 PEM (BEGIN PRIVATE KEY)");
  }
  // Decode the PKCS#8 block ourselves so that no other PEM type (SEC1,
  // encrypted, public keys) can be accepted in its place.
  WipedString body;
  for (char c :
       pem.substr(begin + kBegin.size(), end - begin - kBegin.size())) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') body.s.push_back(c);
  }
  absl::StatusOr<std::string> der = formats::Base64Decode(body.s);
  if (!der.ok()) {
    return absl::InvalidArgumentError("key: PKCS#8 PEM body is not base64");
  }
  WipedString der_bytes{std::move(*der)};
  const auto* p = reinterpret_cast<const unsigned char*>(der_bytes.s.data());
  PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(
      nullptr, &p, static_cast<long>(der_bytes.s.size()));
  bool whole = info != nullptr &&
               p == reinterpret_cast<const unsigned char*>(der_bytes.s.data()) +
                        der_bytes.s.size();
  EVP_PKEY* pkey = whole ? EVP_PKCS82PKEY(info) : nullptr;
  PKCS8_PRIV_KEY_INFO_free(info);
  if (pkey == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("key: PEM does not hold a PKCS#8 key");
  }
  return FromPkey(pkey);
}

absl::StatusOr<std::string> SigningKey::Sign(absl::string_view data) const {
  EVP_PKEY* pkey = pkey_.get();
  if (algorithm() == Algorithm::kES256) {
    Digest digest = Sha256(data);
    unsigned char der[128];
    size_t der_len = sizeof(der);
    std::string raw;
    // A per-thread context: making one costs a provider fetch, several
    // times the signature's own arithmetic.
    if (!internal::SignDigestCached(
            pkey,
            absl::string_view(reinterpret_cast<const char*>(digest.data()),
                              digest.size()),
            der, &der_len) ||
        !internal::DerToRawSignature(
            absl::string_view(reinterpret_cast<char*>(der), der_len), &raw)) {
      return OpenSslError(absl::StatusCode::kInternal, "sign: ECDSA failed");
    }
    return raw;
  }
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &sig_len,
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1 ||
      sig_len != 64) {
    return OpenSslError(absl::StatusCode::kInternal, "sign: Ed25519 failed");
  }
  return std::string(reinterpret_cast<char*>(sig), sig_len);
}

}  // namespace accord::crypto
