#include "broker/auditlog/stored_log_check.h"

#include "absl/strings/str_cat.h"
#include "broker/auditlog/frontier.h"
#include "broker/auditlog/merkle.h"

namespace accord::auditlog {

absl::Status CheckStoredLog(NodeSource& source, const Checkpoint& checkpoint) {
  const uint64_t stored = source.Size();
  if (stored < checkpoint.size) {
    return absl::DataLossError(
        absl::StrCat("the stored audit log has ", stored,
                     " entries, fewer than the last checkpoint (size ",
                     checkpoint.size, ")"));
  }
  Frontier frontier;
  for (uint64_t i = 0; i < checkpoint.size; ++i) {
    absl::StatusOr<std::string> entry = source.Entry(i);
    if (absl::IsNotFound(entry.status()) ||
        absl::IsOutOfRange(entry.status())) {
      return absl::DataLossError(absl::StrCat(
          "audit log entry ", i, " is missing below the last checkpoint (size ",
          checkpoint.size, ")"));
    }
    if (!entry.ok()) return entry.status();
    frontier.Append(HashLeaf(*entry));
  }
  if (frontier.Root() != checkpoint.root) {
    return absl::DataLossError(absl::StrCat(
        "the stored audit log does not match the last checkpoint (size ",
        checkpoint.size, "): its first ", checkpoint.size,
        " entries hash to another root"));
  }
  return absl::OkStatus();
}

}  // namespace accord::auditlog
