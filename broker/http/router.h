#ifndef ACCORD_BROKER_HTTP_ROUTER_H_
#define ACCORD_BROKER_HTTP_ROUTER_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::http {

// What a handler answers. The server adds Content-Length and Connection;
// `headers` must not carry those (nor Transfer-Encoding) and, like
// `content_type`, must not contain CR, LF or NUL: such a response is replaced
// by a 500.
struct Response {
  int status = 200;  // 100..599
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

using Handler = std::function<Response()>;

// Maps exact request paths (without query) to handlers for GET and HEAD.
// Filled before the server starts, read-only afterwards.
class Router {
 public:
  // Serves `path` (must start with '/') with `handler` for GET, and for HEAD
  // without the body. A path registered twice, a path not starting with '/'
  // or an empty handler is reported by Validate() and makes the server
  // refuse to start.
  void Get(std::string path, Handler handler);
  // Same, and `path` may also be served from the server's reserved
  // connection slots (HttpServer::Options::reserved_connections): for the
  // cheap paths that must stay reachable while others are flooded (health,
  // keys).
  void GetReserved(std::string path, Handler handler);

  // True when `path` was registered with GetReserved.
  bool IsReserved(absl::string_view path) const;

  // OK, or INVALID_ARGUMENT naming the first bad registration.
  absl::Status Validate() const;

  // The handler for `path`, or nullptr when none is registered.
  const Handler* Find(absl::string_view path) const;

 private:
  absl::flat_hash_map<std::string, Handler> routes_;
  absl::flat_hash_set<std::string> reserved_;
  std::string first_error_;
};

// Serializes `response` as an HTTP/1.1 response: status line, Content-Type
// (when not empty), Content-Length, `Connection: close` when `close`, the
// handler's headers, and the body unless `head_only`. Returns
// INVALID_ARGUMENT naming the field when the status is outside 100..599 or a
// header name or value is not allowed (see Response).
absl::StatusOr<std::string> SerializeResponse(const Response& response,
                                              bool head_only, bool close);

// The reason phrase for `status` ("Not Found"), or "" for codes not listed.
absl::string_view ReasonPhrase(int status);

}  // namespace accord::http

#endif  // ACCORD_BROKER_HTTP_ROUTER_H_
