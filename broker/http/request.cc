#include "broker/http/request.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace accord::http {
namespace {

// RFC 9110 §5.6.2 token characters.
bool IsTchar(char c) {
  return absl::ascii_isalnum(c) ||
         absl::string_view("!#$%&'*+-.^_`|~").find(c) !=
             absl::string_view::npos;
}

bool IsToken(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTchar(c)) return false;
  }
  return true;
}

// Field values: visible characters, obs-text, space and tab.
bool IsFieldValue(absl::string_view s) {
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t') return false;
    if (u == 0x7f) return false;
  }
  return true;
}

bool IsOriginForm(absl::string_view target) {
  if (target.empty() || target.front() != '/') return false;
  for (char c : target) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

ParsedHead Error(int status, std::string message) {
  ParsedHead head;
  head.state = ParsedHead::State::kError;
  head.error_status = status;
  head.error = std::move(message);
  return head;
}

}  // namespace

ParsedHead ParseRequestHead(absl::string_view buffer, size_t max_head_bytes) {
  const size_t end = buffer.find("\r\n\r\n");
  if (end == absl::string_view::npos || end + 4 > max_head_bytes) {
    if (end == absl::string_view::npos && buffer.size() < max_head_bytes) {
      return ParsedHead{};
    }
    const size_t line_end = buffer.find("\r\n");
    if (line_end == absl::string_view::npos || line_end + 2 > max_head_bytes) {
      return Error(414, "request line too long");
    }
    return Error(431, "request header fields too large");
  }
  std::vector<absl::string_view> lines =
      absl::StrSplit(buffer.substr(0, end), "\r\n");

  // Request line: method SP request-target SP HTTP-version.
  std::vector<absl::string_view> parts = absl::StrSplit(lines[0], ' ');
  if (parts.size() != 3 || !IsToken(parts[0])) {
    return Error(400, "malformed request line");
  }
  if (!IsOriginForm(parts[1])) return Error(400, "request target");
  bool http11;
  if (parts[2] == "HTTP/1.1") {
    http11 = true;
  } else if (parts[2] == "HTTP/1.0") {
    http11 = false;
  } else if (absl::StartsWith(parts[2], "HTTP/") && parts[2].size() == 8 &&
             absl::ascii_isdigit(parts[2][5]) && parts[2][6] == '.' &&
             absl::ascii_isdigit(parts[2][7])) {
    return Error(505, absl::StrCat("HTTP version ", parts[2]));
  } else {
    return Error(400, "HTTP version");
  }

  ParsedHead head;
  head.request.method = std::string(parts[0]);
  absl::string_view target = parts[1];
  head.request.path = std::string(target.substr(0, target.find('?')));
  int hosts = 0;
  bool close = false;
  bool keep_alive = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    absl::string_view line = lines[i];
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos || !IsToken(line.substr(0, colon))) {
      return Error(400, absl::StrCat("header line ", i + 1));
    }
    const std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    absl::string_view value = line.substr(colon + 1);
    if (!IsFieldValue(value)) return Error(400, absl::StrCat("header ", name));
    value = absl::StripAsciiWhitespace(value);
    if (name == "host") {
      ++hosts;
    } else if (name == "content-length") {
      uint64_t length = 0;
      if (value.empty() || !absl::ascii_isdigit(value.front()) ||
          !absl::SimpleAtoi(value, &length)) {
        return Error(400, "header content-length");
      }
      if (length > 0) return Error(413, "request body not accepted");
    } else if (name == "transfer-encoding") {
      return Error(413, "request body not accepted");
    } else if (name == "connection") {
      for (absl::string_view option : absl::StrSplit(value, ',')) {
        option = absl::StripAsciiWhitespace(option);
        if (absl::EqualsIgnoreCase(option, "close")) close = true;
        if (absl::EqualsIgnoreCase(option, "keep-alive")) keep_alive = true;
      }
    }
  }
  if (http11 && hosts != 1) return Error(400, "header host");
  if (hosts > 1) return Error(400, "header host");
  // "close" wins over "keep-alive"; HTTP/1.0 closes unless asked not to.
  head.request.keep_alive = !close && (http11 || keep_alive);
  head.state = ParsedHead::State::kComplete;
  head.consumed = end + 4;
  return head;
}

}  // namespace accord::http
