// Grants seen from the partner and the data services: claims and lifetimes
// per dataset class, quotas under concurrency, key rotation end to end.
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "broker/formats/base64url.h"
#include "broker/formats/json.h"
#include "broker/http/client.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

constexpr char kAudience[] = "data.rennes.example";

std::string Str(const formats::JsonValue* v, const char* key) {
  if (v == nullptr) return "";
  const formats::JsonValue* f = v->Find(key);
  return f != nullptr && f->AsString() != nullptr ? *f->AsString() : "";
}

// The JSON header and claims of a compact JWS, unverified (the tests verify
// with PyJWT separately).
std::pair<formats::JsonValue, formats::JsonValue> Peek(
    const std::string& token) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  REQUIRE(parts.size() == 3);
  auto header = formats::ParseJson(*formats::Base64UrlDecode(parts[0]));
  auto claims = formats::ParseJson(*formats::Base64UrlDecode(parts[1]));
  REQUIRE(header.ok());
  REQUIRE(claims.ok());
  return {*header, *claims};
}

std::string TokenOf(const CliResult& r) {
  const formats::JsonValue* grants = r.json.Find("grants");
  if (grants == nullptr || grants->AsArray() == nullptr ||
      grants->AsArray()->empty()) {
    return "";
  }
  return Str(&grants->AsArray()->at(0), "token");
}

CliResult RequestOpen(const BrokerProcess& broker) {
  return broker.Cli({"grant", "request", "--dataset",
                     "rennes.mobility.bike-stations", "--purpose",
                     "service-provision", "--audience", kAudience, "--as",
                     "partner-demo", "--output", "json"});
}

std::vector<std::string> JwksKids(const BrokerProcess& broker) {
  auto r = http::HttpGet(broker.http_address(), "/.well-known/jwks.json",
                         absl::Seconds(5));
  REQUIRE(r.ok());
  auto jwks = formats::ParseJson(r->body);
  REQUIRE(jwks.ok());
  std::vector<std::string> kids;
  for (const auto& k : *jwks->Find("keys")->AsArray())
    kids.push_back(Str(&k, "kid"));
  return kids;
}

int VerifyWithPyJwt(const BrokerProcess& broker, const std::string& token) {
  return Run("/usr/bin/python3", {SourceDir() + "/tests/verify_grant.py",
                                  absl::StrCat("http://", broker.http_address(),
                                               "/.well-known/jwks.json"),
                                  kAudience, token})
      .exit_code;
}

TEST_CASE("claims and lifetimes per dataset class") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());

  CliResult open = RequestOpen(broker);
  INFO(open.err);
  REQUIRE(open.exit_code == 0);
  auto [header, claims] = Peek(TokenOf(open));
  CHECK(Str(&header, "alg") == "ES256");
  CHECK(Str(&header, "typ") == "grant+jwt");
  CHECK(!Str(&header, "kid").empty());
  for (const char* claim : {"iss", "sub", "aud", "jti", "dataset", "purpose"}) {
    INFO(claim);
    CHECK(!Str(&claims, claim).empty());
  }
  CHECK(claims.Find("subjects") == nullptr);  // not a PERSONAL dataset
  const int64_t iat = *claims.Find("iat")->AsInt64();
  const int64_t exp = *claims.Find("exp")->AsInt64();
  CHECK(exp - iat == 300);  // the default maximum
  CHECK(claims.Find("rev")->AsInt64().has_value());
  CHECK(!Str(claims.Find("cnf"), "x5t#S256").empty());
  CHECK(claims.Find("duties")->Find("attribute") != nullptr);

  // RESTRICTED: the policy caps lifetimes at 15 minutes; asking for more is
  // narrowed, never exceeded.
  CliResult restricted = broker.Cli(
      {"grant", "request", "--dataset", "rennes.environment.air-quality",
       "--purpose", "public-benefit.air-quality", "--audience", kAudience,
       "--lifetime", "3600", "--as", "partner-demo", "--output", "json"});
  INFO(restricted.err);
  REQUIRE(restricted.exit_code == 0);
  auto [rh, rc] = Peek(TokenOf(restricted));
  CHECK(*rc.Find("exp")->AsInt64() - *rc.Find("iat")->AsInt64() == 900);

  // A purpose the policy prohibits: DENY with the prohibiting rule.
  CliResult marketing = broker.Cli(
      {"grant", "request", "--dataset", "rennes.environment.air-quality",
       "--purpose", "commercial.marketing", "--audience", kAudience, "--as",
       "partner-demo", "--output", "json"});
  REQUIRE(marketing.exit_code == 0);
  CHECK(Str(marketing.json.Find("decision"), "outcome") == "deny");
  CHECK(TokenOf(marketing).empty());
}

