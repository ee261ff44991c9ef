#ifndef ACCORD_BROKER_HTTP_HOST_PORT_H_
#define ACCORD_BROKER_HTTP_HOST_PORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::http {

// A network address as written in configuration: "127.0.0.1:7480",
// "[::1]:7480", "localhost:7480".
struct HostPort {
  std::string host;  // without brackets: "::1"
  int port = 0;      // 0..65535; 0 asks the system for an ephemeral port
};

// Splits "host:port" (IPv6 hosts in brackets). Returns INVALID_ARGUMENT
// naming the part at fault when the host is empty, the brackets are
// unbalanced, an IPv6 host is not bracketed, or the port is not a decimal
// number in 0..65535.
absl::StatusOr<HostPort> SplitHostPort(absl::string_view address);

}  // namespace accord::http

#endif  // ACCORD_BROKER_HTTP_HOST_PORT_H_
