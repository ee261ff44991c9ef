#include "broker/http/router.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace accord::http {
namespace {

bool IsHeaderName(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

bool IsHeaderValue(absl::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool IsReserved(absl::string_view name) {
  return absl::EqualsIgnoreCase(name, "content-length") ||
         absl::EqualsIgnoreCase(name, "connection") ||
         absl::EqualsIgnoreCase(name, "transfer-encoding");
}

}  // namespace

void Router::Get(std::string path, Handler handler) {
  if (!first_error_.empty()) return;
  if (path.empty() || path.front() != '/') {
    first_error_ = absl::StrCat("route \"", path, "\": must start with '/'");
  } else if (handler == nullptr) {
    first_error_ = absl::StrCat("route \"", path, "\": empty handler");
  } else if (!routes_.emplace(path, std::move(handler)).second) {
    first_error_ = absl::StrCat("route \"", path, "\": registered twice");
  }
}

void Router::GetReserved(std::string path, Handler handler) {
  std::string key = path;
  const size_t before = routes_.size();
  Get(std::move(path), std::move(handler));
  if (routes_.size() > before) reserved_.insert(std::move(key));
}

bool Router::IsReserved(absl::string_view path) const {
  return reserved_.contains(path);
}

absl::Status Router::Validate() const {
  if (first_error_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(first_error_);
}

const Handler* Router::Find(absl::string_view path) const {
  auto it = routes_.find(path);
  return it == routes_.end() ? nullptr : &it->second;
}

absl::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

absl::StatusOr<std::string> SerializeResponse(const Response& response,
                                              bool head_only, bool close) {
  if (response.status < 100 || response.status > 599) {
    return absl::InvalidArgumentError(
        absl::StrCat("response status ", response.status));
  }
  if (!IsHeaderValue(response.content_type)) {
    return absl::InvalidArgumentError("response content_type");
  }
  std::string out = absl::StrCat("HTTP/1.1 ", response.status, " ",
                                 ReasonPhrase(response.status), "\r\n");
  if (!response.content_type.empty()) {
    absl::StrAppend(&out, "Content-Type: ", response.content_type, "\r\n");
  }
  absl::StrAppend(&out, "Content-Length: ", response.body.size(), "\r\n");
  if (close) absl::StrAppend(&out, "Connection: close\r\n");
  for (const auto& [name, value] : response.headers) {
    if (!IsHeaderName(name) || IsReserved(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("response header name \"", name, "\""));
    }
    if (!IsHeaderValue(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("response header ", name, ": value"));
    }
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  out += "\r\n";
  if (!head_only) out += response.body;
  return out;
}

}  // namespace accord::http
