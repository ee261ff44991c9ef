#ifndef ACCORD_BROKER_AUDITLOG_HISTORY_CHECK_H_
#define ACCORD_BROKER_AUDITLOG_HISTORY_CHECK_H_

// A citizen's check of ConsentService.GetAccessHistory: every record shown
// is the one the signed log holds.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "accord/v1/consent.pb.h"

namespace accord::auditlog {

// Verifies one page: its checkpoint opens with `verifier_key` (C2SP
// verifier key; its name is the log origin); each record's log entry
// decodes (canonically) to a decision event with the record's grant id,
// dataset, purpose and partner; and its inclusion proof leads from the
// entry's leaf hash at `log_index` to the checkpoint's root. Returns the
// checkpoint's tree size (0 for a page without records, which needs no
// checkpoint).
// Errors: those of OpenCheckpoint for the checkpoint; DataLoss naming the
// grant id and log index of the first record that does not match or is not
// proven.
absl::StatusOr<uint64_t> VerifyAccessHistoryPage(
    const accord::v1::GetAccessHistoryResponse& page,
    absl::string_view verifier_key);

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_HISTORY_CHECK_H_
