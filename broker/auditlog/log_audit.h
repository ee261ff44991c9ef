#ifndef ACCORD_BROKER_AUDITLOG_LOG_AUDIT_H_
#define ACCORD_BROKER_AUDITLOG_LOG_AUDIT_H_

// What `accord audit verify` does once it holds the entries: VerifyLog
// against the log's signed checkpoint and a checkpoint saved earlier, then
// narrows a mismatch down to the first bad index with the evidence at hand.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "broker/auditlog/merkle.h"
#include "broker/auditlog/verify.h"

namespace accord::auditlog {

struct LogAuditInput {
  // The whole log, index order.
  absl::Span<const std::string> entries;
  // The signed checkpoint the log claims (GetCheckpoint, or the export's).
  std::string checkpoint_note;
  // C2SP verifier key of the log; its name is the log origin.
  std::string verifier_key;
  // A signed checkpoint saved earlier, if any.
  std::optional<std::string> saved_note;
  // The entries of an earlier export whose checkpoint is `saved_note`, if
  // any: they are verified against it and then compared entry by entry,
  // which names the first changed index exactly.
  const std::vector<std::string>* saved_entries = nullptr;
  // Returns the server's consistency proof from `size1` to `size2`; empty
  // when verifying a file. With it a mismatch against `checkpoint_note` is
  // narrowed to one index by binary search over prefix sizes
  // (O(log n) proofs).
  std::function<absl::StatusOr<Proof>(uint64_t size1, uint64_t size2)>
      consistency;
};

// Returns the origin of a C2SP verifier key: its name, before the first '+'.
std::string OriginOfVerifierKey(absl::string_view verifier_key);

// Runs the audit. The report is OK when every entry decodes, the entries
// hash to the checkpoint's root, and the saved checkpoint (and export) is a
// prefix of them; otherwise `problem` says what is wrong and
// `first_bad_index` names the first entry that is not proven intact.
VerifyReport AuditLogEntries(const LogAuditInput& input);

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_LOG_AUDIT_H_
