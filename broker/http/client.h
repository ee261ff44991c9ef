#ifndef ACCORD_BROKER_HTTP_CLIENT_H_
#define ACCORD_BROKER_HTTP_CLIENT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

// A minimal HTTP GET client for tests and tools (and for fetching a JWKS),
// in clear or over TLS (tls.h).

namespace accord::http {

class TlsClientContext;

struct HttpResult {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;                                          // de-chunked

  // The value of the first header named `name` (case-insensitive), or
  // nullptr when there is none.
  const std::string* Header(absl::string_view name) const;
};

// "http://host:port/path" split into what HttpGet takes.
struct HttpUrl {
  std::string host_port;  // "host:port", port 80 when the URL has none
  std::string path;       // "/" when the URL has none; query kept
};

// Parses an absolute http URL. Returns INVALID_ARGUMENT naming the part at
// fault for another scheme (https included: this client has no TLS),
// userinfo, an empty or malformed host or port, or characters not allowed in
// a request target. A fragment is dropped.
absl::StatusOr<HttpUrl> ParseHttpUrl(absl::string_view url);

// Sends "GET `path` HTTP/1.1" to `host_port` ("127.0.0.1:7480",
// "[::1]:7480", "localhost:7480") with `Connection: close` and returns the
// response, whatever its status code. Errors:
//   INVALID_ARGUMENT  malformed host_port or path (must start with '/', no
//                     spaces or control characters);
//   UNAVAILABLE       name resolution, connection or transfer failed;
//   DEADLINE_EXCEEDED no complete response within `timeout` (connection
//                     included; name resolution is not bounded by it);
//   DATA_LOSS         malformed or truncated response;
//   RESOURCE_EXHAUSTED response larger than 4 MiB.
absl::StatusOr<HttpResult> HttpGet(const std::string& host_port,
                                   const std::string& path,
                                   absl::Duration timeout);

// Same over TLS: the server must present a certificate that `tls` trusts for
// the host of `host_port` (name or IP address). A failed handshake, an
// untrusted certificate included, is UNAVAILABLE; the other errors are
// HttpGet's.
absl::StatusOr<HttpResult> HttpsGet(const std::string& host_port,
                                    const std::string& path,
                                    const TlsClientContext& tls,
                                    absl::Duration timeout);

// Parses a complete HTTP/1.x response as read until the server closed the
// connection: status line, headers, then the body framed by
// Transfer-Encoding: chunked, Content-Length, or the end of input. Returns
// DATA_LOSS naming the part at fault when it is malformed or shorter than
// announced.
absl::StatusOr<HttpResult> ParseHttpResponse(absl::string_view raw);

}  // namespace accord::http

#endif  // ACCORD_BROKER_HTTP_CLIENT_H_
