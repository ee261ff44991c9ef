#ifndef ACCORD_BROKER_AUDITLOG_COMMITMENT_H_
#define ACCORD_BROKER_AUDITLOG_COMMITMENT_H_

// Subject commitments: how a log entry (version 2) records the subjects an
// event concerns without naming them.
//
// Each subject s has a key k_s (kSubjectKeyBytes random bytes) that the
// broker keeps outside the log (store index 'C', store/keys.h). Each entry
// naming subjects draws a fresh salt (kCommitmentSaltBytes). Then
//
//   opening    o = HMAC-SHA-256(k_s, "accord subject opening v1" || salt)
//   commitment C = SHA-256("accord subject commitment v1" || 0x00 || o || s)
//
// The entry holds the commitments, sorted bytewise, and their count. A
// citizen is given o for each entry that names them: it recomputes their C
// and opens that entry only (o is useless for any other entry's salt, and
// says nothing of the other subjects). A court-ordered trace is given k_s:
// it recomputes o and C for every entry. Without k_s, C reveals nothing of
// s, even to someone who can enumerate pseudonyms.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "accord/v1/audit.pb.h"

namespace accord::auditlog {

inline constexpr size_t kSubjectKeyBytes = 32;
inline constexpr size_t kCommitmentSaltBytes = 16;
inline constexpr size_t kOpeningBytes = 32;
inline constexpr size_t kCommitmentBytes = 32;

// One subject of an event with its key.
struct KeyedSubject {
  std::string subject;  // the pseudonym
  std::string key;      // k_s, kSubjectKeyBytes
};

// Returns a fresh random subject key (kSubjectKeyBytes, OpenSSL's CSPRNG).
std::string NewSubjectKey();

// Returns a fresh random entry salt (kCommitmentSaltBytes).
std::string NewCommitmentSalt();

// Returns the opening o of subject key `key` for an entry salted `salt`.
// Errors: InvalidArgument if `key` is not kSubjectKeyBytes or `salt` not
// kCommitmentSaltBytes.
absl::StatusOr<std::string> SubjectOpening(absl::string_view key,
                                           absl::string_view salt);

// Returns the commitment C of `subject` under `opening`.
// Errors: InvalidArgument if `opening` is not kOpeningBytes or `subject` is
// empty.
absl::StatusOr<std::string> SubjectCommitment(absl::string_view opening,
                                              absl::string_view subject);

// Fills `event`'s commitment fields for `subjects` under `salt`:
// commitment_salt (left empty when there is no subject), the sorted
// subject_commitments and subject_count; clears `subjects`.
// Errors: those of SubjectOpening and SubjectCommitment; `event` is then
// unchanged.
absl::Status CommitSubjects(const std::vector<KeyedSubject>& subjects,
                            absl::string_view salt,
                            accord::v1::AuditEvent* event);

// Returns whether `event` holds the commitment of `subject` under
// `opening` (false for an entry without commitments or a malformed
// opening).
bool HasCommitment(const accord::v1::AuditEvent& event,
                   absl::string_view opening, absl::string_view subject);

// Returns whether `event` holds the commitment of the subject whose key is
// `key` (a trace: recomputes the opening from the entry's salt).
bool HasCommitmentOfKey(const accord::v1::AuditEvent& event,
                        absl::string_view key, absl::string_view subject);

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_COMMITMENT_H_
