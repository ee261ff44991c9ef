#ifndef ACCORD_BROKER_AUDITLOG_TEST_NOTE_H_
#define ACCORD_BROKER_AUDITLOG_TEST_NOTE_H_

// Test support: a minimal Ed25519 signed-note signer and verifier with the
// shape of C2SP signed notes (body, blank line, "— <name> <base64 sig>"
// lines), to drive NoteSignFn / NoteVerifyFn in tests. Product code uses the
// note signer of broker/crypto.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "broker/auditlog/checkpoint.h"
#include "broker/crypto/signing_key.h"

namespace accord::auditlog::testing {

class TestNoteKey {
 public:
  explicit TestNoteKey(std::string name)
      : name_(std::move(name)),
        key_(std::make_shared<crypto::SigningKey>(
            *crypto::SigningKey::Generate(crypto::Algorithm::kEdDSA))) {}

  const std::string& name() const { return name_; }

  NoteSignFn Signer() const {
    return [name = name_, key = key_](
               absl::string_view body) -> absl::StatusOr<std::string> {
      absl::StatusOr<std::string> sig = key->Sign(body);
      if (!sig.ok()) return sig.status();
      return absl::StrCat(body, "\n\xe2\x80\x94 ", name, " ",
                          absl::Base64Escape(*sig), "\n");
    };
  }

  // Accepts notes signed by this key when verifier_key is its name.
  NoteVerifyFn Verifier() const {
    return [name = name_, key = key_](absl::string_view note,
                                      absl::string_view verifier_key)
               -> absl::StatusOr<std::string> {
      if (verifier_key != name) {
        return absl::NotFoundError("unknown verifier key");
      }
      const size_t split = note.rfind("\n\n");
      if (split == absl::string_view::npos) {
        return absl::InvalidArgumentError("note has no signature block");
      }
      const absl::string_view body = note.substr(0, split + 1);
      absl::string_view line = note.substr(split + 2);
      const std::string prefix = absl::StrCat("\xe2\x80\x94 ", name, " ");
      if (!absl::ConsumePrefix(&line, prefix) ||
          !absl::ConsumeSuffix(&line, "\n")) {
        return absl::UnauthenticatedError("no signature by this key");
      }
      std::string sig;
      if (!absl::Base64Unescape(line, &sig)) {
        return absl::InvalidArgumentError("signature is not base64");
      }
      if (absl::Status s = key->verifying_key().Verify(body, sig); !s.ok()) {
        return s;
      }
      return std::string(body);
    };
  }

 private:
  std::string name_;
  std::shared_ptr<crypto::SigningKey> key_;
};

}  // namespace accord::auditlog::testing

#endif  // ACCORD_BROKER_AUDITLOG_TEST_NOTE_H_
