#include "broker/crypto/ecdsa_raw.h"

#include <openssl/ecdsa.h>

#include "broker/crypto/openssl_util.h"

namespace accord::crypto::internal {

bool RawToDerSignature(absl::string_view raw, std::string* der) {
  if (raw.size() != 64) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  OsslPtr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* out = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &out);
  if (len <= 0) return false;
  der->assign(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);
  return true;
}

bool DerToRawSignature(absl::string_view der, std::string* raw) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OsslPtr<ECDSA_SIG> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return false;
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  unsigned char out[64];
  if (BN_bn2binpad(r, out, 32) != 32 || BN_bn2binpad(s, out + 32, 32) != 32) {
    return false;
  }
  raw->assign(reinterpret_cast<char*>(out), sizeof(out));
  return true;
}

}  // namespace accord::crypto::internal
