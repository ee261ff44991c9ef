#include "clients/command.h"

namespace accord::client {

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
