#include "broker/jwks/jwks_url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace accord::jwks {
namespace {

constexpr absl::Duration kMaxCacheAge = absl::Hours(24);

bool IsHostChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == '.';
}

bool IsPathChar(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && c != '#';
}

}  // namespace

bool IsLoopbackHost(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  const std::string text(host);
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

absl::StatusOr<JwksUrl> ParseJwksUrl(absl::string_view url,
                                     bool allow_loopback_http) {
  JwksUrl out;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "https://")) {
    out.https = true;
    out.port = 443;
  } else if (absl::ConsumePrefix(&rest, "http://")) {
    out.port = 80;
  } else {
    return absl::InvalidArgumentError(
        "jwks url: scheme must be https:// (or http:// on loopback)");
  }
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  absl::string_view path =
      slash == absl::string_view::npos ? "/" : rest.substr(slash);
  if (absl::StrContains(authority, '@')) {
    return absl::InvalidArgumentError("jwks url: user info is not allowed");
  }
  absl::string_view host;
  absl::string_view port;
  if (absl::ConsumePrefix(&authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError("jwks url: host: unclosed '['");
    }
    host = authority.substr(0, close);
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty() && !absl::ConsumePrefix(&after, ":")) {
      return absl::InvalidArgumentError("jwks url: host: junk after ']'");
    }
    port = after;
    in6_addr v6;
    if (inet_pton(AF_INET6, std::string(host).c_str(), &v6) != 1) {
      return absl::InvalidArgumentError("jwks url: host: not an IPv6 address");
    }
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != absl::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty())
        return absl::InvalidArgumentError("jwks url: port: empty");
    }
    if (host.empty() || !std::all_of(host.begin(), host.end(), IsHostChar)) {
      return absl::InvalidArgumentError(
          "jwks url: host: empty or not a DNS name or IPv4 address");
    }
  }
  if (!port.empty()) {
    int number = 0;
    if (!std::all_of(port.begin(), port.end(), absl::ascii_isdigit) ||
        port.size() > 5 || !absl::SimpleAtoi(port, &number) || number < 1 ||
        number > 65535) {
      return absl::InvalidArgumentError("jwks url: port: not in 1..65535");
    }
    out.port = number;
  }
  if (!std::all_of(path.begin(), path.end(), IsPathChar)) {
    return absl::InvalidArgumentError(
        "jwks url: path: spaces, control bytes or a fragment");
  }
  out.host = std::string(host);
  out.path = std::string(path);
  if (!out.https) {
    if (!allow_loopback_http) {
      return absl::InvalidArgumentError(
          "jwks url: plain http is refused (keys travel over TLS); use https");
    }
    if (!IsLoopbackHost(out.host)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "jwks url: plain http is allowed towards loopback only, not ",
          out.host));
    }
  }
  return out;
}

std::optional<absl::Duration> CacheMaxAge(absl::string_view cache_control) {
  std::optional<absl::Duration> age;
  for (absl::string_view directive : absl::StrSplit(cache_control, ',')) {
    directive = absl::StripAsciiWhitespace(directive);
    if (absl::EqualsIgnoreCase(directive, "no-store") ||
        absl::EqualsIgnoreCase(directive, "no-cache")) {
      return absl::ZeroDuration();
    }
    const size_t eq = directive.find('=');
    if (eq == absl::string_view::npos ||
        !absl::EqualsIgnoreCase(
            absl::StripAsciiWhitespace(directive.substr(0, eq)), "max-age")) {
      continue;
    }
    absl::string_view value =
        absl::StripAsciiWhitespace(directive.substr(eq + 1));
    absl::ConsumePrefix(&value, "\"");
    absl::ConsumeSuffix(&value, "\"");
    if (value.empty() ||
        !std::all_of(value.begin(), value.end(), absl::ascii_isdigit)) {
      continue;
    }
    // Long digit strings are beyond the cap anyway.
    int64_t seconds = 0;
    const absl::Duration this_age =
        value.size() > 12 || !absl::SimpleAtoi(value, &seconds)
            ? kMaxCacheAge
            : std::min(absl::Seconds(seconds), kMaxCacheAge);
    age = age.has_value() ? std::min(*age, this_age) : this_age;
  }
  return age;
}

}  // namespace accord::jwks
