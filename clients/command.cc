#include "clients/command.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/dev/dev_layout.h"

namespace accord::client {

absl::Status CommandContext::WithHint(absl::Status status) const {
  if (!absl::IsUnavailable(status) || !args_->Has("dev")) return status;
  const std::string message = absl::AsciiStrToLower(status.message());
  if (!absl::StrContains(message, "certificate verify failed") &&
      !absl::StrContains(message, "certificate_verify_failed")) {
    return status;
  }
  absl::StatusOr<std::string> dir = DevDataDir(*args_, env_);
  if (!dir.ok()) return status;
  return absl::Status(
      status.code(),
      absl::StrCat(status.message(),
                   "\nthe broker's certificate is not signed by the CA in ",
                   dev::CaCertPath(*dir), ": is ", *dir,
                   " the broker's dev directory?"));
}

absl::StatusOr<const Connection*> CommandContext::Connect() {
  if (!connection_.has_value()) {
    absl::StatusOr<ConnectionSettings> settings =
        ResolveConnection(*args_, env_);
    if (!settings.ok()) return settings.status();
    absl::StatusOr<Connection> connection = Connection::Open(*settings, now_);
    if (!connection.ok()) return connection.status();
    connection_.emplace(*std::move(connection));
  }
  return &*connection_;
}

}  // namespace accord::client
