#include "clients/portal/auth_routes.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "broker/formats/json.h"

namespace accord::portal {
namespace {

// How long a sign-in at the provider may take.
constexpr int64_t kLoginSeconds = 600;

void Redirect(httplib::Response& res, const std::string& to) {
  res.status = 303;
  res.set_header("Location", to);
  res.set_header("Cache-Control", "no-store");
}

}  // namespace

std::string SessionCookie(const PortalContext& ctx, const std::string& value,
                          int64_t max_age) {
  return absl::StrCat(ctx.cookie_name(), "=", value,
                      "; Path=/; HttpOnly; SameSite=Lax; Max-Age=", max_age,
                      ctx.secure_cookies() ? "; Secure" : "");
}

namespace {

// The cookie binding a sign-in to the browser that started it; sent back
// on the provider's top-level redirect to /callback (SameSite=Lax).
std::string LoginCookieName(const PortalContext& ctx) {
  return ctx.secure_cookies() ? "__Host-accord-portal-login"
                              : "accord-portal-login";
}

std::string LoginCookie(const PortalContext& ctx, const std::string& value,
                        int64_t max_age) {
  return absl::StrCat(LoginCookieName(ctx), "=", value,
                      "; Path=/; HttpOnly; SameSite=Lax; Max-Age=", max_age,
                      ctx.secure_cookies() ? "; Secure" : "");
}

void Login(PortalContext& ctx, httplib::Response& res) {
  PendingLogin login;
  login.browser_binding = OidcClient::RandomToken();
  res.set_header("Set-Cookie",
                 LoginCookie(ctx, login.browser_binding, kLoginSeconds));
  login.nonce = OidcClient::RandomToken();
  login.code_verifier = OidcClient::RandomToken();
  const int64_t now = NowSeconds();
  login.expires_at = now + kLoginSeconds;
  const std::string nonce = login.nonce;
  const std::string verifier = login.code_verifier;
  const std::string state = ctx.sessions->BeginLogin(std::move(login), now);
  Redirect(res, ctx.oidc->AuthorizationUrl(state, nonce, verifier));
}

void Callback(PortalContext& ctx, const httplib::Request& req,
              httplib::Response& res) {
  if (req.has_param("error") || !req.has_param("state") ||
      !req.has_param("code")) {
    Redirect(res, "/?signin=failed");
    return;
  }
  const int64_t now = NowSeconds();
  std::optional<PendingLogin> login =
      ctx.sessions->TakeLogin(req.get_param_value("state"), now);
  const std::string binding = CookieValue(req, LoginCookieName(ctx));
  if (!login || binding.size() != login->browser_binding.size() ||
      CRYPTO_memcmp(binding.data(), login->browser_binding.data(),
                    binding.size()) != 0) {
    Redirect(res, "/?signin=failed");
    return;
  }
  absl::StatusOr<IdToken> token = ctx.oidc->Redeem(
      req.get_param_value("code"), login->code_verifier, login->nonce, now);
  if (!token.ok()) {
    std::cerr << "accord-portal: sign-in refused: " << token.status() << "\n";
    Redirect(res, "/?signin=failed");
    return;
  }
  Session session;
  session.id_token = token->compact;
  session.subject = token->subject;
  session.expires_at =
      std::min(token->expires_at, now + ctx.config.session_seconds);
  const int64_t lifetime = session.expires_at - now;
  const std::string id = ctx.sessions->Create(std::move(session), now);
  res.set_header("Set-Cookie", SessionCookie(ctx, id, lifetime));
  res.set_header("Set-Cookie", LoginCookie(ctx, "", 0));
  Redirect(res, "/");
}

void Logout(PortalContext& ctx, const httplib::Request& req,
            httplib::Response& res) {
  std::optional<SessionRef> current = CurrentSession(ctx, req);
  if (!current) {
    // Nothing to end here (a page left open after its session ended).
    res.set_header("Set-Cookie", SessionCookie(ctx, "", 0));
    Redirect(res, "/");
    return;
  }
  if (absl::Status s = CheckCsrf(ctx, req, current->session); !s.ok()) {
    SendError(res, s);
    return;
  }
  std::optional<Session> ended = ctx.sessions->End(current->id);
  res.set_header("Set-Cookie", SessionCookie(ctx, "", 0));
  const std::string at_provider =
      ended ? ctx.oidc->LogoutUrl(ended->id_token, ctx.config.public_url + "/")
            : "";
  Redirect(res, at_provider.empty() ? "/" : at_provider);
}

void SessionInfo(PortalContext& ctx, const httplib::Request& req,
                 httplib::Response& res) {
  std::optional<SessionRef> current = CurrentSession(ctx, req);
  formats::JsonValue body = formats::JsonValue::Object();
  body.Set("signed_in", current.has_value());
  body.Set("checkpoint_key", ctx.config.checkpoint_key);
  if (!current) {
    SendJson(res, 401, body.Serialize());
    return;
  }
  body.Set("subject", current->session.subject);
  body.Set("csrf", current->session.csrf);
  body.Set("expires_at", current->session.expires_at);
  SendJson(res, 200, body.Serialize());
}

}  // namespace

void AddAuthRoutes(httplib::Server& server, PortalContext& ctx) {
  server.Get("/login", [&ctx](const httplib::Request&, httplib::Response& res) {
    Login(ctx, res);
  });
  server.Get("/callback",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               Callback(ctx, req, res);
             });
  server.Post("/logout",
              [&ctx](const httplib::Request& req, httplib::Response& res) {
                Logout(ctx, req, res);
              });
  server.Get("/api/session",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               SessionInfo(ctx, req, res);
             });
}

}  // namespace accord::portal
