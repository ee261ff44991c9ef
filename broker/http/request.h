#ifndef ACCORD_BROKER_HTTP_REQUEST_H_
#define ACCORD_BROKER_HTTP_REQUEST_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace accord::http {

// The parts of an HTTP/1.x request head the server acts on.
struct Request {
  std::string method;       // as sent, case-sensitive ("GET", "HEAD", ...)
  std::string path;         // origin-form target without its query: "/metrics"
  bool keep_alive = false;  // the client allows another request afterwards
};

// Outcome of parsing the start of a connection's input buffer.
struct ParsedHead {
  enum class State { kIncomplete, kComplete, kError };
  State state = State::kIncomplete;
  // kComplete: the request, and the bytes of its head including the blank
  // line.
  Request request;
  size_t consumed = 0;
  // kError: the HTTP status to answer (400, 413, 414, 431 or 505; the
  // connection must then be closed) and the offending line or header.
  int error_status = 0;
  std::string error;
};

// Parses the request head (request line and header fields, CRLF-terminated)
// at the start of `buffer`. Returns kIncomplete while the head is shorter
// than `max_head_bytes` and not yet terminated; kComplete with the request
// and its length; or kError with:
//   414 when the request line alone reaches `max_head_bytes`,
//   431 when the head reaches `max_head_bytes`,
//   413 when the request announces a body (Content-Length > 0 or any
//       Transfer-Encoding): the server only serves GET and HEAD,
//   505 for an HTTP version other than 1.0 and 1.1,
//   400 for anything malformed (request line, target not in origin-form,
//       header syntax, control characters, missing or repeated Host in
//       HTTP/1.1, invalid Content-Length).
ParsedHead ParseRequestHead(absl::string_view buffer, size_t max_head_bytes);

}  // namespace accord::http

#endif  // ACCORD_BROKER_HTTP_REQUEST_H_
