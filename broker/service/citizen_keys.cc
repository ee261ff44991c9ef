#include "broker/service/citizen_keys.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/service/logging.h"
#include "broker/service/oidc_discovery.h"

namespace accord::service {
namespace {

std::string Kids(const crypto::Jwks& jwks) {
  std::vector<std::string> kids;
  for (const crypto::VerifyingKey& key : jwks.keys()) kids.push_back(key.kid());
  return absl::StrJoin(kids, ",");
}

}  // namespace

absl::StatusOr<std::unique_ptr<CitizenKeys>> CitizenKeys::Open(
    const CitizenIssuer& config) {
  if (config.jwks_file.empty()) {
    if (absl::Status s = CheckIssuerUrl(config.issuer); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("citizen issuer ", config.issuer, ": ", s.message()));
    }
    return FromLoader(config.issuer,
                      DiscoveryLoader(config.issuer, config.ca_file),
                      absl::Now);
  }
  std::ifstream in(config.jwks_file, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat(
        "citizen issuer ", config.issuer, ": cannot read ", config.jwks_file));
  }
  std::stringstream text;
  text << in.rdbuf();
  auto jwks = crypto::Jwks::Parse(text.str());
  if (!jwks.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("citizen issuer ", config.issuer, ": ", config.jwks_file,
                     ": ", jwks.status().message()));
  }
  return std::unique_ptr<CitizenKeys>(new CitizenKeys(
      config.issuer, std::make_shared<const crypto::Jwks>(*std::move(jwks)),
      nullptr, absl::Now));
}

absl::StatusOr<std::unique_ptr<CitizenKeys>> CitizenKeys::FromLoader(
    std::string issuer, jwks::JwksLoader loader, jwks::NowFunction now) {
  if (!now) now = absl::Now;
  jwks::JwksSource::Options options;
  options.min_refresh_interval = kRefreshFloor;
  options.now = now;
  auto source = jwks::JwksSource::Deferred(std::move(loader), options);
  if (!source.ok()) return source.status();
  return std::unique_ptr<CitizenKeys>(new CitizenKeys(
      std::move(issuer), nullptr, *std::move(source), std::move(now)));
}

std::shared_ptr<const crypto::Jwks> CitizenKeys::Current() const {
  return fixed_ != nullptr ? fixed_ : source_->Keys();
}

bool CitizenKeys::loaded() const {
  return fixed_ != nullptr || source_->loaded();
}

CitizenKeys::Missing CitizenKeys::Lookup(absl::string_view kid) {
  if (source_ == nullptr) return Missing::kNotPublished;
  const absl::Time now = now_();
  {
    absl::MutexLock l(&mu_);
    if (withdrawn_.contains(kid)) return Missing::kWithdrawn;
    auto asked = asked_.find(kid);
    if (asked != asked_.end() && loaded_from_ > asked->second) {
      return Missing::kNotPublished;
    }
    if (asked == asked_.end()) {
      if (asked_.size() >= kMaxRememberedKids) asked_.clear();
      asked_.emplace(kid, now);
    }
  }
  WantRefresh();
  return Missing::kPending;
}

absl::Status CitizenKeys::last_error() const {
  absl::MutexLock l(&mu_);
  return last_error_;
}

bool CitizenKeys::NoteLoad(const crypto::Jwks& before,
                           const crypto::Jwks& after, absl::Time began) {
  absl::MutexLock l(&mu_);
  const bool recovered = !last_error_.ok();
  last_error_ = absl::OkStatus();
  loaded_from_ = began;
  for (const crypto::VerifyingKey& key : before.keys()) {
    if (after.Find(key.kid()) != nullptr) continue;
    if (withdrawn_.size() >= kMaxRememberedKids) withdrawn_.clear();
    withdrawn_.insert(key.kid());
  }
  for (const crypto::VerifyingKey& key : after.keys()) {
    withdrawn_.erase(key.kid());
    asked_.erase(key.kid());
  }
  return recovered;
}

bool CitizenKeys::Refresh() {
  if (source_ == nullptr) return false;
  const std::shared_ptr<const crypto::Jwks> before = source_->Keys();
  const bool was_loaded = source_->loaded();
  const absl::Time began = now_();
  absl::StatusOr<bool> loaded = false;
  if (wanted_.load(std::memory_order_relaxed)) {
    loaded = source_->RefreshAfterUnknownKid();
    // Held back by the floor: still wanted, tried again later.
    if (!loaded.ok() || *loaded)
      wanted_.store(false, std::memory_order_relaxed);
  }
  if (loaded.ok() && !*loaded) loaded = source_->RefreshIfStale();
  if (!loaded.ok()) {
    absl::Status previous;
    {
      absl::MutexLock l(&mu_);
      previous = last_error_;
      last_error_ = loaded.status();
    }
    if (previous.message() != loaded.status().message()) {
      Log(was_loaded ? "warning" : "error",
          was_loaded ? "citizen issuer keys not refreshed; the last ones stay "
                       "in use"
                     : "citizen issuer keys not loaded; its citizen tokens "
                       "are refused (UNAVAILABLE) until they load",
          {{"issuer", issuer_}, {"error", loaded.status().ToString()}});
    }
    return false;
  }
  if (!*loaded) return false;
  const std::shared_ptr<const crypto::Jwks> after = source_->Keys();
  const bool recovered = NoteLoad(*before, *after, began);
  const std::string before_kids = Kids(*before);
  const std::string after_kids = Kids(*after);
  if (!was_loaded || recovered || before_kids != after_kids) {
    Log("info", "citizen issuer keys loaded",
        {{"issuer", issuer_}, {"kids", after_kids}});
  }
  return true;
}

}  // namespace accord::service