TEST_CASE("a quota is never exceeded by concurrent requests") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  REQUIRE(broker
              .Cli({"dataset", "put", "--id", "rennes.test.quota", "--title",
                    "Quota test", "--classification", "open", "--fields", "a,b",
                    "--as", "producer-demo"})
              .exit_code == 0);
  const std::string policy = dir.path() + "/quota.policy.yaml";
  {
    std::ofstream out(policy);
    out << "dataset: rennes.test.quota\n"
           "rules:\n"
           "  - id: three-an-hour\n"
           "    effect: permit\n"
           "    assignees: {principals: [partner-demo]}\n"
           "    purposes: [service-provision]\n"
           "    quota: {grants: 3, per: 1h}\n";
  }
  CliResult put = broker.Cli(
      {"policy", "put", "rennes.test.quota", policy, "--as", "producer-demo"});
  INFO(put.err);
  REQUIRE(put.exit_code == 0);

  constexpr int kRequests = 8;
  std::vector<CliResult> results(kRequests);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      results[i] =
          broker.Cli({"grant", "request", "--dataset", "rennes.test.quota",
                      "--purpose", "service-provision", "--audience", kAudience,
                      "--as", "partner-demo", "--output", "json"});
    });
  }
  for (auto& t : threads) t.join();
  int permits = 0, quota_denials = 0;
  for (const CliResult& r : results) {
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const formats::JsonValue* decision = r.json.Find("decision");
    if (Str(decision, "outcome") == "permit") {
      ++permits;
      continue;
    }
    for (const auto& reason : *decision->Find("reasons")->AsArray()) {
      if (Str(&reason, "code") == "quota_exceeded") {
        ++quota_denials;
        CHECK(Str(&reason, "rule_id") == "three-an-hour");
        CHECK(Str(&reason, "message").find("resets at") != std::string::npos);
      }
    }
  }
  CHECK(permits == 3);
  CHECK(quota_denials == kRequests - 3);
}

TEST_CASE("key rotation: publish first, sign later, keep until grants expire") {
  TempDir dir;
  // The default schedule (published 600 s before it signs, grants of at
  // most 3600 s), crossed by moving the broker's clock.
  BrokerProcess broker(dir.path() + "/var");
  broker.use_movable_clock();
  REQUIRE(broker.Start().ok());
  const std::vector<std::string> before = JwksKids(broker);
  REQUIRE(before.size() == 1);
  const std::string old_token = TokenOf(RequestOpen(broker));
  const auto old_parts = Peek(old_token);
  REQUIRE(Str(&old_parts.first, "kid") == before[0]);

  CliResult rotated = broker.Cli({"admin", "keys", "rotate", "--alg", "EdDSA",
                                  "--as", "operator", "--output", "json"});
  INFO(rotated.err);
  REQUIRE(rotated.exit_code == 0);
  const std::string new_kid = Str(rotated.json.Find("key"), "kid");
  REQUIRE(!new_kid.empty());
  // Published at once, not yet signing, even just before its time.
  CHECK(JwksKids(broker).size() == 2);
  REQUIRE(broker.AdvanceClock(absl::Seconds(590)).ok());
  const auto pending_parts = Peek(TokenOf(RequestOpen(broker)));
  CHECK(Str(&pending_parts.first, "kid") == before[0]);

  // Past the pre-publication delay the new key signs (reading the JWKS
  // applies the change); the broker's clock then comes back to real time so
  // PyJWT, which reads real time, sees the grant as issued now.
  REQUIRE(broker.AdvanceClock(absl::Seconds(20)).ok());
  CHECK(JwksKids(broker).size() == 2);
  REQUIRE(broker.SetClockOffset(absl::ZeroDuration()).ok());
  const std::string new_token = TokenOf(RequestOpen(broker));
  auto [header, claims] = Peek(new_token);
  CHECK(Str(&header, "kid") == new_kid);
  CHECK(Str(&header, "alg") == "EdDSA");
  CHECK(VerifyWithPyJwt(broker, new_token) == 0);
  // The old key still verifies the grants it signed: it stays published
  // for the longest grant lifetime plus the clock skew (3600 + 60 s) after
  // it stopped signing (some 610 s ahead of real time, above).
  REQUIRE(broker.AdvanceClock(absl::Seconds(610 + 3660 - 120)).ok());
  CHECK(JwksKids(broker).size() == 2);

  // Once every grant of the old key has expired, it leaves the JWKS.
  REQUIRE(broker.AdvanceClock(absl::Seconds(120)).ok());
  const std::vector<std::string> after = JwksKids(broker);
  REQUIRE(after.size() == 1);
  CHECK(after[0] == new_kid);
  auto jwks = http::HttpGet(broker.http_address(), "/.well-known/jwks.json",
                            absl::Seconds(5));
  REQUIRE(jwks.ok());
  const std::string* cache = jwks->Header("Cache-Control");
  REQUIRE(cache != nullptr);
  CHECK(cache->find("max-age=600") != std::string::npos);
}

TEST_CASE("the movable clock of tests is refused outside dev mode") {
  TempDir dir;
  REQUIRE(MakeDevMaterial(dir.path()).ok());
  const std::string pki = dir.path() + "/dev-pki";
  BrokerProcess broker(dir.path(),
                       {"--tls-ca", pki + "/ca.pem", "--tls-cert",
                        pki + "/server.pem", "--tls-key", pki + "/server.key",
                        "--dev-clock-file", dir.path() + "/clock"},
                       /*dev=*/false);
  const absl::Status started = broker.Start();
  INFO(started.message());
  REQUIRE(!started.ok());
  CHECK(broker.exit_code() == 1);
  CHECK(absl::StrContains(started.message(), "FAILED_PRECONDITION"));
  CHECK(absl::StrContains(started.message(), "dev_clock_file"));
  CHECK(absl::StrContains(started.message(), "outside dev mode"));
}

}  // namespace
}  // namespace accord::testing
