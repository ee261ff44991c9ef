#include "clients/verifier/grant_verifier.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "broker/crypto/jwks.h"
#include "broker/crypto/x509.h"
#include "broker/dev/dev_pki.h"
#include "broker/formats/base64url.h"
#include "clients/verifier/test_grants.h"

namespace accord::verifier {
namespace {

using crypto::Algorithm;
using crypto::SigningKey;
using formats::JsonValue;
using testing::GrantClaims;
using testing::kAudience;
using testing::kNow;
using testing::Sign;
using testing::TestClock;

constexpr char kThumbprint[] = "bound-certificate-thumbprint";

// The JWKS a test serves; tests change it to simulate a rotation.
struct Published {
  absl::Mutex mu;
  std::string json ABSL_GUARDED_BY(mu);
};

struct Fixture {
  SigningKey key = *SigningKey::Generate(Algorithm::kES256);
  TestClock clock{kNow};
  std::shared_ptr<Published> published = std::make_shared<Published>();
  std::shared_ptr<JwksSource> source;

  Fixture() {
    Publish({&key});
    JwksSource::Options o;
    o.now = [this] { return clock.Now(); };
    o.min_refresh_interval = absl::Seconds(30);
    std::shared_ptr<Published> p = published;
    source = *JwksSource::FromLoader(
        [p]() -> absl::StatusOr<std::string> {
          absl::MutexLock l(&p->mu);
          return p->json;
        },
        o);
  }

  void Publish(const std::vector<const SigningKey*>& keys) {
    absl::MutexLock l(&published->mu);
    published->json = crypto::Jwks::FromKeys(keys).ToJson();
  }

  GrantVerifier Verifier(std::string audience = kAudience) {
    GrantVerifierOptions o;
    o.audience = std::move(audience);
    o.issuer = "accord";
    o.now = [this] { return clock.Now(); };
    return GrantVerifier(source, o);
  }

