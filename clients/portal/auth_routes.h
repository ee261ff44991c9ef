#ifndef ACCORD_CLIENTS_PORTAL_AUTH_ROUTES_H_
#define ACCORD_CLIENTS_PORTAL_AUTH_ROUTES_H_

// Sign-in and sign-out: GET /login (to the provider, with PKCE, state and
// nonce), GET /callback (the code redeemed, the ID token checked, a new
// session), POST /logout (CSRF; the session ended here and at the
// provider), GET /api/session (who is signed in, and the CSRF token).

#include <httplib.h>

#include <cstdint>
#include <string>

#include "clients/portal/portal_context.h"

namespace accord::portal {

void AddAuthRoutes(httplib::Server& server, PortalContext& ctx);

// The Set-Cookie value of the session cookie holding `value` for
// `max_age` seconds (0 with an empty value: the cookie is cleared).
std::string SessionCookie(const PortalContext& ctx, const std::string& value,
                          int64_t max_age);

}  // namespace accord::portal

#endif  // ACCORD_CLIENTS_PORTAL_AUTH_ROUTES_H_
