// IssueGrants: a grant's claims and signature, checked by the data
// service's verifier (clients/verifier), its expiry from the clock.
#include "broker/service/grant_issuer.h"

#include <catch2/catch.hpp>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "broker/service/decider.h"
#include "broker/service/key_ring.h"
#include "clients/verifier/grant_verifier.h"
#include "tests/service/service_fixture.h"

namespace accord::service {
namespace {

using testing::kAirQuality;
using testing::kFixtureStart;
using testing::kHousehold;
using testing::kTestThumbprint;
using testing::ServiceFixture;

constexpr char kAudience[] = "data.rennes.example";

GrantOrder Order(ServiceFixture& f, absl::string_view purpose) {
  GrantOrder order;
  order.issuer = f.config().grant_issuer;
  order.partner = "partner-demo";
  order.audience = kAudience;
  order.purpose = std::string(purpose);
  order.cert_thumbprint = std::string(kTestThumbprint);
  order.now = f.clock().NowSeconds();
  order.max_subjects_per_grant = f.config().max_subjects_per_grant;
  return order;
}

TEST_CASE(
    "grant_issuer: a grant carries the decision's claims, signed by the "
    "primary key") {
  auto f = ServiceFixture::Create();
  REQUIRE(f.ok());
  ServiceFixture& fx = **f;
  REQUIRE(fx.PublishDemoContent().ok());
  AccessQuestion q;
  q.partner = "partner-demo";
  q.dataset_id = std::string(kAirQuality);
  q.purpose = "public-benefit";
  q.fields = {"pm25", "no2"};
  q.lifetime_seconds = 600;
  auto answer = DecideAccess(fx.env(), q);
  REQUIRE(answer.ok());
  REQUIRE(answer->decision.outcome == policy::Outcome::kPermit);
  auto key = fx.grant_keys().Primary();
  auto issued = IssueGrants(*key, Order(fx, q.purpose), *answer);
  REQUIRE(issued.ok());
  REQUIRE(issued->size() == 1);
  const IssuedGrant& g = (*issued)[0];

  auto verifier = fx.MakeGrantVerifier(kAudience);
  REQUIRE(verifier != nullptr);
  auto grant = verifier->VerifyForThumbprint(g.token, kTestThumbprint);
  INFO(grant.status());
  REQUIRE(grant.ok());
  CHECK(grant->kid == key->kid());
  CHECK(grant->algorithm == "ES256");
  CHECK(grant->issuer == fx.config().grant_issuer);
  CHECK(grant->partner == "partner-demo");
  CHECK(grant->audience == kAudience);
  CHECK(grant->id == g.record.id());
  CHECK(grant->issued_at == kFixtureStart);
  CHECK(grant->not_before == kFixtureStart);
  CHECK(grant->expires_at == kFixtureStart + 600);
  CHECK(grant->dataset == kAirQuality);
  CHECK(grant->purpose == "public-benefit");
  CHECK(grant->fields == std::vector<std::string>{"pm25", "no2"});
  CHECK(!grant->has_subjects);
  CHECK(grant->policy_version == 1);
  CHECK(grant->policy_hash == answer->policy->ref.hash());
  CHECK(grant->revision == static_cast<int64_t>(answer->revision));
  REQUIRE(grant->FindDuty("attribute") != nullptr);
  CHECK(std::get<std::string>(grant->FindDuty("attribute")->value) ==
        "Source: Rennes Métropole air-quality sensors");
  CHECK(grant->cnf_x5t_s256 == kTestThumbprint);
  // The record the store keeps says the same.
  CHECK(g.record.partner() == "partner-demo");
  CHECK(g.record.dataset_id() == kAirQuality);
  CHECK(g.record.expires_at() == kFixtureStart + 600);
  CHECK(g.record.kid() == key->kid());

  // Bound to the certificate: another presenter is refused.
  auto stolen =
      verifier->VerifyForThumbprint(g.token, "b3RoZXItY2VydGlmaWNhdGU");
  CHECK(verifier::FailedCheck(stolen.status()) ==
        verifier::GrantCheck::kBinding);
  // For its audience only.
  auto elsewhere = fx.MakeGrantVerifier("other.example");
  CHECK(
      verifier::FailedCheck(
          elsewhere->VerifyForThumbprint(g.token, kTestThumbprint).status()) ==
      verifier::GrantCheck::kAudience);

  // Its expiry comes from the clock: valid up to exp (and the skew), then
  // refused.
  fx.clock().Advance(absl::Seconds(600 + fx.config().clock_skew_seconds - 1));
  CHECK(verifier->VerifyForThumbprint(g.token, kTestThumbprint).ok());
  fx.clock().Advance(absl::Seconds(1));
  auto late = verifier->VerifyForThumbprint(g.token, kTestThumbprint);
  CHECK(verifier::FailedCheck(late.status()) ==
        verifier::GrantCheck::kLifetime);
}

TEST_CASE(
    "grant_issuer: the subjects of a personal grant are sliced by "
    "max_subjects_per_grant") {
  BrokerConfig config;
  config.max_subjects_per_grant = 2;
  auto f = ServiceFixture::Create(config);
  REQUIRE(f.ok());
  ServiceFixture& fx = **f;
  REQUIRE(fx.PublishDemoContent().ok());
  const std::vector<std::string> subjects = {"alice", "bob", "carol"};
  for (const std::string& s : subjects) {
    REQUIRE(fx.GiveConsent(s, kHousehold, "research-and-development",
                           "partner-demo")
                .ok());
  }
  AccessQuestion q;
  q.partner = "partner-demo";
  q.dataset_id = std::string(kHousehold);
  q.purpose = "research-and-development";
  q.subjects = subjects;
  auto answer = DecideAccess(fx.env(), q);
  REQUIRE(answer.ok());
  REQUIRE(answer->decision.outcome == policy::Outcome::kPermit);
  auto issued =
      IssueGrants(*fx.grant_keys().Primary(), Order(fx, q.purpose), *answer);
  REQUIRE(issued.ok());
  REQUIRE(issued->size() == 2);
  auto verifier = fx.MakeGrantVerifier(kAudience);
  std::vector<std::vector<std::string>> slices;
  for (const IssuedGrant& g : *issued) {
    auto grant = verifier->VerifyForThumbprint(g.token, kTestThumbprint);
    REQUIRE(grant.ok());
    CHECK(grant->has_subjects);
    CHECK(grant->id == g.record.id());
    CHECK(std::vector<std::string>(g.record.subjects().begin(),
                                   g.record.subjects().end()) ==
          grant->subjects);
    // Every grant records the consents the decision relied on.
    CHECK(g.record.consent_ids_size() == 3);
    slices.push_back(grant->subjects);
  }
  CHECK(slices ==
        std::vector<std::vector<std::string>>{{"alice", "bob"}, {"carol"}});
  CHECK((*issued)[0].record.id() != (*issued)[1].record.id());
}

}  // namespace
}  // namespace accord::service
