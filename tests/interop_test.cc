// Grants from the real broker verify with JWT libraries Accord did not
// write — PyJWT and node's `jose` — and with `accord grant verify`, all
// against the JWKS served over HTTP; and all three refuse the same forged,
// expired and misdirected grants.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "broker/formats/base64url.h"
#include "broker/formats/json.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

constexpr char kOpen[] = "rennes.mobility.bike-stations";
constexpr char kAudience[] = "data.rennes.example";

// A JWT verifier run as a program: exit 0 and the claims on stdout when it
// accepts.
struct Verifier {
  std::string name;
  std::function<CliResult(const std::string& token)> run;
};

// Installs jose from the committed package-lock.json into
// tests/interop/node_modules. Returns "" on success, else why not. Test
// cases run in parallel processes and `npm ci` first deletes
// node_modules, so one install runs at a time (an flock on a file beside
// it) and each case holds the lock until it has used what it installed.
class JoseInstall {
 public:
  JoseInstall() {
    const std::string dir = SourceDir() + "/tests/interop";
    lock_ = open((dir + "/.npm-install.lock").c_str(),
                 O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (lock_ >= 0) flock(lock_, LOCK_EX);
    CliResult r =
        Run("/usr/bin/npm", {"ci", "--no-audit", "--no-fund", "--prefix", dir});
    if (r.exit_code != 0) problem_ = absl::StrCat("npm ci failed: ", r.err);
  }
  ~JoseInstall() {
    if (lock_ >= 0) close(lock_);
  }
  JoseInstall(const JoseInstall&) = delete;
  JoseInstall& operator=(const JoseInstall&) = delete;
  const std::string& problem() const { return problem_; }

 private:
  int lock_ = -1;
  std::string problem_;
};

std::string RequestGrant(const BrokerProcess& broker,
                         const std::string& audience,
                         const std::string& lifetime) {
  CliResult r =
      broker.Cli({"grant", "request", "--dataset", kOpen, "--purpose",
                  "service-provision", "--audience", audience, "--lifetime",
                  lifetime, "--as", "partner-demo", "--output", "json"});
  INFO(r.err << r.out);
  REQUIRE(r.exit_code == 0);
  const formats::JsonValue* grants = r.json.Find("grants");
  REQUIRE(grants != nullptr);
  REQUIRE(grants->AsArray() != nullptr);
  REQUIRE(grants->AsArray()->size() == 1);
  absl::StatusOr<std::string> token =
      grants->AsArray()->at(0).GetString("token");
  REQUIRE(token.ok());
  return *token;
}

// `token` with its part `index` (0 header, 1 payload) decoded, changed by
// `edit`, and encoded again; the signature is left as it was.
template <typename Edit>
std::string Rewrite(const std::string& token, int index, Edit edit) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  REQUIRE(parts.size() == 3);
  absl::StatusOr<std::string> json = formats::Base64UrlDecode(parts[index]);
  REQUIRE(json.ok());
  absl::StatusOr<formats::JsonValue> value = formats::ParseJson(*json);
  REQUIRE(value.ok());
  edit(*value);
  parts[index] = formats::Base64UrlEncode(value->Serialize());
  return absl::StrCat(parts[0], ".", parts[1], ".", parts[2]);
}

// The header's "alg" and "kid" of `token`.
std::pair<std::string, std::string> AlgAndKid(const std::string& token) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  absl::StatusOr<std::string> json = formats::Base64UrlDecode(parts[0]);
  REQUIRE(json.ok());
  absl::StatusOr<formats::JsonValue> header = formats::ParseJson(*json);
  REQUIRE(header.ok());
  return {header->GetString("alg").value_or(""),
          header->GetString("kid").value_or("")};
}

