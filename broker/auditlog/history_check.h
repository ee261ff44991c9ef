#ifndef ACCORD_BROKER_AUDITLOG_HISTORY_CHECK_H_
#define ACCORD_BROKER_AUDITLOG_HISTORY_CHECK_H_

// A citizen's check of ConsentService.GetAccessHistory: every record shown
// is the one the signed log holds.

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "accord/v1/consent.pb.h"

namespace accord::auditlog {

// Verifies one page: its checkpoint opens with `verifier_key` (C2SP
// verifier key; its name is the log origin); each record's log entry
// decodes (canonically) to a decision event with the record's grant id,
// dataset, purpose and partner that concerns the caller (the page's
// `subject`): a version 2 entry holds the commitment of `subject` under
// the record's `subject_opening` (commitment.h), a version 1 entry names
// `subject`; and its inclusion proof leads from the entry's leaf hash at
// `log_index` to the checkpoint's root. Records marked
// `recorded_before_commitments` carry no entry and are skipped (they cannot
// be verified; count them with UnverifiableRecords). Returns the
// checkpoint's tree size (0 for a page without records to check, which
// needs no checkpoint).
// Errors: those of OpenCheckpoint for the checkpoint; DataLoss naming the
// grant id and log index of the first record that does not match or is not
// proven.
absl::StatusOr<uint64_t> VerifyAccessHistoryPage(
    const accord::v1::GetAccessHistoryResponse& page,
    absl::string_view verifier_key);

// Returns the number of records of `page` marked
// `recorded_before_commitments`, which VerifyAccessHistoryPage skips.
size_t UnverifiableRecords(const accord::v1::GetAccessHistoryResponse& page);

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_HISTORY_CHECK_H_
