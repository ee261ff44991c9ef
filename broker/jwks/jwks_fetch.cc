// FetchDocument: one GET of a JSON document (a JWKS, an OpenID discovery
// document) over HTTPS (cpp-httplib with OpenSSL), the server's certificate
// checked against a pinned CA file or the system's store.
#include <httplib.h>
#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/jwks/jwks_source.h"
#include "broker/jwks/jwks_url.h"

namespace accord::jwks {
namespace {

constexpr size_t kMaxJwksBytes = 1024 * 1024;

absl::Status FetchError(httplib::Error error, absl::string_view label,
                        absl::string_view url, const std::string& ca_file) {
  const std::string what =
      absl::StrCat(label, " ", url, ": ", httplib::to_string(error));
  switch (error) {
    case httplib::Error::ConnectionTimeout:
      return absl::DeadlineExceededError(what);
    case httplib::Error::SSLServerVerification:
      return absl::UnauthenticatedError(
          absl::StrCat(what, " (server certificate not signed by the CA of ",
                       ca_file.empty() ? "the system store" : ca_file,
                       ", or issued for another host)"));
    case httplib::Error::SSLLoadingCerts:
      return absl::InvalidArgumentError(
          absl::StrCat("jwks ca_file ", ca_file, ": not usable PEM"));
    case httplib::Error::Canceled:
      return absl::InvalidArgumentError(
          absl::StrCat(label, " ", url, ": larger than 1 MiB"));
    default:
      return absl::UnavailableError(what);
  }
}

// Both seconds and microseconds, as httplib takes them.
std::pair<time_t, time_t> Split(absl::Duration d) {
  if (d < absl::Milliseconds(1)) d = absl::Milliseconds(1);
  const int64_t micros = absl::ToInt64Microseconds(d);
  return {static_cast<time_t>(micros / 1000000),
          static_cast<time_t>(micros % 1000000)};
}

}  // namespace

absl::StatusOr<JwksDocument> FetchJwksUrl(absl::string_view url,
                                          const JwksSource::Options& options) {
  return FetchDocument("jwks url", url, options);
}

absl::StatusOr<JwksDocument> FetchDocument(absl::string_view label,
                                           absl::string_view url,
                                           const JwksSource::Options& options) {
  absl::StatusOr<JwksUrl> parsed =
      ParseJwksUrl(url, options.allow_loopback_http);
  if (!parsed.ok()) return parsed.status();
  std::unique_ptr<httplib::ClientImpl> client;
  if (parsed->https) {
    if (options.ca_file.empty() && !options.use_system_roots) {
      return absl::InvalidArgumentError(
          "jwks ca_file: required for https (or use_system_roots)");
    }
    auto tls = std::make_unique<httplib::SSLClient>(parsed->host, parsed->port);
    if (!options.ca_file.empty()) {
      struct stat st;
      if (stat(options.ca_file.c_str(), &st) != 0) {
        return absl::NotFoundError(
            absl::StrCat("jwks ca_file ", options.ca_file, ": no such file"));
      }
      // Only this file: httplib loads the system store only without one.
      tls->set_ca_cert_path(options.ca_file);
    }
    tls->enable_server_certificate_verification(true);
    client = std::move(tls);
  } else {
    client = std::make_unique<httplib::ClientImpl>(parsed->host, parsed->port);
  }
  const auto [sec, usec] = Split(options.fetch_timeout);
  client->set_connection_timeout(sec, usec);
  client->set_read_timeout(sec, usec);
  client->set_write_timeout(sec, usec);
  client->set_follow_location(false);
  client->set_keep_alive(false);

  std::string body;
  httplib::Result result = client->Get(
      parsed->path, httplib::Headers{{"Accept", "application/json"}},
      [](const httplib::Response&) { return true; },
      [&body](const char* data, size_t length) {
        if (body.size() + length > kMaxJwksBytes) return false;
        body.append(data, length);
        return true;
      });
  if (!result) return FetchError(result.error(), label, url, options.ca_file);
  if (result->status != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat(label, " ", url, ": HTTP status ", result->status));
  }
  std::string cache_control;
  const size_t n = result->get_header_value_count("Cache-Control");
  for (size_t i = 0; i < n; ++i) {
    absl::StrAppend(&cache_control, i == 0 ? "" : ",",
                    result->get_header_value("Cache-Control", i));
  }
  return JwksDocument(std::move(body), CacheMaxAge(cache_control));
}

}  // namespace accord::jwks
