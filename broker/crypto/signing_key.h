#ifndef ACCORD_BROKER_CRYPTO_SIGNING_KEY_H_
#define ACCORD_BROKER_CRYPTO_SIGNING_KEY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/crypto/algorithm.h"
#include "broker/crypto/verifying_key.h"
#include "broker/formats/json.h"

struct evp_pkey_st;

namespace accord::crypto {

namespace internal {
struct KeyAccess;
}  // namespace internal

// A private signing key (ES256 or EdDSA). Move-only. Nothing in its API
// prints, logs or returns the private material; the only way out is
// WritePemFile. Sign is safe to call from many threads at once.
class SigningKey {
 public:
  // Returns a fresh key from the OpenSSL CSPRNG; INVALID_ARGUMENT for an
  // algorithm other than ES256 and EdDSA; INTERNAL if OpenSSL fails.
  static absl::StatusOr<SigningKey> Generate(Algorithm alg);

  // Reads an unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"): a P-256 key
  // becomes ES256, an Ed25519 key EdDSA. Returns the key, or
  // INVALID_ARGUMENT for any other PEM type, encrypted keys, other curves or
  // algorithms. Errors never contain the PEM text.
  static absl::StatusOr<SigningKey> FromPem(absl::string_view pem);

  // Reads a key file as FromPem. Symbolic links are followed (secret volumes
  // use them); the mode checked is the target's. Returns the key; NOT_FOUND
  // when the file does not exist; FAILED_PRECONDITION when it is not a
  // regular file, is larger than 64 KiB, or its mode grants any permission
  // to group or others; INVALID_ARGUMENT when it is not an acceptable key.
  // Errors name `path`, never the file's content.
  static absl::StatusOr<SigningKey> ReadPemFile(const std::string& path);

  // Writes the key as PKCS#8 PEM to `path` with mode 0600, atomically (a
  // temporary file in the same directory, fsync, rename, fsync of the
  // directory). Returns OK, or the errno-derived error naming `path`.
  absl::Status WritePemFile(const std::string& path) const;

  // Signs `data`: ES256 = ECDSA P-256 over SHA-256(data) as raw 64-byte
  // r||s (never DER); EdDSA = 64-byte Ed25519 signature. Returns the
  // signature, or INTERNAL if OpenSSL fails.
  absl::StatusOr<std::string> Sign(absl::string_view data) const;

  Algorithm algorithm() const { return public_.algorithm(); }
  // The RFC 7638 JWK thumbprint of the public key, base64url.
  const std::string& kid() const { return public_.kid(); }
  // The public JWK: kty/crv/x(/y), kid, alg, use "sig".
  formats::JsonValue PublicJwk() const { return public_.PublicJwk(); }
  // Ed25519: 32 bytes; ES256: the 65-byte uncompressed point.
  std::string RawPublicKey() const { return public_.RawPublicKey(); }
  // The public half, for verification and JWKS publication.
  const VerifyingKey& verifying_key() const { return public_; }

  SigningKey(SigningKey&&) noexcept = default;
  SigningKey& operator=(SigningKey&&) noexcept = default;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey();

 private:
  friend struct internal::KeyAccess;
  struct Free {
    void operator()(evp_pkey_st* p) const;
  };
  SigningKey(std::unique_ptr<evp_pkey_st, Free> pkey, VerifyingKey pub)
      : pkey_(std::move(pkey)), public_(std::move(pub)) {}

  // Takes ownership of `pkey` and derives the public half; INVALID_ARGUMENT
  // unless it is a P-256 or Ed25519 key.
  static absl::StatusOr<SigningKey> FromPkey(evp_pkey_st* pkey);

  std::unique_ptr<evp_pkey_st, Free> pkey_;
  VerifyingKey public_;
};

}  // namespace accord::crypto

#endif  // ACCORD_BROKER_CRYPTO_SIGNING_KEY_H_
