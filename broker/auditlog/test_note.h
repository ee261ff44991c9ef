#ifndef ACCORD_BROKER_AUDITLOG_TEST_NOTE_H_
#define ACCORD_BROKER_AUDITLOG_TEST_NOTE_H_

// Test support: a fresh Ed25519 note signer.

#include <string>

#include "broker/crypto/signed_note.h"
#include "broker/crypto/signing_key.h"

namespace accord::auditlog::testing {

struct TestNoteKey {
  explicit TestNoteKey(const std::string& name)
      : signer(*crypto::NoteSigner::Create(
            name, *crypto::SigningKey::Generate(crypto::Algorithm::kEdDSA))) {}

  // Signs `body`; tests give well-formed bodies.
  std::string Sign(const std::string& body) const { return *signer.Sign(body); }
  std::string VerifierKey() const { return signer.VerifierKey(); }

  crypto::NoteSigner signer;
};

}  // namespace accord::auditlog::testing

#endif  // ACCORD_BROKER_AUDITLOG_TEST_NOTE_H_
