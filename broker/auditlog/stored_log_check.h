#ifndef ACCORD_BROKER_AUDITLOG_STORED_LOG_CHECK_H_
#define ACCORD_BROKER_AUDITLOG_STORED_LOG_CHECK_H_

// The broker's startup check: does the log it stores still hash to the last
// checkpoint it signed? An insider who edits, drops, reorders or truncates
// stored entries changes that root.

#include "absl/status/status.h"
#include "broker/auditlog/checkpoint.h"
#include "broker/auditlog/node_source.h"

namespace accord::auditlog {

// Recomputes MTH over the first `checkpoint.size` entries read from
// `source` (leaf hashes from the entry bytes, not from stored nodes, so an
// entry edited without its hashes is caught too), streaming through a
// Frontier: O(size) hashing, O(log size) memory. Returns OK when the root is
// `checkpoint.root`.
// Errors: DataLoss naming the checkpoint size when the source holds fewer
// entries, an entry is missing, or the root differs; the read error of an
// entry that cannot be read otherwise.
absl::Status CheckStoredLog(NodeSource& source, const Checkpoint& checkpoint);

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_STORED_LOG_CHECK_H_
