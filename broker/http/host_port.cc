#include "broker/http/host_port.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace accord::http {

absl::StatusOr<HostPort> SplitHostPort(absl::string_view address) {
  absl::string_view host;
  absl::string_view port;
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("address \"", address, "\": missing ']'"));
    }
    host = address.substr(1, close - 1);
    absl::string_view rest = address.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      return absl::InvalidArgumentError(
          absl::StrCat("address \"", address, "\": missing ':port'"));
    }
    port = rest.substr(1);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("address \"", address, "\": missing ':port'"));
    }
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.find(':') != absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "address \"", address, "\": an IPv6 host needs brackets"));
    }
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("address \"", address, "\": empty host"));
  }
  for (char c : host) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '-' && c != ':' &&
        c != '_' && c != '%') {
      return absl::InvalidArgumentError(
          absl::StrCat("address \"", address, "\": invalid host"));
    }
  }
  if (port.empty() || port.size() > 5) {
    return absl::InvalidArgumentError(
        absl::StrCat("address \"", address, "\": invalid port"));
  }
  int value = 0;
  for (char c : port) {
    if (!absl::ascii_isdigit(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("address \"", address, "\": invalid port"));
    }
    value = value * 10 + (c - '0');
  }
  if (value > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("address \"", address, "\": port out of range"));
  }
  return HostPort{std::string(host), value};
}

}  // namespace accord::http
