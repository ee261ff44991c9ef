#include "clients/portal/api_routes.h"

#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/formats/json.h"
#include "clients/portal/auth_routes.h"
#include "clients/portal/data_export.h"

namespace accord::portal {
namespace {

// Ids in paths: what the broker's ids are made of.
constexpr char kId[] = "([A-Za-z0-9._~-]{1,200})";

using Call = std::function<absl::StatusOr<std::string>(
    const std::string& token, const httplib::Request& req)>;

// A GET answered by `call` for the signed-in citizen.
httplib::Server::Handler Read(PortalContext& ctx, Call call) {
  return [&ctx, call](const httplib::Request& req, httplib::Response& res) {
    std::optional<SessionRef> current = CurrentSession(ctx, req);
    if (!current) {
      SendError(res, absl::UnauthenticatedError("not signed in"));
      return;
    }
    absl::StatusOr<std::string> json = call(current->session.id_token, req);
    if (!json.ok()) {
      SendError(res, json.status());
      return;
    }
    SendJson(res, 200, *json);
  };
}

// The session of a POST: signed in, and the CSRF token checked. Otherwise
// sends the error and returns nullopt.
std::optional<SessionRef> ChangingSession(PortalContext& ctx,
                                          const httplib::Request& req,
                                          httplib::Response& res) {
  std::optional<SessionRef> current = CurrentSession(ctx, req);
  if (!current) {
    SendError(res, absl::UnauthenticatedError("not signed in"));
    return std::nullopt;
  }
  if (absl::Status s = CheckCsrf(ctx, req, current->session); !s.ok()) {
    SendError(res, s);
    return std::nullopt;
  }
  return current;
}

// A POST: as Read, after the CSRF check.
httplib::Server::Handler Change(PortalContext& ctx, Call call) {
  return [&ctx, call](const httplib::Request& req, httplib::Response& res) {
    std::optional<SessionRef> current = ChangingSession(ctx, req, res);
    if (!current) return;
    absl::StatusOr<std::string> json = call(current->session.id_token, req);
    if (!json.ok()) {
      SendError(res, json.status());
      return;
    }
    SendJson(res, 200, *json);
  };
}

// The body {"version":N,"notice_hash":"..."} of an answer to a request.
absl::StatusOr<std::pair<uint32_t, std::string>> AnswerOf(
    const httplib::Request& req) {
  absl::StatusOr<formats::JsonValue> body = formats::ParseJson(req.body);
  if (!body.ok()) return absl::InvalidArgumentError("body: not JSON");
  absl::StatusOr<int64_t> version = body->GetInt64("version");
  absl::StatusOr<std::string> hash = body->GetString("notice_hash");
  if (!version.ok() || *version < 1 || *version > 0xffffffffll || !hash.ok() ||
      hash->empty()) {
    return absl::InvalidArgumentError(
        "body: version (a positive number) and notice_hash are required");
  }
  return std::make_pair(static_cast<uint32_t>(*version), *std::move(hash));
}

// POST /api/erase: the citizen's erasure (CSRF checked). The session ends
// with it: the answer is {"erasure": ErasureResponse, "logout_url": where
// to end the provider's session ("" when it has none)}, and the cookie is
// cleared.
void Erase(PortalContext& ctx, const httplib::Request& req,
           httplib::Response& res) {
  std::optional<SessionRef> current = ChangingSession(ctx, req, res);
  if (!current) return;
  absl::StatusOr<std::string> erasure =
      ctx.broker->EraseMe(current->session.id_token);
  if (!erasure.ok()) {
    SendError(res, erasure.status());
    return;
  }
  std::optional<Session> ended = ctx.sessions->End(current->id);
  res.set_header("Set-Cookie", SessionCookie(ctx, "", 0));
  const std::string logout_url =
      ended ? ctx.oidc->LogoutUrl(ended->id_token, ctx.config.public_url + "/")
            : "";
  std::string body =
      absl::StrCat("{\"erasure\":", *erasure, ",\"logout_url\":");
  formats::AppendJsonString(logout_url, &body);
  body.push_back('}');
  SendJson(res, 200, body);
}

}  // namespace

void AddApiRoutes(httplib::Server& server, PortalContext& ctx) {
  const BrokerClient& broker = *ctx.broker;
  server.Get("/api/consents", Read(ctx, [&broker](const std::string& token,
                                                  const httplib::Request&) {
               return broker.ListConsents(token);
             }));
  server.Get(absl::StrCat("/api/consents/", kId),
             Read(ctx, [&broker](const std::string& token,
                                 const httplib::Request& req) {
               return broker.GetConsent(token, req.matches[1]);
             }));
  server.Get(absl::StrCat("/api/consents/", kId, "/receipt.jws"),
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               std::optional<SessionRef> current = CurrentSession(ctx, req);
               if (!current) {
                 SendError(res, absl::UnauthenticatedError("not signed in"));
                 return;
               }
               const std::string id = req.matches[1];
               absl::StatusOr<std::string> receipt =
                   ctx.broker->GetReceipt(current->session.id_token, id);
               if (!receipt.ok()) {
                 SendError(res, receipt.status());
                 return;
               }
               res.set_header("Cache-Control", "no-store");
               res.set_header(
                   "Content-Disposition",
                   absl::StrCat("attachment; filename=\"recu-", id, ".jws\""));
               res.set_content(*receipt, "application/jose");
             });
  server.Get("/api/export.json", [&ctx](const httplib::Request& req,
                                        httplib::Response& res) {
    std::optional<SessionRef> current = CurrentSession(ctx, req);
    if (!current) {
      SendError(res, absl::UnauthenticatedError("not signed in"));
      return;
    }
    absl::StatusOr<std::string> document = PersonalDataExport(
        *ctx.broker, current->session.id_token, NowSeconds());
    if (!document.ok()) {
      SendError(res, document.status());
      return;
    }
    res.set_header("Content-Disposition",
                   "attachment; filename=\"mes-donnees-accord.json\"");
    SendJson(res, 200, *document);
  });
  server.Post(absl::StrCat("/api/consents/", kId, "/withdraw"),
              Change(ctx, [&broker](const std::string& token,
                                    const httplib::Request& req) {
                return broker.Withdraw(token, req.matches[1]);
              }));
  server.Post("/api/erase",
              [&ctx](const httplib::Request& req, httplib::Response& res) {
                Erase(ctx, req, res);
              });
  server.Get("/api/history", Read(ctx, [&broker](const std::string& token,
                                                 const httplib::Request&) {
               return broker.AccessHistory(token);
             }));
  server.Get("/api/keys", Read(ctx, [&broker](const std::string& token,
                                              const httplib::Request&) {
               return broker.VerificationKeys(token);
             }));
  server.Get("/api/requests", Read(ctx, [&broker](const std::string& token,
                                                  const httplib::Request&) {
               return broker.ListOpenRequests(token);
             }));
  server.Get(absl::StrCat("/api/requests/", kId),
             Read(ctx, [&broker](const std::string& token,
                                 const httplib::Request& req) {
               return broker.GetOpenRequest(token, req.matches[1]);
             }));
  for (bool accept : {true, false}) {
    server.Post(
        absl::StrCat("/api/requests/", kId, accept ? "/accept" : "/refuse"),
        Change(ctx,
               [&broker, accept](
                   const std::string& token,
                   const httplib::Request& req) -> absl::StatusOr<std::string> {
                 absl::StatusOr<std::pair<uint32_t, std::string>> answer =
                     AnswerOf(req);
                 if (!answer.ok()) return answer.status();
                 return broker.AnswerRequest(token, req.matches[1],
                                             answer->first, answer->second,
                                             accept);
               }));
  }
}

}  // namespace accord::portal
