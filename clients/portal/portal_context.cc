#include "clients/portal/portal_context.h"

#include <openssl/crypto.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "broker/formats/json.h"

namespace accord::portal {
namespace {

bool SameSecret(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    default:
      return 502;
  }
}

}  // namespace

bool PortalContext::secure_cookies() const {
  return absl::StartsWith(config.public_url, "https://");
}

std::string PortalContext::cookie_name() const {
  return secure_cookies() ? "__Host-accord-portal" : "accord-portal";
}

int64_t NowSeconds() { return absl::ToUnixSeconds(absl::Now()); }

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  const size_t n = req.get_header_value_count("Cookie");
  for (size_t i = 0; i < n; ++i) {
    for (absl::string_view part :
         absl::StrSplit(req.get_header_value("Cookie", i), ';')) {
      part = absl::StripAsciiWhitespace(part);
      if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) {
        return std::string(part);
      }
    }
  }
  return "";
}

std::optional<SessionRef> CurrentSession(const PortalContext& ctx,
                                         const httplib::Request& req) {
  std::string id = CookieValue(req, ctx.cookie_name());
  std::optional<Session> session = ctx.sessions->Find(id, NowSeconds());
  if (!session) return std::nullopt;
  return SessionRef{std::move(id), *std::move(session)};
}

absl::Status CheckCsrf(const PortalContext& ctx, const httplib::Request& req,
                       const Session& session) {
  if (req.has_header("Origin")) {
    const std::string origin = req.get_header_value("Origin");
    if (origin != ctx.config.public_url) {
      return absl::PermissionDeniedError("request from another origin");
    }
  }
  std::string token = req.get_header_value("X-CSRF-Token");
  if (token.empty() && req.has_param("csrf"))
    token = req.get_param_value("csrf");
  if (!SameSecret(token, session.csrf)) {
    return absl::PermissionDeniedError("missing or wrong CSRF token");
  }
  return absl::OkStatus();
}

void SendJson(httplib::Response& res, int status, const std::string& json) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(json, "application/json; charset=utf-8");
}

void SendError(httplib::Response& res, const absl::Status& status) {
  formats::JsonValue error = formats::JsonValue::Object();
  error.Set("code", std::string(absl::StatusCodeToString(status.code())));
  error.Set("message", std::string(status.message()));
  formats::JsonValue body = formats::JsonValue::Object();
  body.Set("error", std::move(error));
  SendJson(res, HttpStatusOf(status.code()), body.Serialize());
}

}  // namespace accord::portal
