#ifndef ACCORD_CLIENTS_USAGE_ERROR_H_
#define ACCORD_CLIENTS_USAGE_ERROR_H_

// Errors of the command line itself (as opposed to errors the broker
// returned), so the CLI can exit 2 for them and 1 for RPC errors.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace accord::client {

// Returns an INVALID_ARGUMENT status marked as a usage error.
absl::Status UsageError(absl::string_view message);

// Returns an UNIMPLEMENTED status marked as a usage error: the command exists
// but its feature is not available in this build.
absl::Status NotAvailableError(absl::string_view message);

// True when `status` came from UsageError or NotAvailableError.
bool IsUsageError(const absl::Status& status);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_USAGE_ERROR_H_
