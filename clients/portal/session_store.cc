#include "clients/portal/session_store.h"

#include <utility>

#include "broker/crypto/random.h"
#include "broker/crypto/sha256.h"
#include "broker/formats/base64url.h"

namespace accord::portal {
namespace {

std::string NewId() {
  return formats::Base64UrlEncode(crypto::RandomBytes(32));
}

std::string Key(const std::string& id) {
  return std::string(crypto::AsBytes(crypto::Sha256(id)));
}

}  // namespace

template <typename Map>
void SessionStore::MakeRoom(Map& map, int64_t now) {
  if (map.size() < max_entries_) return;
  for (auto it = map.begin(); it != map.end();) {
    if (it->second.expires_at <= now) {
      map.erase(it++);
    } else {
      ++it;
    }
  }
  while (map.size() >= max_entries_) {
    auto oldest = map.begin();
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (it->second.expires_at < oldest->second.expires_at) oldest = it;
    }
    map.erase(oldest);
  }
}

std::string SessionStore::BeginLogin(PendingLogin login, int64_t now) {
  std::string state = NewId();
  absl::MutexLock lock(&mu_);
  MakeRoom(logins_, now);
  logins_[Key(state)] = std::move(login);
  return state;
}

std::optional<PendingLogin> SessionStore::TakeLogin(const std::string& state,
                                                    int64_t now) {
  absl::MutexLock lock(&mu_);
  auto it = logins_.find(Key(state));
  if (it == logins_.end()) return std::nullopt;
  PendingLogin login = std::move(it->second);
  logins_.erase(it);
  if (login.expires_at <= now) return std::nullopt;
  return login;
}

std::string SessionStore::Create(Session session, int64_t now) {
  std::string id = NewId();
  session.csrf = NewId();
  absl::MutexLock lock(&mu_);
  MakeRoom(sessions_, now);
  sessions_[Key(id)] = std::move(session);
  return id;
}

std::optional<Session> SessionStore::Find(const std::string& id,
                                          int64_t now) const {
  if (id.empty()) return std::nullopt;
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(Key(id));
  if (it == sessions_.end() || it->second.expires_at <= now) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<Session> SessionStore::End(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(Key(id));
  if (it == sessions_.end()) return std::nullopt;
  Session session = std::move(it->second);
  sessions_.erase(it);
  return session;
}

size_t SessionStore::size() const {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

}  // namespace accord::portal
