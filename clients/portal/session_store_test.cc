#include "clients/portal/session_store.h"

#include <catch2/catch.hpp>
#include <string>

namespace accord::portal {
namespace {

TEST_CASE("sessions: found until they expire or end, with a CSRF token") {
  SessionStore store(10);
  Session s;
  s.id_token = "token";
  s.subject = "alice";
  s.expires_at = 1000;
  const std::string id = store.Create(s, 100);
  CHECK(id.size() >= 43);
  std::optional<Session> found = store.Find(id, 999);
  REQUIRE(found);
  CHECK(found->subject == "alice");
  CHECK(found->csrf.size() >= 43);
  CHECK(found->csrf != id);
  CHECK_FALSE(store.Find(id, 1000));
  CHECK_FALSE(store.Find("", 100));
  CHECK_FALSE(store.Find(id + "x", 100));
  REQUIRE(store.End(id));
  CHECK_FALSE(store.Find(id, 100));
  CHECK_FALSE(store.End(id));
}

TEST_CASE("sessions: a sign-in's state is used once and expires") {
  SessionStore store(10);
  PendingLogin login;
  login.nonce = "n";
  login.code_verifier = "v";
  login.expires_at = 700;
  const std::string state = store.BeginLogin(login, 100);
  std::optional<PendingLogin> taken = store.TakeLogin(state, 200);
  REQUIRE(taken);
  CHECK(taken->nonce == "n");
  CHECK_FALSE(store.TakeLogin(state, 200));
  const std::string late = store.BeginLogin(login, 100);
  CHECK_FALSE(store.TakeLogin(late, 700));
}

TEST_CASE("sessions: when full, the expired go first, then the oldest") {
  SessionStore store(2);
  Session s;
  s.expires_at = 50;
  const std::string expired = store.Create(s, 10);
  s.expires_at = 500;
  const std::string a = store.Create(s, 10);
  s.expires_at = 600;
  const std::string b = store.Create(s, 100);
  CHECK(store.size() == 2);
  CHECK_FALSE(store.Find(expired, 10));
  CHECK(store.Find(a, 100));
  s.expires_at = 700;
  const std::string c = store.Create(s, 100);
  CHECK_FALSE(store.Find(a, 100));
  CHECK(store.Find(b, 100));
  CHECK(store.Find(c, 100));
}

}  // namespace
}  // namespace accord::portal