// Every verifier accepts a fresh grant signed with `alg` and refuses the
// same grant edited, with another kid, with alg none, for another audience,
// and once expired. `other_kid` is a kid to swap in (published or not).
void CheckAllVerifiers(BrokerProcess& broker, const std::string& alg,
                       const std::string& other_kid) {
  const std::string jwks_url =
      absl::StrCat("http://", broker.http_address(), "/.well-known/jwks.json");
  std::vector<Verifier> verifiers;
  verifiers.push_back({"PyJWT", [&](const std::string& token) {
                         return Run(
                             "/usr/bin/python3",
                             {SourceDir() + "/tests/interop/verify_pyjwt.py",
                              jwks_url, kAudience, token});
                       }});
  verifiers.push_back({"accord grant verify", [&](const std::string& token) {
                         return broker.Cli({"grant", "verify", token, "--jwks",
                                            jwks_url, "--jwks-http", "loopback",
                                            "--audience", kAudience, "--skew",
                                            "0", "--output", "json"});
                       }});
  const JoseInstall jose;
  const std::string& npm_problem = jose.problem();
  if (npm_problem.empty()) {
    verifiers.push_back({"jose", [&](const std::string& token) {
                           return Run(
                               "/usr/bin/node",
                               {SourceDir() + "/tests/interop/verify_jose.mjs",
                                jwks_url, kAudience, token});
                         }});
  } else if (std::getenv("CI") != nullptr) {
    FAIL("npm could not install the jose verifier, and CI is set: "
         << npm_problem);
  } else {
    // The other verifiers still run; the binary then reports a skip.
    SkipPart("the jose (node) verifier: npm could not install it: " +
             npm_problem);
  }

  const std::string token = RequestGrant(broker, kAudience, "300");
  REQUIRE(AlgAndKid(token).first == alg);
  // A one-second grant issued with the broker's clock an hour back: expired
  // for every verifier, which reads real time (none is given any leeway).
  REQUIRE(broker.SetClockOffset(absl::Hours(-1)).ok());
  const std::string expiring = RequestGrant(broker, kAudience, "1");
  REQUIRE(broker.SetClockOffset(absl::ZeroDuration()).ok());
  const std::string elsewhere =
      RequestGrant(broker, "other.service.example", "300");
  const std::string tampered = Rewrite(
      token, 1,
      [](formats::JsonValue& claims) { claims.Set("sub", "someone-else"); });
  const std::string swapped_kid = Rewrite(
      token, 0, [&](formats::JsonValue& h) { h.Set("kid", other_kid); });
  const std::string alg_none =
      Rewrite(token, 0, [](formats::JsonValue& h) { h.Set("alg", "none"); });

  for (const Verifier& v : verifiers) {
    INFO(v.name);
    CliResult ok = v.run(token);
    INFO(ok.err);
    REQUIRE(ok.exit_code == 0);
    const formats::JsonValue* claims =
        ok.json.Find("claims") != nullptr ? ok.json.Find("claims") : &ok.json;
    CHECK(claims->GetString("sub").value_or("") == "partner-demo");
    CHECK(claims->GetString("aud").value_or("") == kAudience);
    CHECK(claims->GetString("dataset").value_or("") == kOpen);
    CHECK(v.run(tampered).exit_code == 1);
    CHECK(v.run(swapped_kid).exit_code == 1);
    CHECK(v.run(alg_none).exit_code == 1);
    CHECK(v.run(elsewhere).exit_code == 1);
  }

  for (const Verifier& v : verifiers) {
    INFO(v.name);
    CliResult r = v.run(expiring);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(v.run(token).exit_code == 0);
  }
}

TEST_CASE(
    "ES256 grants verify with PyJWT, jose and accord grant verify alike") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  broker.use_movable_clock();
  REQUIRE(broker.Start().ok());
  CheckAllVerifiers(broker, "ES256", "c3dhcHBlZC1raWQtbm90LXB1Ymxpc2hlZA");
}

TEST_CASE(
    "EdDSA grants, after rotation, verify alike and the old key's kid does "
    "not fit them") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  broker.use_movable_clock();
  REQUIRE(broker.Start().ok());
  const std::string es256_kid =
      AlgAndKid(RequestGrant(broker, kAudience, "300")).second;
  CliResult rotated = broker.Cli({"admin", "keys", "rotate", "--alg", "EdDSA",
                                  "--as", "operator", "--output", "json"});
  INFO(rotated.err);
  REQUIRE(rotated.exit_code == 0);
  // Past the pre-publication delay (reading the key list applies it), then
  // back to real time, which the verifiers read: the EdDSA key now signs.
  REQUIRE(broker.AdvanceClock(absl::Seconds(601)).ok());
  CliResult listed = broker.Cli(
      {"admin", "keys", "list", "--as", "operator", "--output", "json"});
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  REQUIRE(broker.SetClockOffset(absl::ZeroDuration()).ok());
  CheckAllVerifiers(broker, "EdDSA", es256_kid);
}

}  // namespace
}  // namespace accord::testing
