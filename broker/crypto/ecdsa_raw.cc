#include "broker/crypto/ecdsa_raw.h"

#include <openssl/ecdsa.h>

#include <cstring>

#include "broker/crypto/openssl_util.h"

namespace accord::crypto::internal {

namespace {

// Appends one 32-byte big-endian unsigned integer as a DER INTEGER: leading
// zero bytes dropped (one kept for zero), a zero byte added when the high
// bit is set. Returns the bytes written.
size_t AppendDerInteger(const unsigned char* be32, unsigned char* out) {
  size_t skip = 0;
  while (skip < 31 && be32[skip] == 0) ++skip;
  const size_t len = 32 - skip;
  const bool pad = (be32[skip] & 0x80) != 0;
  size_t n = 0;
  out[n++] = 0x02;
  out[n++] = static_cast<unsigned char>(len + (pad ? 1 : 0));
  if (pad) out[n++] = 0x00;
  std::memcpy(out + n, be32 + skip, len);
  return n + len;
}

}  // namespace

size_t RawToDerSignature(absl::string_view raw, unsigned char* der) {
  if (raw.size() != 64) return 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  // At most 2 + 2 * 35 = 72 bytes: the content length fits one byte.
  size_t n = 2;
  n += AppendDerInteger(bytes, der + n);
  n += AppendDerInteger(bytes + 32, der + n);
  der[0] = 0x30;
  der[1] = static_cast<unsigned char>(n - 2);
  return n;
}

bool RawToDerSignature(absl::string_view raw, std::string* der) {
  unsigned char out[kMaxDerP256Signature];
  const size_t len = RawToDerSignature(raw, out);
  if (len == 0) return false;
  der->assign(reinterpret_cast<char*>(out), len);
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
