#ifndef ACCORD_CLIENTS_PORTAL_PORTAL_SERVER_H_
#define ACCORD_CLIENTS_PORTAL_PORTAL_SERVER_H_

// The portal's HTTP(S) server (cpp-httplib): the pages and scripts under
// web_root, the sign-in routes and the JSON API, with the security headers
// on every answer. Before any route, every request is charged to its
// client address's rate limit and every API call to its session's (HTTP
// 429 with Retry-After when either is spent).

#include <httplib.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "broker/service/clock.h"
#include "broker/service/rate_limiter.h"
#include "clients/portal/portal_context.h"

namespace accord::portal {

class PortalServer {
 public:
  explicit PortalServer(std::unique_ptr<PortalContext> ctx)
      : ctx_(std::move(ctx)) {}

  // Creates the server (TLS when tls_cert is set), registers the routes and
  // binds the listen address. Errors: INVALID_ARGUMENT for unusable TLS
  // files or web_root, UNAVAILABLE when the address cannot be bound.
  absl::Status Bind();
  // Serves until Stop; call after Bind, on a thread of its own.
  void Serve();
  // Makes Serve return; safe from any thread.
  void Stop();

 private:
  // OK, or RESOURCE_EXHAUSTED when the request's address or session is
  // over its rate limit.
  absl::Status Admit(const httplib::Request& req);

  std::unique_ptr<PortalContext> ctx_;
  std::unique_ptr<httplib::Server> server_;
  service::RealClock clock_;
  std::unique_ptr<service::RateLimiter> per_ip_;
  std::unique_ptr<service::RateLimiter> per_session_;
};

}  // namespace accord::portal

#endif  // ACCORD_CLIENTS_PORTAL_PORTAL_SERVER_H_
