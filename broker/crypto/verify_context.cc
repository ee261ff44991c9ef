#include "broker/crypto/verify_context.h"

#include <openssl/err.h>

#include <array>
#include <cstddef>

namespace accord::crypto::internal {
namespace {

// A few keys per thread: a JWKS holds one to three keys during a rotation.
constexpr size_t kContextsPerThread = 4;

// The contexts of one thread. Only its own thread touches it, so it needs
// no lock; it frees its contexts (and their key references) when the
// thread ends.
class ThreadContexts {
 public:
  // `init` prepares a new context for the operation (EVP_PKEY_verify_init
  // or EVP_PKEY_sign_init).
  explicit ThreadContexts(int (*init)(EVP_PKEY_CTX*)) : init_(init) {
    slots_.fill(nullptr);
  }
  ThreadContexts(const ThreadContexts&) = delete;
  ThreadContexts& operator=(const ThreadContexts&) = delete;
  ~ThreadContexts() {
    for (EVP_PKEY_CTX* ctx : slots_) EVP_PKEY_CTX_free(ctx);
  }

  // The context for `pkey`, initialized for verification; nullptr when
  // one cannot be made.
  EVP_PKEY_CTX* For(EVP_PKEY* pkey) {
    for (EVP_PKEY_CTX* ctx : slots_) {
      if (ctx != nullptr && EVP_PKEY_CTX_get0_pkey(ctx) == pkey) return ctx;
    }
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
    if (ctx == nullptr) return nullptr;
    if (init_(ctx) != 1) {
      EVP_PKEY_CTX_free(ctx);
      return nullptr;
    }
    // Round-robin replacement: simple, and a thread rarely sees more keys
    // than slots.
    EVP_PKEY_CTX_free(slots_[next_]);
    slots_[next_] = ctx;
    next_ = (next_ + 1) % kContextsPerThread;
    return ctx;
  }

 private:
  int (*const init_)(EVP_PKEY_CTX*);
  std::array<EVP_PKEY_CTX*, kContextsPerThread> slots_;
  size_t next_ = 0;
};

}  // namespace

bool VerifyDigestCached(EVP_PKEY* pkey, absl::string_view digest,
                        const unsigned char* der_signature, size_t der_len) {
  thread_local ThreadContexts contexts(EVP_PKEY_verify_init);
  EVP_PKEY_CTX* ctx = contexts.For(pkey);
  // EVP_PKEY_verify may be called any number of times after one init.
  const bool ok =
      ctx != nullptr &&
      EVP_PKEY_verify(ctx, der_signature, der_len,
                      reinterpret_cast<const unsigned char*>(digest.data()),
                      digest.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

bool SignDigestCached(EVP_PKEY* pkey, absl::string_view digest,
                      unsigned char* der, size_t* der_len) {
  thread_local ThreadContexts contexts(EVP_PKEY_sign_init);
  EVP_PKEY_CTX* ctx = contexts.For(pkey);
  // EVP_PKEY_sign, like verify, may be called any number of times after one
  // init; each signature draws its own nonce.
  return ctx != nullptr &&
         EVP_PKEY_sign(ctx, der, der_len,
                       reinterpret_cast<const unsigned char*>(digest.data()),
                       digest.size()) == 1;
}

}  // namespace accord::crypto::internal
