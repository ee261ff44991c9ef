#include "clients/verifier/jwks_source.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/http/client.h"

namespace accord::verifier {
namespace {

constexpr size_t kMaxJwksBytes = 1024 * 1024;

}  // namespace

absl::StatusOr<std::string> LoadJwksFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("jwks file ", path, ": cannot open"));
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxJwksBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("jwks file ", path, ": larger than 1 MiB"));
    }
  }
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("jwks file ", path, ": read error"));
  }
  return text;
}

absl::StatusOr<std::string> FetchJwksUrl(absl::string_view url,
                                         absl::Duration timeout) {
  absl::StatusOr<http::HttpUrl> parsed = http::ParseHttpUrl(url);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("jwks url: ", parsed.status().message()));
  }
  absl::StatusOr<http::HttpResult> result =
      http::HttpGet(parsed->host_port, parsed->path, timeout);
  if (!result.ok()) {
    return absl::Status(result.status().code(),
                        absl::StrCat("jwks url ", url, ": ",
                                     result.status().message()));
  }
  if (result->status != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat("jwks url ", url, ": HTTP status ", result->status));
  }
  if (result->body.size() > kMaxJwksBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("jwks url ", url, ": larger than 1 MiB"));
  }
  return std::move(result->body);
}

absl::StatusOr<std::unique_ptr<JwksSource>> JwksSource::Open(
    absl::string_view location, Options options) {
  if (location.empty()) return absl::InvalidArgumentError("jwks: empty location");
  const std::string where(location);
  JwksLoader loader;
  if (absl::StrContains(location, "://")) {
    if (absl::StatusOr<http::HttpUrl> url = http::ParseHttpUrl(location);
        !url.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("jwks url: ", url.status().message()));
    }
    const absl::Duration timeout = options.fetch_timeout;
    loader = [where, timeout] { return FetchJwksUrl(where, timeout); };
  } else {
    loader = [where] { return LoadJwksFile(where); };
  }
  return FromLoader(std::move(loader), std::move(options));
}

absl::StatusOr<std::unique_ptr<JwksSource>> JwksSource::FromLoader(
    JwksLoader loader, Options options) {
  if (!loader) return absl::InvalidArgumentError("jwks: no loader");
  if (!options.now) options.now = absl::Now;
  std::unique_ptr<JwksSource> source(
      new JwksSource(std::move(loader), std::move(options)));
  absl::MutexLock l(&source->load_mu_);
  if (absl::Status s = source->Load(); !s.ok()) return s;
  return source;
}

absl::Status JwksSource::Load() {
  const absl::Time now = options_.now();
  {
    absl::MutexLock l(&mu_);
    last_load_ = now;
    ++loads_;
  }
  absl::StatusOr<std::string> text = loader_();
  if (!text.ok()) return text.status();
  absl::StatusOr<crypto::Jwks> jwks = crypto::Jwks::Parse(*text);
  if (!jwks.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("jwks: ", jwks.status().message()));
  }
  auto fresh = std::make_shared<const crypto::Jwks>(*std::move(jwks));
  absl::MutexLock l(&mu_);
  jwks_ = std::move(fresh);
  return absl::OkStatus();
}

std::shared_ptr<const crypto::Jwks> JwksSource::Current() const {
  absl::MutexLock l(&mu_);
  return jwks_;
}

absl::StatusOr<bool> JwksSource::RefreshAfterUnknownKid() {
  absl::MutexLock load(&load_mu_);
  {
    absl::MutexLock l(&mu_);
    if (options_.now() - last_load_ < options_.min_refresh_interval) {
      return false;
    }
  }
  if (absl::Status s = Load(); !s.ok()) return s;
  return true;
}

int64_t JwksSource::load_count() const {
  absl::MutexLock l(&mu_);
  return loads_;
}

}  // namespace accord::verifier
