#ifndef ACCORD_BROKER_CRYPTO_SIGNED_NOTE_H_
#define ACCORD_BROKER_CRYPTO_SIGNED_NOTE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/crypto/signing_key.h"

namespace accord::crypto {

// Signs C2SP signed notes (https://c2sp.org/signed-note) with Ed25519, as
// C2SP tlog-checkpoint uses them. Move-only (it owns the private key); Sign
// is safe to call from many threads.
class NoteSigner {
 public:
  // Returns a signer for key name `name` (non-empty, valid UTF-8, no '+' and
  // no whitespace), or INVALID_ARGUMENT naming the name or a key that is not
  // EdDSA.
  static absl::StatusOr<NoteSigner> Create(std::string name,
                                           SigningKey ed25519_key);

  // Returns `text` followed by a blank line and the signature line
  // "— <name> <base64(key hash || Ed25519 signature of text)>\n". `text`
  // must be non-empty, end in "\n" and be UTF-8 without control characters
  // other than newline; otherwise INVALID_ARGUMENT naming the text.
  absl::StatusOr<std::string> Sign(absl::string_view text) const;

  // The verifier key "<name>+<8 hex key hash>+<base64(0x01 || public key)>".
  std::string VerifierKey() const;

  const std::string& name() const { return name_; }
  // First 4 bytes of SHA-256(name || "\n" || 0x01 || public key), big-endian.
  uint32_t key_hash() const { return key_hash_; }

 private:
  NoteSigner(std::string name, SigningKey key, uint32_t hash)
      : name_(std::move(name)), key_(std::move(key)), key_hash_(hash) {}

  std::string name_;
  SigningKey key_;
  uint32_t key_hash_;
};

// Opens a signed note with one verifier key. Returns the note's text (with
// its final newline) when a signature line by that key (same name and key
// hash) verifies; signature lines by other keys are ignored. Errors:
// INVALID_ARGUMENT for a malformed verifier key (including a key hash that
// does not match its name and key) or a malformed note (over 1 MiB, control
// characters, invalid UTF-8, no blank line before the signatures, bad
// signature lines, more than 100 signatures); UNAUTHENTICATED when no
// signature by the key is present or the one present does not verify.
absl::StatusOr<std::string> VerifyNote(absl::string_view note,
                                       absl::string_view verifier_key);

}  // namespace accord::crypto

#endif  // ACCORD_BROKER_CRYPTO_SIGNED_NOTE_H_
