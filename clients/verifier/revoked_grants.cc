#include "clients/verifier/revoked_grants.h"

#include "absl/strings/str_cat.h"

namespace accord::verifier {

RevokedGrants::RevokedGrants(Options options) : options_(std::move(options)) {}

absl::Time RevokedGrants::Now() const {
  return options_.now ? options_.now() : absl::Now();
}

void RevokedGrants::Add(const std::vector<std::string>& grant_ids) {
  const absl::Time now = Now();
  absl::MutexLock l(&mu_);
  if (open_) delivered_ = true;
  PruneLocked(now);
  for (const std::string& id : grant_ids) {
    // Revoked again: kept from now; the older arrival entry then finds a
    // newer time and leaves the id alone when it is pruned.
    revoked_[id] = now;
    arrivals_.emplace_back(now, id);
  }
}

void RevokedGrants::PruneLocked(absl::Time now) {
  while (!arrivals_.empty() &&
         now - arrivals_.front().first > options_.max_grant_lifetime) {
    auto it = revoked_.find(arrivals_.front().second);
    if (it != revoked_.end() && it->second == arrivals_.front().first) {
      revoked_.erase(it);
    }
    arrivals_.pop_front();
  }
}

bool RevokedGrants::UpLocked(absl::Time now) const {
  return open_ && (delivered_ || now - opened_at_ >= options_.settle);
}

void RevokedGrants::StreamOpened() {
  const absl::Time now = Now();
  absl::MutexLock l(&mu_);
  open_ = true;
  delivered_ = false;
  opened_at_ = now;
}

void RevokedGrants::StreamEnded() {
  const absl::Time now = Now();
  absl::MutexLock l(&mu_);
  // A stream that never came up (refused at once) leaves the time the last
  // good one ended, so retries cannot hide an outage.
  if (UpLocked(now)) {
    ever_up_ = true;
    down_since_ = now;
  }
  open_ = false;
  delivered_ = false;
}

absl::Status RevokedGrants::Check(absl::string_view grant_id) const {
  const absl::Time now = Now();
  absl::MutexLock l(&mu_);
  if (revoked_.contains(grant_id)) {
    return absl::PermissionDeniedError(
        absl::StrCat("grant ", grant_id, " was revoked"));
  }
  if (UpLocked(now)) return absl::OkStatus();
  if (!ever_up_) {
    return absl::UnavailableError("the revocation stream is not up yet");
  }
  if (now - down_since_ > options_.max_staleness) {
    return absl::UnavailableError(
        absl::StrCat("the revocation stream has been down since ",
                     absl::FormatTime(down_since_, absl::UTCTimeZone())));
  }
  return absl::OkStatus();
}

size_t RevokedGrants::size() const {
  absl::MutexLock l(&mu_);
  return revoked_.size();
}

}  // namespace accord::verifier
