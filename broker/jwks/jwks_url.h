#ifndef ACCORD_BROKER_JWKS_JWKS_URL_H_
#define ACCORD_BROKER_JWKS_JWKS_URL_H_

// The rules a JWKS URL and its HTTP answer are held to, apart from the
// transport so they are tested and fuzzed on their own. Internal to
// jwks_source.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace accord::jwks {

struct JwksUrl {
  bool https = false;
  std::string host;  // without brackets for IPv6
  int port = 0;      // the scheme's default when the URL has none
  std::string path;  // starts with '/', query included
};

// Parses "http(s)://host[:port][/path]". `allow_loopback_http`: plain http
// is accepted towards a loopback host only. Returns the parts, or
// INVALID_ARGUMENT naming what is at fault: the scheme, user info, the host,
// the port, the path (spaces, control bytes, a fragment), or plain http
// (not allowed, or not towards loopback).
absl::StatusOr<JwksUrl> ParseJwksUrl(absl::string_view url,
                                     bool allow_loopback_http);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(absl::string_view host);

// The freshness a Cache-Control header value gives: the max-age directive
// (the smallest when repeated, capped at one day), zero for no-store or
// no-cache, nullopt when there is none or its value is not a number.
std::optional<absl::Duration> CacheMaxAge(absl::string_view cache_control);

}  // namespace accord::jwks

#endif  // ACCORD_BROKER_JWKS_JWKS_URL_H_
