#include "broker/service/claims.h"

#include <utility>

namespace accord::service {

KeyClaims::Claim& KeyClaims::Claim::operator=(Claim&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = std::exchange(other.owner_, nullptr);
    key_ = std::move(other.key_);
  }
  return *this;
}

void KeyClaims::Claim::Release() {
  if (owner_ == nullptr) return;
  std::exchange(owner_, nullptr)->Drop(key_);
}

KeyClaims::Claim KeyClaims::Take(absl::string_view key) {
  absl::MutexLock l(&mu_);
  if (!held_.emplace(key).second) return Claim();
  return Claim(this, std::string(key));
}

void KeyClaims::Drop(const std::string& key) {
  absl::MutexLock l(&mu_);
  held_.erase(key);
}

}  // namespace accord::service
