// The grant key ring as grant_flow and a data service meet it: a rotation
// takes effect when the clock passes its promotion time, and grants of the
// old key verify until that key is retired from the published set.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "broker/crypto/jwks.h"
#include "broker/service/key_ring.h"
#include "clients/verifier/grant_verifier.h"
#include "tests/service/service_fixture.h"

namespace accord::service {
namespace {

using testing::kBikeStations;
using testing::kTestThumbprint;
using testing::ServiceFixture;

constexpr char kAudience[] = "data.rennes.example";

accord::v1::RequestGrantRequest BikeRequest() {
  accord::v1::RequestGrantRequest r;
  r.set_dataset_id(std::string(kBikeStations));
  r.set_purpose("research-and-development");
  r.set_audience(kAudience);
  return r;
}

bool Published(KeyRing& ring, const std::string& kid) {
  auto jwks = crypto::Jwks::Parse(ring.JwksJson());
  REQUIRE(jwks.ok());
  return jwks->Find(kid) != nullptr;
}

accord::v1::KeyState StateOf(KeyRing& ring, const std::string& kid) {
  for (const accord::v1::KeyInfo& info : ring.List()) {
    if (info.kid() == kid) return info.state();
  }
  return accord::v1::KEY_STATE_UNSPECIFIED;
}

TEST_CASE(
    "key_ring: grants switch key when the clock passes the promotion, "
    "old grants verify until their key is retired") {
  // Promoted a minute after the rotation: before the first grant (of the
  // policy's default 5 minutes) expires.
  BrokerConfig config;
  config.key_prepublish_seconds = 60;
  auto f = ServiceFixture::Create(config);
  REQUIRE(f.ok());
  ServiceFixture& fx = **f;
  REQUIRE(fx.PublishDemoContent().ok());
  auto caller = fx.PartnerCaller("partner-demo");
  REQUIRE(caller.ok());
  KeyRing& ring = fx.grant_keys();
  auto verifier = fx.MakeGrantVerifier(kAudience);
  REQUIRE(verifier != nullptr);
  const int64_t prepublish = fx.config().key_prepublish_seconds;
  // A retired grant key stays published this long past the longest grant.
  const int64_t lifetime = fx.config().max_grant_lifetime_seconds;
  const int64_t skew = fx.config().clock_skew_seconds;

  auto before = fx.RequestGrant(*caller, BikeRequest());
  REQUIRE(before.ok());
  REQUIRE(before->grants_size() == 1);
  const std::string old_token = before->grants(0).token();
  auto old_grant = verifier->VerifyForThumbprint(old_token, kTestThumbprint);
  REQUIRE(old_grant.ok());
  const std::string old_kid = old_grant->kid;
  CHECK(old_grant->algorithm == "ES256");
  // The policy's default lifetime.
  CHECK(old_grant->expires_at == fx.clock().NowSeconds() + 300);

  // Rotated: the new key is published at once but does not sign yet.
  auto rotated = ring.Rotate(crypto::Algorithm::kEdDSA);
  REQUIRE(rotated.ok());
  const std::string new_kid = rotated->kid();
  CHECK(new_kid != old_kid);
  CHECK(Published(ring, new_kid));
  CHECK(StateOf(ring, new_kid) == accord::v1::KEY_STATE_PENDING);
  // A second rotation waits for the first.
  CHECK(absl::IsFailedPrecondition(
      ring.Rotate(crypto::Algorithm::kES256).status()));
  fx.clock().Advance(absl::Seconds(prepublish - 1));
  auto pending = fx.RequestGrant(*caller, BikeRequest());
  REQUIRE(pending.ok());
  CHECK(
      verifier->VerifyForThumbprint(pending->grants(0).token(), kTestThumbprint)
          ->kid == old_kid);

  // The clock reaches the promotion time: the next grant is signed by the
  // new key, and the old one is retired but still published.
  fx.clock().Advance(absl::Seconds(1));
  auto after = fx.RequestGrant(*caller, BikeRequest());
  REQUIRE(after.ok());
  auto new_grant =
      verifier->VerifyForThumbprint(after->grants(0).token(), kTestThumbprint);
  REQUIRE(new_grant.ok());
  CHECK(new_grant->kid == new_kid);
  CHECK(new_grant->algorithm == "EdDSA");
  CHECK(StateOf(ring, new_kid) == accord::v1::KEY_STATE_PRIMARY);
  CHECK(StateOf(ring, old_kid) == accord::v1::KEY_STATE_RETIRED);
  const int64_t retired_at = fx.clock().NowSeconds();
  CHECK(verifier->VerifyForThumbprint(old_token, kTestThumbprint).ok());

  // The old grant verifies to the end of its life, skew included...
  fx.clock().Advance(absl::Seconds(old_grant->expires_at + skew - 1 -
                                   fx.clock().NowSeconds()));
  CHECK(verifier->VerifyForThumbprint(old_token, kTestThumbprint).ok());
  // ... its key stays published for the retention time after it was
  // retired (the longest grant lifetime and the skew) ...
  fx.clock().Advance(absl::Seconds(retired_at + lifetime + skew - 1 -
                                   fx.clock().NowSeconds()));
  CHECK(Published(ring, old_kid));
  // ... and then leaves: nothing it signed verifies any more.
  fx.clock().Advance(absl::Seconds(1));
  CHECK(!Published(ring, old_kid));
  CHECK(StateOf(ring, old_kid) == accord::v1::KEY_STATE_UNSPECIFIED);
  CHECK(
      verifier::FailedCheck(
          verifier->VerifyForThumbprint(old_token, kTestThumbprint).status()) ==
      verifier::GrantCheck::kKey);
  // The new key goes on signing grants that verify.
  auto later = fx.RequestGrant(*caller, BikeRequest());
  REQUIRE(later.ok());
  auto later_grant =
      verifier->VerifyForThumbprint(later->grants(0).token(), kTestThumbprint);
  REQUIRE(later_grant.ok());
  CHECK(later_grant->kid == new_kid);
}

}  // namespace
}  // namespace accord::service
