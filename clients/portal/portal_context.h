#ifndef ACCORD_CLIENTS_PORTAL_PORTAL_CONTEXT_H_
#define ACCORD_CLIENTS_PORTAL_PORTAL_CONTEXT_H_

// What the portal's request handlers share: the configuration, the
// provider, the broker, the sessions; and the small helpers every handler
// uses (cookies, CSRF, JSON answers, status codes).

#include <httplib.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "clients/portal/broker_client.h"
#include "clients/portal/oidc_client.h"
#include "clients/portal/portal_config.h"
#include "clients/portal/session_store.h"

namespace accord::portal {

struct PortalContext {
  PortalConfig config;
  std::unique_ptr<OidcClient> oidc;
  std::unique_ptr<BrokerClient> broker;
  std::unique_ptr<SessionStore> sessions;

  // Whether cookies carry Secure (everywhere but plain-HTTP dev mode).
  bool secure_cookies() const;
  // The session cookie's name: "__Host-accord-portal" when Secure.
  std::string cookie_name() const;
};

// Unix seconds now.
int64_t NowSeconds();

// The value of cookie `name` in the request, or "".
std::string CookieValue(const httplib::Request& req, const std::string& name);

// The request's live session and its id, if any.
struct SessionRef {
  std::string id;
  Session session;
};
std::optional<SessionRef> CurrentSession(const PortalContext& ctx,
                                         const httplib::Request& req);

// OK when the request carries the session's CSRF token (header
// X-CSRF-Token, or form field `csrf`) and, if it has an Origin header, comes
// from the portal's own origin; PERMISSION_DENIED otherwise.
absl::Status CheckCsrf(const PortalContext& ctx, const httplib::Request& req,
                       const Session& session);

// A JSON answer, never cached.
void SendJson(httplib::Response& res, int status, const std::string& json);
// {"error":{"code":"NOT_FOUND","message":"..."}} with the HTTP status of
// the code (401, 403, 404, 400, 409, 429, 501, 503, else 502).
void SendError(httplib::Response& res, const absl::Status& status);

}  // namespace accord::portal

#endif  // ACCORD_CLIENTS_PORTAL_PORTAL_CONTEXT_H_
