#ifndef ACCORD_BROKER_AUDITLOG_CHECKPOINT_H_
#define ACCORD_BROKER_AUDITLOG_CHECKPOINT_H_

// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) bodies, and their
// signing and opening as C2SP signed notes.
//
// A checkpoint body is
//
//   <origin>\n<tree size in decimal>\n<root hash, standard base64>\n
//
// optionally followed by non-empty extension lines, each ending in \n.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/auditlog/merkle.h"
#include "broker/crypto/signed_note.h"

namespace accord::auditlog {

// A parsed checkpoint body.
struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  // Extension lines, without their newline; empty for our own checkpoints.
  std::vector<std::string> extensions;
};

// Returns OK if `origin` can head a checkpoint: non-empty, at most 256
// bytes, printable ASCII without spaces, as C2SP recommends for a log
// (a schema-less URL such as "accord.example.org/log").
// Errors: InvalidArgument naming the origin problem.
absl::Status ValidateOrigin(absl::string_view origin);

// Returns the checkpoint body for `origin`, `size` and `root` (no extension
// lines). `origin` must pass ValidateOrigin; callers check it once when
// configured.
std::string CheckpointBody(absl::string_view origin, uint64_t size,
                           const Hash& root);

// Returns the checkpoint in a note body.
// Errors: InvalidArgument naming the field when the body does not end in a
// newline, has fewer than three lines, an origin that fails ValidateOrigin,
// a size that is not canonical decimal (digits only, no leading zero, fits
// 64 bits), a root that is not canonical padded base64 of 32 bytes, or an
// empty extension line.
absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view body);

// Returns the signed note publishing the checkpoint (origin, size, root),
// signed by `signer` (crypto::NoteSigner, Ed25519).
// Errors: InvalidArgument if the origin fails ValidateOrigin; the error of
// the signer otherwise.
absl::StatusOr<std::string> SignCheckpoint(const crypto::NoteSigner& signer,
                                           absl::string_view origin,
                                           uint64_t size, const Hash& root);

// Returns the checkpoint in the signed note `note` after checking its
// signature with crypto::VerifyNote and `verifier_key` (a C2SP verifier key
// "<name>+<hash>+<base64 key>"), and that its origin is `origin`.
// Errors: those of crypto::VerifyNote (InvalidArgument for a malformed note
// or key, Unauthenticated for a missing or bad signature); those of
// ParseCheckpoint; FailedPrecondition if the origin differs.
absl::StatusOr<Checkpoint> OpenCheckpoint(absl::string_view note,
                                          absl::string_view origin,
                                          absl::string_view verifier_key);

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_CHECKPOINT_H_
