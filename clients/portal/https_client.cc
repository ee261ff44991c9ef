#include "clients/portal/https_client.h"

#include <httplib.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace accord::portal {
namespace {

constexpr size_t kMaxBody = 1 << 20;
constexpr time_t kTimeoutSeconds = 10;

struct Target {
  std::string host;
  int port = 443;
  std::string path;
};

absl::StatusOr<Target> ParseHttpsUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", url, "' is not an https:// URL"));
  }
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  Target t;
  t.path =
      slash == absl::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.empty() || absl::StrContains(authority, '@')) {
    return absl::InvalidArgumentError(absl::StrCat("'", url, "': bad host"));
  }
  if (const size_t colon = authority.rfind(':');
      colon != absl::string_view::npos && authority.back() != ']') {
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &t.port) ||
        t.port <= 0 || t.port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("'", url, "': bad port"));
    }
    authority = authority.substr(0, colon);
  }
  t.host = std::string(authority);
  return t;
}

absl::Status ErrorOf(httplib::Error error, absl::string_view url) {
  const std::string what = absl::StrCat(url, ": ", httplib::to_string(error));
  switch (error) {
    case httplib::Error::ConnectionTimeout:
      return absl::DeadlineExceededError(what);
    case httplib::Error::SSLServerVerification:
      return absl::UnauthenticatedError(
          absl::StrCat(what, " (certificate not trusted)"));
    case httplib::Error::Canceled:
      return absl::ResourceExhaustedError(
          absl::StrCat(url, ": answer over 1 MiB"));
    default:
      return absl::UnavailableError(what);
  }
}

std::unique_ptr<httplib::SSLClient> MakeClient(const Target& t,
                                               const std::string& ca_file) {
  auto client = std::make_unique<httplib::SSLClient>(t.host, t.port);
  if (!ca_file.empty()) client->set_ca_cert_path(ca_file);
  client->enable_server_certificate_verification(true);
  client->set_connection_timeout(kTimeoutSeconds, 0);
  client->set_read_timeout(kTimeoutSeconds, 0);
  client->set_write_timeout(kTimeoutSeconds, 0);
  client->set_follow_location(false);
  client->set_keep_alive(false);
  return client;
}

}  // namespace

std::string UrlEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

absl::StatusOr<HttpsReply> HttpsGet(absl::string_view url,
                                    const std::string& ca_file) {
  absl::StatusOr<Target> t = ParseHttpsUrl(url);
  if (!t.ok()) return t.status();
  auto client = MakeClient(*t, ca_file);
  std::string body;
  httplib::Result result = client->Get(
      t->path, httplib::Headers{{"Accept", "application/json"}},
      [](const httplib::Response&) { return true; },
      [&body](const char* data, size_t length) {
        if (body.size() + length > kMaxBody) return false;
        body.append(data, length);
        return true;
      });
  if (!result) return ErrorOf(result.error(), url);
  return HttpsReply{result->status, std::move(body)};
}

absl::StatusOr<HttpsReply> HttpsPostForm(
    absl::string_view url, const std::string& ca_file,
    const std::map<std::string, std::string>& form,
    const std::string& basic_user, const std::string& basic_password) {
  absl::StatusOr<Target> t = ParseHttpsUrl(url);
  if (!t.ok()) return t.status();
  auto client = MakeClient(*t, ca_file);
  if (!basic_user.empty()) {
    // RFC 6749 2.3.1: the client id and secret are form-encoded first.
    client->set_basic_auth(UrlEncode(basic_user), UrlEncode(basic_password));
  }
  std::string body;
  for (const auto& [name, value] : form) {
    absl::StrAppend(&body, body.empty() ? "" : "&", UrlEncode(name), "=",
                    UrlEncode(value));
  }
  httplib::Result result =
      client->Post(t->path, httplib::Headers{{"Accept", "application/json"}},
                   body, "application/x-www-form-urlencoded");
  if (!result) return ErrorOf(result.error(), url);
  if (result->body.size() > kMaxBody) {
    return absl::ResourceExhaustedError(
        absl::StrCat(url, ": answer over 1 MiB"));
  }
  return HttpsReply{result->status, result->body};
}

}  // namespace accord::portal
