#ifndef ACCORD_BROKER_CMDLINE_USAGE_ERROR_H_
#define ACCORD_BROKER_CMDLINE_USAGE_ERROR_H_

// Errors of the command line itself (as opposed to errors the broker
// returned, or a file's), so a binary can exit 2 for them and 1 for the
// others.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace accord::cmdline {

// Returns an INVALID_ARGUMENT status marked as a usage error.
absl::Status UsageError(absl::string_view message);

// Returns an UNIMPLEMENTED status marked as a usage error: the command exists
// but its feature is not available in this build.
absl::Status NotAvailableError(absl::string_view message);

// True when `status` came from UsageError or NotAvailableError.
bool IsUsageError(const absl::Status& status);

}  // namespace accord::cmdline

#endif  // ACCORD_BROKER_CMDLINE_USAGE_ERROR_H_
