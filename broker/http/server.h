#ifndef ACCORD_BROKER_HTTP_SERVER_H_
#define ACCORD_BROKER_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/http/router.h"
#include "broker/http/tls.h"

namespace accord::http {

// A small HTTP/1.1 listener for health, metrics and JWKS: GET and HEAD on
// exact paths, keep-alive, no request bodies, optionally over TLS. One thread
// runs a poll loop over the listening socket and its connections, and calls
// the handlers; handlers must therefore be quick, must not throw and must not
// call Shutdown(). With TLS the process must ignore SIGPIPE (the broker's
// main does).
//
// Limits, so that no client can stall the others:
//  - a client can only ever cost the server one connection slot, for at most
//    `idle_timeout` before its request head is complete (TLS handshake
//    included; also the keep-alive wait between requests) and `io_timeout`
//    to take its response; its errors close only its own connection;
//  - at most `max_connections_per_ip` connections per client address: one
//    more is accepted and closed at once, unanswered;
//  - `max_connections` shared slots, plus `reserved_connections` slots that
//    only serve paths registered with Router::GetReserved (health, keys).
//    A connection accepted while the shared slots are all taken gets a
//    reserved slot; a request there for another path gets 503, and every
//    response there closes the connection, so the slots turn over. Further
//    clients wait in the listen backlog.
class HttpServer {
 public:
  struct Options {
    // Shared connection slots.
    int max_connections = 64;
    // Extra slots for reserved paths only (0: none).
    int reserved_connections = 8;
    // Connections at once from one client IP address.
    int max_connections_per_ip = 16;
    // Time a client has to send a whole request head, counted from the
    // connection or the end of the previous response and not extended by
    // partial data: the keep-alive and header-read timeout. Shorter than
    // `io_timeout`, so idle connections give their slots back first.
    absl::Duration idle_timeout = absl::Seconds(5);
    // Time a client has to take a whole response (the request timeout).
    absl::Duration io_timeout = absl::Seconds(10);
    // Request line plus header fields; larger heads get 414 or 431.
    size_t max_head_bytes = 8192;
    // When set, connections speak TLS only (see tls.h); bytes that are not a
    // TLS handshake close the connection unanswered.
    std::shared_ptr<const TlsServerContext> tls;
  };

  // Listens on `address` ("127.0.0.1:7480", "[::1]:7480"; port 0 picks an
  // ephemeral port, see port()) and serves `router` with default Options.
  // Returns INVALID_ARGUMENT for a malformed address or router,
  // UNAVAILABLE when the address cannot be resolved or bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const std::string& address, Router router);
  // Same, with `options` (INVALID_ARGUMENT naming the option when a limit
  // is not positive, reserved_connections excepted, which may be 0).
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
  // most `idle_timeout`), then joins the loop thread. Idempotent; safe from any
  // thread except a handler.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  // What tests wait on instead of sleeping. True once Shutdown() has been
  // called (possibly still running).
  bool shutdown_requested() const { return stop_.load(); }
  // Request bytes read from all clients so far (after TLS decryption): a
  // partly sent request has reached the server once this has grown by its
  // size.
  uint64_t bytes_received() const { return bytes_received_.load(); }

 private:
  struct Connection;
  struct Connections;

  HttpServer(int listen_fd, int wake_read, int wake_write, int port,
             Router router, const Options& options);
  // The loop thread: until Shutdown, polls the wake-up pipe, the listener
  // and the connections, serves what is ready, accepts, and closes the
  // connections past their deadline.
  void Loop();
  // Once Shutdown is asked: closes the listener (once) and the idle
  // connections.
  void CloseForShutdown(Connections& t);
  // Drops the closed connections, giving back their per-address counts and
  // shared slots.
  void RemoveClosed(Connections& t);
  // Fills the poll set (wake-up pipe, listener when accepting, connections)
  // and returns poll's timeout: 0 when a TLS session holds input, else up
  // to the nearest deadline or accept pause (-1: none).
  int PreparePoll(Connections& t);
  // Serves every connection poll found ready, or with buffered TLS input.
  void ServeReady(Connections& t);
  // Accepts while there are slots: refuses an address over its cap, a
  // failed TLS accept; pauses accepting when descriptors run out.
  void AcceptNew(Connections& t);
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
  std::atomic<uint64_t> bytes_received_{0};
  bool stopping_ = false;  // loop thread only
  absl::Mutex mu_;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::http

#endif  // ACCORD_BROKER_HTTP_SERVER_H_
