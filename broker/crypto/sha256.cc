#include "broker/crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

#include "absl/base/optimization.h"
#include "absl/strings/escaping.h"

namespace accord::crypto {
namespace {

// SHA-256 through EVP with the costs of OpenSSL 3's one-shot calls taken
// out: the implementation is fetched once for the process (never freed),
// and each thread reuses one digest context. The one-shot SHA256() /
// EVP_Digest() fetch the digest and make and free a context per call,
// several times the cost of hashing the short inputs here (Merkle nodes,
// commitments, JWS signing inputs); tests/bench/README.md ("Hashing")
// gives the figures.
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    // Only a broken OpenSSL installation gets here; no hash can be given.
    if (fetched == nullptr) std::abort();
    return fetched;
  }();
  return md;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* NewThreadContext() {
  // Owns the context and frees it when the thread ends.
  thread_local const std::unique_ptr<EVP_MD_CTX, MdCtxFree> owner(
      EVP_MD_CTX_new());
  if (owner == nullptr) std::abort();
  return owner.get();
}

// This thread's context. Each hash initializes it, so nothing of a previous
// hash is carried over. The pointer is constant-initialized: no guard on
// the path taken once the context exists.
EVP_MD_CTX* ThreadContext() {
  thread_local EVP_MD_CTX* ctx = nullptr;
  if (ABSL_PREDICT_FALSE(ctx == nullptr)) ctx = NewThreadContext();
  return ctx;
}

// EVP_DigestUpdate, skipping the call for empty parts.
bool Update(EVP_MD_CTX* ctx, absl::string_view part) {
  return part.empty() || EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
}

}  // namespace

Digest Sha256(absl::string_view data) {
  return Sha256(data, absl::string_view(), absl::string_view());
}

Digest Sha256(absl::string_view a, absl::string_view b, absl::string_view c) {
  EVP_MD_CTX* ctx = ThreadContext();
  Digest out;
  if (EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) != 1 || !Update(ctx, a) ||
      !Update(ctx, b) || !Update(ctx, c) ||
      EVP_DigestFinal_ex(ctx, out.data(), nullptr) != 1) {
    // A wrong hash must never be used.
    std::abort();
  }
  return out;
}

std::string ToHex(const Digest& d) {
  return absl::BytesToHexString(AsBytes(d));
}

}  // namespace accord::crypto
