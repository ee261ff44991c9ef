#include "clients/verifier/broker_channel.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/connection.h"

namespace accord::verifier {

absl::Status ValidateBrokerEndpoint(const BrokerEndpoint& endpoint) {
  const std::pair<const char*, const std::string*> fields[] = {
      {"target", &endpoint.target},
      {"ca_file", &endpoint.ca_file},
      {"cert_file", &endpoint.cert_file},
      {"key_file", &endpoint.key_file}};
  for (const auto& [name, value] : fields) {
    if (value->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("broker endpoint: ", name, " is required"));
    }
  }
  if (endpoint.call_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "broker endpoint: call_timeout must be positive");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenBrokerChannel(
    const BrokerEndpoint& endpoint) {
  if (absl::Status s = ValidateBrokerEndpoint(endpoint); !s.ok()) return s;
  client::ConnectionSettings settings;
  settings.target = endpoint.target;
  settings.ca_path = endpoint.ca_file;
  settings.cert_path = endpoint.cert_file;
  settings.key_path = endpoint.key_file;
  settings.max_reconnect_backoff_ms = std::max<int64_t>(
      1, absl::ToInt64Milliseconds(endpoint.max_reconnect_backoff));
  absl::StatusOr<client::Connection> connection =
      client::Connection::Open(settings, absl::ToUnixSeconds(absl::Now()));
  if (!connection.ok()) return connection.status();
  return connection->channel();
}

}  // namespace accord::verifier
