#ifndef ACCORD_BROKER_HTTP_SERVER_H_
#define ACCORD_BROKER_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/http/router.h"

namespace accord::http {

// A small HTTP/1.1 listener for health, metrics and JWKS: GET and HEAD on
// exact paths, keep-alive, no request bodies. One thread runs a poll loop
// over the listening socket and at most `max_connections` connections, and
// calls the handlers; handlers must therefore be quick, must not throw and
// must not call Shutdown(). A client can only ever cost the server one
// connection slot for at most `io_timeout` per request, and its errors close
// only its own connection.
class HttpServer {
 public:
  struct Options {
    // Connections served at once; further clients wait in the listen backlog.
    int max_connections = 64;
    // Time a client has to send a whole request head (counted from the
    // connection or the previous response, not extended by partial data),
    // and to take a whole response.
    absl::Duration io_timeout = absl::Seconds(10);
    // Request line plus header fields; larger heads get 414 or 431.
    size_t max_head_bytes = 8192;
  };

  // Listens on `address` ("127.0.0.1:7480", "[::1]:7480"; port 0 picks an
  // ephemeral port, see port()) and serves `router` with default Options.
  // Returns INVALID_ARGUMENT for a malformed address or router,
  // UNAVAILABLE when the address cannot be resolved or bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const std::string& address, Router router);
  // Same, with `options` (INVALID_ARGUMENT when a limit is not positive).
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const std::string& address, Router router, const Options& options);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Shuts down.
  ~HttpServer();

  // The port actually bound.
  int port() const { return port_; }

  // Stops accepting, lets requests already received get their responses
  // (idle connections close at once; a partly received request keeps at
  // most `io_timeout`), then joins the loop thread. Idempotent; safe from any
  // thread except a handler.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Connection;

  HttpServer(int listen_fd, int wake_read, int wake_write, int port,
             Router router, const Options& options);
  void Loop();
  void OnReadable(Connection& c);
  void Process(Connection& c);
  void Flush(Connection& c);
  void Queue(Connection& c, const Response& response, bool head_only,
             bool close);

  int listen_fd_;
  const int wake_read_;
  const int wake_write_;
  const int port_;
  const Router router_;
  const Options options_;
  std::atomic<bool> stop_{false};
  bool stopping_ = false;  // loop thread only
  absl::Mutex mu_;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::http

#endif  // ACCORD_BROKER_HTTP_SERVER_H_
