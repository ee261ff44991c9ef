#ifndef ACCORD_CLIENTS_PORTAL_SESSION_STORE_H_
#define ACCORD_CLIENTS_PORTAL_SESSION_STORE_H_

// Server-side sessions of signed-in citizens and the sign-ins under way.
// The browser holds only an opaque random session id (in an HttpOnly
// cookie); the ID token stays here. Thread-safe.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace accord::portal {

struct Session {
  std::string id_token;  // forwarded to the broker, never to the page
  std::string subject;   // the provider's `sub`, shown to the citizen
  std::string csrf;      // required on every state-changing request
  int64_t expires_at = 0;
};

// A sign-in sent to the provider, found again by its `state`.
struct PendingLogin {
  // A random value also set in a cookie of the browser that started the
  // sign-in: the callback must come from that browser (no login CSRF).
  std::string browser_binding;
  std::string nonce;
  std::string code_verifier;
  int64_t expires_at = 0;
};

class SessionStore {
 public:
  // At most `max_entries` sessions and as many pending sign-ins; when full,
  // expired entries are dropped first, then the one closest to expiry.
  explicit SessionStore(size_t max_entries) : max_entries_(max_entries) {}

  // Remembers `login` under a fresh random state and returns the state.
  std::string BeginLogin(PendingLogin login, int64_t now);
  // Returns and forgets the sign-in of `state`, if it has not expired.
  std::optional<PendingLogin> TakeLogin(const std::string& state, int64_t now);

  // Stores `session` (its csrf is set here) and returns its id.
  std::string Create(Session session, int64_t now);
  // The live session of `id`.
  std::optional<Session> Find(const std::string& id, int64_t now) const;
  // Ends the session of `id`; returns it when there was one.
  std::optional<Session> End(const std::string& id);

  size_t size() const;

 private:
  template <typename Map>
  void MakeRoom(Map& map, int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_entries_;
  mutable absl::Mutex mu_;
  // Keyed by the SHA-256 of the id, so a lookup's timing says nothing of
  // the ids held.
  absl::flat_hash_map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, PendingLogin> logins_ ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::portal

#endif  // ACCORD_CLIENTS_PORTAL_SESSION_STORE_H_
