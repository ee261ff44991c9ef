#ifndef ACCORD_CLIENTS_VERIFIER_TEST_GRANTS_H_
#define ACCORD_CLIENTS_VERIFIER_TEST_GRANTS_H_

// Grants signed with a test key, shaped like the broker's, for the
// verifier's tests and benchmark.

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/signing_key.h"
#include "broker/formats/json.h"

namespace accord::verifier::testing {

constexpr char kAudience[] = "data.rennes.example";
constexpr int64_t kNow = 1'700'000'000;

// The claims the broker puts in a PERSONAL grant issued at `now`.
inline formats::JsonValue GrantClaims(int64_t now, const std::string& x5t) {
  formats::JsonValue fields = formats::JsonValue::Array();
  fields.Push("household").Push("kwh_day");
  formats::JsonValue subjects = formats::JsonValue::Array();
  subjects.Push("alice-pseudonym");
  formats::JsonValue policy = formats::JsonValue::Object();
  policy.Set("version", 3).Set("hash", "c2hhMjU2");
  formats::JsonValue duties = formats::JsonValue::Object();
  duties.Set("delete_after", 86400).Set("no_onward_transfer", true);
  formats::JsonValue cnf = formats::JsonValue::Object();
  cnf.Set("x5t#S256", x5t);
  formats::JsonValue claims = formats::JsonValue::Object();
  claims.Set("iss", "accord")
      .Set("sub", "partner-demo")
      .Set("aud", kAudience)
      .Set("jti", "grant-1")
      .Set("iat", static_cast<long long>(now))
      .Set("nbf", static_cast<long long>(now))
      .Set("exp", static_cast<long long>(now + 300))
      .Set("dataset", "rennes.energy.household-consumption")
      .Set("purpose", "research-and-development")
      .Set("fields", fields)
      .Set("subjects", subjects)
      .Set("policy", policy)
      .Set("duties", duties)
      .Set("rev", 42)
      .Set("cnf", cnf);
  return claims;
}

inline std::string Sign(const crypto::SigningKey& key,
                        const formats::JsonValue& claims,
                        const char* typ = "grant+jwt") {
  absl::StatusOr<std::string> token =
      crypto::SignJws(key, typ, claims.Serialize());
  return token.ok() ? *token : std::string();
}

// A clock that moves only when told.
class TestClock {
 public:
  explicit TestClock(int64_t seconds) : now_(seconds) {}
  absl::Time Now() const { return absl::FromUnixSeconds(now_.load()); }
  void Advance(int64_t seconds) { now_ += seconds; }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace accord::verifier::testing

#endif  // ACCORD_CLIENTS_VERIFIER_TEST_GRANTS_H_
