#include "broker/jwks/jwks_source.h"

#include <fstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/crypto/jwks.h"
#include "broker/jwks/jwks_url.h"

namespace accord::jwks {
namespace {

constexpr size_t kMaxJwksBytes = 1024 * 1024;

}  // namespace

absl::StatusOr<std::string> LoadJwksFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(
        absl::StrCat("jwks file ", path, ": cannot open"));
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
    return absl::InvalidArgumentError(
        absl::StrCat("jwks file ", path, ": read error"));
  }
  return text;
}

absl::StatusOr<std::unique_ptr<JwksSource>> JwksSource::Open(
    absl::string_view location, Options options) {
  if (location.empty())
    return absl::InvalidArgumentError("jwks: empty location");
  const std::string where(location);
  JwksLoader loader;
  if (absl::StrContains(location, "://")) {
    // Refuse a bad URL or option before any connection is tried.
    absl::StatusOr<JwksUrl> url =
        ParseJwksUrl(location, options.allow_loopback_http);
    if (!url.ok()) return url.status();
    if (url->https && options.ca_file.empty() && !options.use_system_roots) {
      return absl::InvalidArgumentError(
          "jwks ca_file: required for https (or use_system_roots)");
    }
    loader = [where, options] { return FetchJwksUrl(where, options); };
  } else {
    loader = [where]() -> absl::StatusOr<JwksDocument> {
      return LoadJwksFile(where);
    };
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

absl::StatusOr<std::unique_ptr<JwksSource>> JwksSource::Deferred(
    JwksLoader loader, Options options) {
  if (!loader) return absl::InvalidArgumentError("jwks: no loader");
  if (!options.now) options.now = absl::Now;
  std::unique_ptr<JwksSource> source(
      new JwksSource(std::move(loader), std::move(options)));
  absl::MutexLock l(&source->mu_);
  source->jwks_ = std::make_shared<const crypto::Jwks>();
  source->stale_at_ = absl::InfinitePast();
  return source;
}

bool JwksSource::loaded() const {
  absl::MutexLock l(&mu_);
  return loaded_;
}

absl::Status JwksSource::Load() {
  const absl::Time now = options_.now();
  {
    absl::MutexLock l(&mu_);
    last_load_ = now;
    ++loads_;
  }
  absl::StatusOr<JwksDocument> document = loader_();
  if (!document.ok()) return document.status();
  absl::StatusOr<crypto::Jwks> jwks = crypto::Jwks::Parse(document->json);
  if (!jwks.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("jwks: ", jwks.status().message()));
  }
  auto fresh = std::make_shared<const crypto::Jwks>(*std::move(jwks));
  absl::MutexLock l(&mu_);
  // The whole set is replaced: a key the document no longer lists is gone.
  jwks_ = std::move(fresh);
  loaded_ = true;
  stale_at_ = document->max_age.has_value() ? now + *document->max_age
                                            : absl::InfiniteFuture();
  return absl::OkStatus();
}

std::shared_ptr<const crypto::Jwks> JwksSource::Current() const {
  absl::MutexLock l(&mu_);
  return jwks_;
}

bool JwksSource::HasKey(absl::string_view kid) const {
  return Current()->Find(kid) != nullptr;
}

std::vector<std::string> JwksSource::Kids() const {
  std::vector<std::string> kids;
  for (const crypto::VerifyingKey& key : Current()->keys()) {
    kids.push_back(key.kid());
  }
  return kids;
}

bool JwksSource::StaleAndDue() const {
  const absl::Time now = options_.now();
  absl::MutexLock l(&mu_);
  return now > stale_at_ && now - last_load_ >= options_.min_refresh_interval;
}

absl::StatusOr<bool> JwksSource::RefreshIfStale() {
  // The common case takes no load lock.
  if (!StaleAndDue()) return false;
  absl::MutexLock load(&load_mu_);
  if (!StaleAndDue()) return false;  // another caller just loaded it
  if (absl::Status s = Load(); !s.ok()) return s;
  return true;
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

}  // namespace accord::jwks
