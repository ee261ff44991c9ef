#include "clients/portal/portal_server.h"

#include <sys/socket.h>

#include <exception>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/portal/api_routes.h"
#include "clients/portal/auth_routes.h"

namespace accord::portal {
namespace {

constexpr int kListenBacklog = 1024;

// The page's Content-Security-Policy: scripts, styles and calls from the
// portal only; forms may go to the portal (and, for sign-out, on to the
// provider).
std::string Csp(const PortalContext& ctx) {
  return absl::StrCat(
      "default-src 'none'; script-src 'self'; style-src 'self'; "
      "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
      "frame-ancestors 'none'; form-action 'self' ",
      ctx.oidc->ProviderOrigin());
}

}  // namespace

absl::Status PortalServer::Admit(const httplib::Request& req) {
  if (absl::Status s = per_ip_->Allow(req.remote_addr); !s.ok()) {
    return absl::ResourceExhaustedError(
        "too many requests from this address: wait a moment");
  }
  if (!absl::StartsWith(req.path, "/api/")) return absl::OkStatus();
  // Only a live session has a bucket: a made-up cookie costs its address.
  std::optional<SessionRef> session = CurrentSession(*ctx_, req);
  if (session.has_value()) {
    if (absl::Status s = per_session_->Allow(session->id); !s.ok()) {
      return absl::ResourceExhaustedError(
          "too many requests in this session: wait a moment");
    }
  }
  return absl::OkStatus();
}

absl::Status PortalServer::Bind() {
  const PortalConfig& config = ctx_->config;
  per_ip_ = std::make_unique<service::RateLimiter>(
      static_cast<uint32_t>(config.rate_limit_per_ip_per_second),
      static_cast<uint32_t>(config.rate_limit_per_ip_burst), &clock_);
  per_session_ = std::make_unique<service::RateLimiter>(
      static_cast<uint32_t>(config.rate_limit_per_session_per_second),
      static_cast<uint32_t>(config.rate_limit_per_session_burst), &clock_);
  if (config.tls_cert_file.empty()) {
    server_ = std::make_unique<httplib::Server>();
  } else {
    auto tls = std::make_unique<httplib::SSLServer>(
        config.tls_cert_file.c_str(), config.tls_key_file.c_str());
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tls_cert ", config.tls_cert_file, " / tls_key ", config.tls_key_file,
          ": not a usable certificate and key"));
    }
    server_ = std::move(tls);
  }
  httplib::Server& server = *server_;
  server.set_payload_max_length(64 * 1024);
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  server.set_keep_alive_timeout(2);
  const size_t threads = static_cast<size_t>(config.threads);
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  httplib::Headers headers = {
      {"Content-Security-Policy", Csp(*ctx_)},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "same-origin"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  };
  if (!config.tls_cert_file.empty()) {
    headers.emplace("Strict-Transport-Security", "max-age=31536000");
  }
  server.set_default_headers(std::move(headers));
  server.set_exception_handler([](const httplib::Request&,
                                  httplib::Response& res, std::exception_ptr) {
    SendError(res, absl::InternalError("the portal failed on this request"));
  });
  server.set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        const absl::Status admitted = Admit(req);
        if (admitted.ok()) return httplib::Server::HandlerResponse::Unhandled;
        res.set_header("Retry-After", "1");
        SendError(res, admitted);
        return httplib::Server::HandlerResponse::Handled;
      });
  server.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
  if (!server.set_mount_point("/", config.web_root)) {
    return absl::InvalidArgumentError(
        absl::StrCat("web_root ", config.web_root, ": not a directory"));
  }
  AddAuthRoutes(server, *ctx_);
  AddApiRoutes(server, *ctx_);

  const size_t colon = config.listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(config.listen.substr(colon + 1), &port) || port <= 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen ", config.listen, ": not host:port"));
  }
  std::string host = config.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[')
    host = host.substr(1, host.size() - 2);
  // cpp-httplib's own options turn SO_REUSEPORT on, so a second server on
  // the port would share it silently: SO_REUSEADDR only, and the socket is
  // kept to raise the backlog below.
  int listen_fd = -1;
  server.set_socket_options([&listen_fd](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd = sock;
  });
  if (!server.bind_to_port(host, port)) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config.listen, ": address already in use?"));
  }
  // The library listens with a backlog of 5: a burst of new connections
  // would then wait for SYN retransmits (a second each). Listening again
  // on the socket sets a larger one.
  if (listen_fd < 0 || ::listen(listen_fd, kListenBacklog) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen));
  }
  return absl::OkStatus();
}

void PortalServer::Serve() { server_->listen_after_bind(); }

void PortalServer::Stop() {
  if (server_) server_->stop();
}

}  // namespace accord::portal