  std::string Token() { return Sign(key, GrantClaims(kNow, kThumbprint)); }
};

GrantCheck CheckOf(const absl::Status& s) {
  std::optional<GrantCheck> c = FailedCheck(s);
  REQUIRE(c.has_value());
  return *c;
}

// A token with a header of our choosing over the claims of a real grant,
// signed with an arbitrary 64-byte string.
std::string WithHeader(const std::string& token, const JsonValue& header) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  return absl::StrCat(formats::Base64UrlEncode(header.Serialize()), ".",
                      parts[1], ".", parts[2]);
}

TEST_CASE("a valid grant verifies and comes back typed") {
  Fixture f;
  absl::StatusOr<Grant> g =
      f.Verifier().VerifyForThumbprint(f.Token(), kThumbprint);
  INFO(g.status());
  REQUIRE(g.ok());
  CHECK(g->partner == "partner-demo");
  CHECK(g->audience == kAudience);
  CHECK(g->issuer == "accord");
  CHECK(g->id == "grant-1");
  CHECK(g->kid == f.key.kid());
  CHECK(g->algorithm == "ES256");
  CHECK(g->expires_at == kNow + 300);
  CHECK(g->dataset == "rennes.energy.household-consumption");
  CHECK(g->fields == std::vector<std::string>{"household", "kwh_day"});
  CHECK(g->has_subjects);
  CHECK(g->CoversSubject("alice-pseudonym"));
  CHECK_FALSE(g->CoversSubject("bob-pseudonym"));
  CHECK(g->CoversField("kwh_day"));
  CHECK_FALSE(g->CoversField("address"));
  CHECK(g->policy_version == 3);
  CHECK(g->revision == 42);
  CHECK(g->cnf_x5t_s256 == kThumbprint);
  REQUIRE(g->duties.size() == 2);
  CHECK(g->duties[0].name == "delete_after");
  CHECK(std::get<int64_t>(g->duties[0].value) == 86400);
  CHECK(g->duties[1].name == "no_onward_transfer");
  CHECK(std::get<bool>(g->duties[1].value));
  CHECK(g->FindDuty("no_onward_transfer") == &g->duties[1]);
  CHECK(g->FindDuty("attribute") == nullptr);
  // Every claim as signed, in the token's order.
  CHECK(g->claims_json == GrantClaims(kNow, kThumbprint).Serialize());
}

TEST_CASE(
    "duties come back with their JSON types, and other values are refused") {
  Fixture f;
  GrantVerifier v = f.Verifier();
  JsonValue claims = GrantClaims(kNow, kThumbprint);
  claims.Set("duties", JsonValue::Object()
                           .Set("attribute", "Source: Rennes")
                           .Set("aggregate_min_k", 10)
                           .Set("ratio", 0.5)
                           .Set("notify_producer", true));
  absl::StatusOr<Grant> g = v.VerifyUnbound(Sign(f.key, claims));
  REQUIRE(g.ok());
  REQUIRE(g->duties.size() == 4);
  CHECK(std::get<std::string>(g->FindDuty("attribute")->value) ==
        "Source: Rennes");
  CHECK(std::get<int64_t>(g->FindDuty("aggregate_min_k")->value) == 10);
  CHECK(std::get<double>(g->FindDuty("ratio")->value) == 0.5);
  CHECK(std::get<bool>(g->FindDuty("notify_producer")->value));

  claims.Set("duties", JsonValue::Object());
  g = v.VerifyUnbound(Sign(f.key, claims));
  REQUIRE(g.ok());
  CHECK(g->duties.empty());

  for (const JsonValue& odd :
       {JsonValue(), JsonValue::Array(), JsonValue::Object()}) {
    claims.Set("duties", JsonValue::Object().Set("delete_after", odd));
    auto r = v.VerifyUnbound(Sign(f.key, claims));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(CheckOf(r.status()) == GrantCheck::kClaims);
  }
  claims.Set("duties", JsonValue::Array());
  auto r = v.VerifyUnbound(Sign(f.key, claims));
  REQUIRE_FALSE(r.ok());
  CHECK(CheckOf(r.status()) == GrantCheck::kClaims);
}

TEST_CASE("the certificate binding is checked against the presented PEM") {
  Fixture f;
  auto ca = dev::NewCertificateAuthority("test CA", kNow - 10, kNow + 1000);
  REQUIRE(ca.ok());
  dev::CertificateSpec spec;
  spec.common_name = "partner";
  spec.not_before = kNow - 10;
  spec.not_after = kNow + 1000;
  auto mine = dev::IssueCertificate(*ca, spec);
  auto other = dev::IssueCertificate(*ca, spec);
  REQUIRE(mine.ok());
  REQUIRE(other.ok());
  const std::string x5t = crypto::ParseCertificatePem(mine->cert_pem)->x5t_s256;
  const std::string token = Sign(f.key, GrantClaims(kNow, x5t));
  GrantVerifier v = f.Verifier();

  CHECK(v.VerifyForCertificate(token, mine->cert_pem).ok());
  absl::StatusOr<Grant> replayed =
      v.VerifyForCertificate(token, other->cert_pem);
  REQUIRE_FALSE(replayed.ok());
  CHECK(replayed.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(CheckOf(replayed.status()) == GrantCheck::kBinding);
  // No certificate at all, or garbage instead of one: refused.
  CHECK(CheckOf(v.VerifyForCertificate(token, "").status()) ==
        GrantCheck::kBinding);
  CHECK(CheckOf(v.VerifyForCertificate(token, "not a pem").status()) ==
        GrantCheck::kBinding);
  CHECK(CheckOf(v.VerifyForThumbprint(token, "").status()) ==
        GrantCheck::kBinding);
}

TEST_CASE("each refusal names the check that failed") {
  Fixture f;
  GrantVerifier v = f.Verifier();
  const std::string token = f.Token();

  SECTION("tampered payload") {
    std::vector<std::string> parts = absl::StrSplit(token, '.');
    JsonValue claims = GrantClaims(kNow, kThumbprint);
    claims.Set("fields", JsonValue::Array().Push("household").Push("address"));
    const std::string forged = absl::StrCat(
        parts[0], ".", formats::Base64UrlEncode(claims.Serialize()), ".",
        parts[2]);
    auto r = v.VerifyForThumbprint(forged, kThumbprint);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK(CheckOf(r.status()) == GrantCheck::kSignature);
  }
  SECTION("alg none and HMAC are never accepted") {
    for (const char* alg : {"none", "HS256", "RS256", "es256"}) {
      JsonValue header = JsonValue::Object();
      header.Set("alg", alg).Set("typ", "grant+jwt").Set("kid", f.key.kid());
      auto r = v.VerifyForThumbprint(WithHeader(token, header), kThumbprint);
      INFO(alg);
      REQUIRE_FALSE(r.ok());
      CHECK(CheckOf(r.status()) == GrantCheck::kSignature);
    }
  }
  SECTION("an algorithm outside the verifier's allow-list") {
    GrantVerifierOptions o = v.options();
    o.allowed_algorithms = {"EdDSA"};
    GrantVerifier eddsa_only(f.source, o);
    auto r = eddsa_only.VerifyForThumbprint(token, kThumbprint);
    REQUIRE_FALSE(r.ok());
    CHECK(CheckOf(r.status()) == GrantCheck::kSignature);
    // A name grants never use is a configuration error.
    o.allowed_algorithms = {"ES256", "RS256"};
    GrantVerifier rsa(f.source, o);
    auto config = rsa.VerifyForThumbprint(token, kThumbprint);
    REQUIRE_FALSE(config.ok());
    CHECK(config.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(CheckOf(config.status()) == GrantCheck::kConfig);
  }
  SECTION("a token of another type (a consent receipt, say)") {
    const std::string receipt =
        Sign(f.key, GrantClaims(kNow, kThumbprint), "receipt+jwt");
    auto r = v.VerifyForThumbprint(receipt, kThumbprint);
    REQUIRE_FALSE(r.ok());
    CHECK(CheckOf(r.status()) == GrantCheck::kSignature);
  }
  SECTION("expired, beyond the skew") {
    f.clock.Advance(300 + 59);
    CHECK(v.VerifyForThumbprint(token, kThumbprint).ok());
    f.clock.Advance(1);
    auto r = v.VerifyForThumbprint(token, kThumbprint);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK(CheckOf(r.status()) == GrantCheck::kLifetime);
  }
  SECTION("not yet valid") {
    const std::string later = Sign(f.key, GrantClaims(kNow + 600, kThumbprint));
    auto r = v.VerifyForThumbprint(later, kThumbprint);
    REQUIRE_FALSE(r.ok());
    CHECK(CheckOf(r.status()) == GrantCheck::kLifetime);
  }
  SECTION("another audience") {
    auto r = f.Verifier("other.service.example")
                 .VerifyForThumbprint(token, kThumbprint);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK(CheckOf(r.status()) == GrantCheck::kAudience);
  }
  SECTION("another issuer") {
    GrantVerifierOptions o = v.options();
    o.issuer = "someone-else";
    auto r = GrantVerifier(f.source, o).VerifyForThumbprint(token, kThumbprint);
    REQUIRE_FALSE(r.ok());
    CHECK(CheckOf(r.status()) == GrantCheck::kIssuer);
  }
  SECTION("a grant without cnf") {
    JsonValue claims = GrantClaims(kNow, kThumbprint);
    JsonValue stripped = JsonValue::Object();
    for (const auto& [k, val] : *claims.AsObject()) {
      if (k != "cnf") stripped.Set(k, val);
    }
    auto r = v.VerifyUnbound(Sign(f.key, stripped));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(CheckOf(r.status()) == GrantCheck::kClaims);
  }
  SECTION("fields of the wrong type") {
    JsonValue claims = GrantClaims(kNow, kThumbprint);
    claims.Set("fields", "household");
    auto r = v.VerifyUnbound(Sign(f.key, claims));
    REQUIRE_FALSE(r.ok());
    CHECK(CheckOf(r.status()) == GrantCheck::kClaims);
  }
  SECTION("not a JWS") {
    auto r = v.VerifyUnbound("abc.def");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(CheckOf(r.status()) == GrantCheck::kFormat);
  }
  SECTION("a verifier without an audience refuses everything") {
    GrantVerifierOptions o;
    auto r = GrantVerifier(f.source, o).VerifyUnbound(token);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(CheckOf(r.status()) == GrantCheck::kConfig);
  }
}

TEST_CASE("an unknown kid refreshes the JWKS, at most once per interval") {
  Fixture f;
  GrantVerifier v = f.Verifier();
  REQUIRE(f.source->load_count() == 1);
  // The broker rotates: a new key signs, and is published.
  SigningKey next = *SigningKey::Generate(Algorithm::kES256);
  f.Publish({&f.key, &next});
  const std::string rotated = Sign(next, GrantClaims(kNow, kThumbprint));

  // The first load was just now: the floor holds the refresh back.
  auto early = v.VerifyForThumbprint(rotated, kThumbprint);
  REQUIRE_FALSE(early.ok());
  CHECK(CheckOf(early.status()) == GrantCheck::kKey);
  CHECK(f.source->load_count() == 1);

  f.clock.Advance(31);
  CHECK(v.VerifyForThumbprint(rotated, kThumbprint).ok());
  CHECK(f.source->load_count() == 2);
  // A known kid costs no load.
  CHECK(v.VerifyForThumbprint(rotated, kThumbprint).ok());
  CHECK(f.source->load_count() == 2);

  // A flood of made-up kids costs one load per interval.
  SigningKey stranger = *SigningKey::Generate(Algorithm::kES256);
  const std::string unknown = Sign(stranger, GrantClaims(kNow, kThumbprint));
  f.clock.Advance(31);
  for (int i = 0; i < 20; ++i) {
    auto r = v.VerifyForThumbprint(unknown, kThumbprint);
    REQUIRE_FALSE(r.ok());
    CHECK(CheckOf(r.status()) == GrantCheck::kKey);
  }
  CHECK(f.source->load_count() == 3);
}

TEST_CASE("a failed refresh keeps the cached keys and says so") {
  Fixture f;
  GrantVerifier v = f.Verifier();
  {
    absl::MutexLock l(&f.published->mu);
    f.published->json = "{not json";
  }
  SigningKey stranger = *SigningKey::Generate(Algorithm::kES256);
  f.clock.Advance(31);
  auto r = v.VerifyForThumbprint(Sign(stranger, GrantClaims(kNow, kThumbprint)),
                                 kThumbprint);
  REQUIRE_FALSE(r.ok());
  CHECK(CheckOf(r.status()) == GrantCheck::kKeys);
  // Grants of the cached key still verify.
  CHECK(v.VerifyForThumbprint(f.Token(), kThumbprint).ok());
}

TEST_CASE("one verifier answers many threads alike, across a rotation") {
  Fixture f;
  SigningKey next = *SigningKey::Generate(Algorithm::kEdDSA);
  f.Publish({&f.key, &next});
  f.clock.Advance(31);  // the new key is fetched on first sight
  GrantVerifier v = f.Verifier();
  const std::string old_key = f.Token();
  const std::string new_key = Sign(next, GrantClaims(kNow, kThumbprint));
  std::vector<std::string> parts = absl::StrSplit(old_key, '.');
  JsonValue widened = GrantClaims(kNow, kThumbprint);
  widened.Set("fields", JsonValue::Array().Push("address"));
  const std::string forged =
      absl::StrCat(parts[0], ".", formats::Base64UrlEncode(widened.Serialize()),
                   ".", parts[2]);
  JsonValue elsewhere = GrantClaims(kNow, kThumbprint);
  elsewhere.Set("aud", "other.service.example");
  const std::string other_audience = Sign(f.key, elsewhere);

  std::atomic<int> accepted{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto a = v.VerifyForThumbprint(old_key, kThumbprint);
        auto b = v.VerifyForThumbprint(new_key, kThumbprint);
        auto c = v.VerifyForThumbprint(forged, kThumbprint);
        auto d = v.VerifyForThumbprint(other_audience, kThumbprint);
        auto e = v.VerifyForThumbprint(old_key, "another-certificate");
        if (a.ok() && b.ok() && a->kid == f.key.kid() && b->kid == next.kid()) {
          accepted += 2;
        }
        if (c.ok() || FailedCheck(c.status()) != GrantCheck::kSignature ||
            d.ok() || FailedCheck(d.status()) != GrantCheck::kAudience ||
            e.ok() || FailedCheck(e.status()) != GrantCheck::kBinding) {
          ++wrong;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(accepted == 4 * 25 * 2);
  CHECK(wrong == 0);
  CHECK(f.source->load_count() == 2);
}

TEST_CASE(
    "a verifier with a revocation set refuses revoked grants, and all while it "
    "is stale") {
  Fixture f;
  RevokedGrants::Options ro;
  ro.now = [&f] { return f.clock.Now(); };
  ro.max_staleness = absl::Seconds(30);
  auto revoked = std::make_shared<RevokedGrants>(ro);
  GrantVerifierOptions o = f.Verifier().options();
  o.revoked = revoked;
  GrantVerifier v(f.source, o);
  const std::string token = f.Token();

  // Before the stream is up: nothing is vouched for.
  auto early = v.VerifyForThumbprint(token, kThumbprint);
  REQUIRE_FALSE(early.ok());
  CHECK(early.status().code() == absl::StatusCode::kUnavailable);
  CHECK(CheckOf(early.status()) == GrantCheck::kRevocations);

  revoked->StreamOpened();
  revoked->Add({"another-grant"});
  CHECK(v.VerifyForThumbprint(token, kThumbprint).ok());
  revoked->Add({"grant-1"});
  auto r = v.VerifyForThumbprint(token, kThumbprint);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(CheckOf(r.status()) == GrantCheck::kRevoked);
  // Other checks come first: a forged token does not learn of revocations.
  std::string edited = token;
  edited[edited.size() - 3] ^= 1;
  CHECK(CheckOf(v.VerifyForThumbprint(edited, kThumbprint).status()) !=
        GrantCheck::kRevoked);
  // Without the set, the same grant verifies.
  CHECK(f.Verifier().VerifyForThumbprint(token, kThumbprint).ok());
}

TEST_CASE("statuses that did not come from the verifier name no check") {
  CHECK_FALSE(FailedCheck(absl::OkStatus()).has_value());
  CHECK_FALSE(FailedCheck(absl::UnauthenticatedError("x")).has_value());
}

}  // namespace
}  // namespace accord::verifier
