#ifndef ACCORD_BROKER_HTTP_LISTENER_H_
#define ACCORD_BROKER_HTTP_LISTENER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::http {

// A listening TCP socket; the caller owns `fd` and closes it.
struct Listener {
  int fd = -1;   // non-blocking, close-on-exec
  int port = 0;  // the port actually bound (useful when 0 was asked)
};

// Binds and listens on `address` ("127.0.0.1:7480", "[::1]:0",
// "localhost:7480"), trying each resolved address until one binds. Returns
// INVALID_ARGUMENT for a malformed address (see SplitHostPort), UNAVAILABLE
// naming the address when it cannot be resolved, bound (in use, not local)
// or listened on.
absl::StatusOr<Listener> OpenListener(absl::string_view address);

// Whether `address` can be listened on now, to tell why another listener
// (gRPC's) could not start there: binds and listens on every address it
// resolves to, as gRPC does, without SO_REUSEPORT, then closes them.
// Returns OK, or OpenListener's error for the first that fails (UNAVAILABLE
// naming the address: "Address already in use").
absl::Status CheckListenable(absl::string_view address);

}  // namespace accord::http

#endif  // ACCORD_BROKER_HTTP_LISTENER_H_
