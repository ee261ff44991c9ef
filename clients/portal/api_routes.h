#ifndef ACCORD_CLIENTS_PORTAL_API_ROUTES_H_
#define ACCORD_CLIENTS_PORTAL_API_ROUTES_H_

// The JSON API the page calls, each a signed-in citizen's call to the
// broker with their ID token (clients/portal/README.md lists them). Every
// POST needs the session's CSRF token.

#include <httplib.h>

#include "clients/portal/portal_context.h"

namespace accord::portal {

void AddApiRoutes(httplib::Server& server, PortalContext& ctx);

}  // namespace accord::portal

#endif  // ACCORD_CLIENTS_PORTAL_API_ROUTES_H_
