#include "broker/cmdline/usage_error.h"

#include "absl/strings/cord.h"

namespace accord::cmdline {
namespace {
constexpr absl::string_view kUsagePayload = "accord.cli/usage";
}  // namespace

absl::Status UsageError(absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

absl::Status NotAvailableError(absl::string_view message) {
  absl::Status status = absl::UnimplementedError(message);
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

}  // namespace accord::cmdline
