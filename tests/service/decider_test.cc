// DecideAccess over an in-memory store: the policy rules and the consent
// states it reads.
#include "broker/service/decider.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "broker/service/consent_changes.h"
#include "policy/decide.h"
#include "tests/service/service_fixture.h"

namespace accord::service {
namespace {

using testing::kAirQuality;
using testing::kBikeStations;
using testing::kFixtureStart;
using testing::kHousehold;
using testing::PersonalDataset;
using testing::PersonalPolicy;
using testing::ServiceFixture;

constexpr char kResearch[] = "research-and-development";

std::unique_ptr<ServiceFixture> Fixture() {
  auto f = ServiceFixture::Create();
  REQUIRE(f.ok());
  REQUIRE((*f)->PublishDemoContent().ok());
  return *std::move(f);
}

AccessQuestion Question(absl::string_view dataset, absl::string_view purpose,
                        std::vector<std::string> subjects = {}) {
  AccessQuestion q;
  q.partner = "partner-demo";
  q.dataset_id = std::string(dataset);
  q.purpose = std::string(purpose);
  q.subjects = std::move(subjects);
  return q;
}

// The codes of the answer's reasons.
std::vector<std::string> Codes(const AccessAnswer& a) {
  std::vector<std::string> codes;
  for (const policy::Reason& r : a.decision.reasons) codes.push_back(r.code);
  return codes;
}

bool Has(const std::vector<std::string>& v, absl::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool Permits(const absl::StatusOr<AccessAnswer>& a) {
  REQUIRE(a.ok());
  return a->decision.outcome == policy::Outcome::kPermit &&
         a->proto.outcome() == accord::v1::OUTCOME_PERMIT;
}

// Withdraws `c` as WithdrawConsent records it, and commits.
void Withdraw(ServiceFixture& f, accord::v1::Consent c) {
  const int64_t now = f.clock().NowSeconds();
  AddEvent(c, accord::v1::CONSENT_STATE_WITHDRAWN, now, "subject", "test");
  store::WriteSet ws;
  PutChange(ws, c, accord::v1::CONSENT_STATE_WITHDRAWN, now);
  REQUIRE(f.Commit(std::move(ws)).ok());
}

TEST_CASE("decider: open and restricted datasets follow their policy rules") {
  auto f = Fixture();
  REQUIRE(f->AddPrincipal("partner-shop", accord::v1::ROLE_PARTNER, "company")
              .ok());
  const uint64_t revision = f->store().revision();

  // OPEN, any partner category and purpose: every field, a policy's default
  // lifetime (5 minutes: this one sets none), the attribution duty.
  auto open = DecideAccess(f->env(), Question(kBikeStations, "commercial"));
  CHECK(Permits(open));
  CHECK(open->decision.lifetime_seconds == 300);
  CHECK(open->decision.fields.size() == 7);
  REQUIRE(open->decision.duties.size() == 1);
  CHECK(open->decision.duties[0].kind == policy::DutyKind::kAttribute);
  CHECK(open->revision == revision);
  CHECK(open->proto.policy().version() == 1);

  // RESTRICTED: the prohibition wins over the academic permit...
  auto marketing =
      DecideAccess(f->env(), Question(kAirQuality, "commercial.marketing"));
  CHECK(!Permits(marketing));
  CHECK(Has(Codes(*marketing), policy::kProhibited));
  CHECK(marketing->proto.lifetime_seconds() == 0);
  CHECK(marketing->proto.fields().empty());
  // ... a company is no assignee of the permit ...
  AccessQuestion shop = Question(kAirQuality, kResearch);
  shop.partner = "partner-shop";
  auto company = DecideAccess(f->env(), shop);
  CHECK(!Permits(company));
  CHECK(Has(Codes(*company), policy::kAssigneeMismatch));
  // ... and an academic gets the policy's 15 minutes, or less if asked.
  auto research = DecideAccess(f->env(), Question(kAirQuality, kResearch));
  CHECK(Permits(research));
  CHECK(research->decision.lifetime_seconds == 900);
  AccessQuestion shorter = Question(kAirQuality, "public-benefit");
  shorter.lifetime_seconds = 300;
  shorter.fields = {"pm25", "measured_at"};
  auto brief = DecideAccess(f->env(), shorter);
  CHECK(Permits(brief));
  CHECK(brief->decision.lifetime_seconds == 300);
  CHECK(brief->decision.fields ==
        std::vector<std::string>{"pm25", "measured_at"});
  // A decision writes nothing.
  CHECK(f->store().revision() == revision);
}

TEST_CASE("decider: max_grant_lifetime_seconds caps what the policy allows") {
  BrokerConfig config;
  config.max_grant_lifetime_seconds = 120;
  auto f = ServiceFixture::Create(config);
  REQUIRE(f.ok());
  REQUIRE((*f)->PublishDemoContent().ok());
  // The policy allows 15 minutes.
  auto capped = DecideAccess((*f)->env(), Question(kAirQuality, kResearch));
  CHECK(Permits(capped));
  CHECK(capped->decision.lifetime_seconds == 120);
  CHECK(capped->proto.lifetime_seconds() == 120);
}

TEST_CASE(
    "decider: under consent only subjects with a live consent are "
    "permitted") {
  auto f = Fixture();
  const int64_t hour = 3600;
  // No consent: a denial, not an error.
  auto none =
      DecideAccess(f->env(), Question(kHousehold, kResearch, {"alice"}));
  CHECK(!Permits(none));
  CHECK(Has(Codes(*none), policy::kSubjectsWithoutConsent));

  auto alice = f->GiveConsent("alice", kHousehold, kResearch, "partner-demo",
                              kFixtureStart + hour);
  REQUIRE(alice.ok());
  auto given =
      DecideAccess(f->env(), Question(kHousehold, kResearch, {"alice"}));
  CHECK(Permits(given));
  CHECK(given->decision.subjects == std::vector<std::string>{"alice"});
  CHECK(given->decision.consent_ids == std::vector<std::string>{alice->id()});
  CHECK(given->revision == f->store().revision());

  // Bob consented to another purpose: he is left out, Alice stays.
  REQUIRE(
      f->GiveConsent("bob", kHousehold, "public-benefit.energy", "partner-demo")
          .ok());
  auto both =
      DecideAccess(f->env(), Question(kHousehold, kResearch, {"alice", "bob"}));
  CHECK(Permits(both));
  CHECK(both->decision.subjects == std::vector<std::string>{"alice"});
  CHECK(both->decision.subjects_without_consent == 1);
  // Bob's own consent does cover energy studies.
  CHECK(Permits(DecideAccess(
      f->env(), Question(kHousehold, "public-benefit.energy", {"bob"}))));

  // Withdrawn: denied from the next decision on.
  auto carol = f->GiveConsent("carol", kHousehold, kResearch, "partner-demo");
  REQUIRE(carol.ok());
  CHECK(Permits(
      DecideAccess(f->env(), Question(kHousehold, kResearch, {"carol"}))));
  Withdraw(*f, *carol);
  CHECK(!Permits(
      DecideAccess(f->env(), Question(kHousehold, kResearch, {"carol"}))));

  // Expired: denied as soon as the clock passes expires_at, before anything
  // records the expiry (the stored record still says GIVEN).
  f->clock().Advance(absl::Seconds(hour - 1));
  CHECK(Permits(
      DecideAccess(f->env(), Question(kHousehold, kResearch, {"alice"}))));
  f->clock().Advance(absl::Seconds(1));
  const uint64_t revision = f->store().revision();
  auto expired =
      DecideAccess(f->env(), Question(kHousehold, kResearch, {"alice"}));
  CHECK(!Permits(expired));
  CHECK(Has(Codes(*expired), policy::kSubjectsWithoutConsent));
  CHECK(f->store().GetConsent(alice->id())->state() ==
        accord::v1::CONSENT_STATE_GIVEN);
  CHECK(f->store().revision() == revision);
}

TEST_CASE(
    "decider: legitimate interest needs no consent and honours "
    "objections") {
  auto f = Fixture();
  const std::string li = "rennes.energy.li-test";
  REQUIRE(f->PublishDataset(
               PersonalDataset(li),
               PersonalPolicy(li, "legitimate_interest_opt_out", kResearch))
              .ok());
  auto everyone =
      DecideAccess(f->env(), Question(li, kResearch, {"alice", "bob"}));
  CHECK(Permits(everyone));
  CHECK(everyone->decision.subjects ==
        std::vector<std::string>{"alice", "bob"});
  CHECK(everyone->decision.consent_ids.empty());

  // Bob objects: he is excluded, alone he is denied.
  auto objection = f->GiveConsent("bob", li, kResearch, "partner-demo");
  REQUIRE(objection.ok());
  CHECK(objection->objection());
  auto without_bob =
      DecideAccess(f->env(), Question(li, kResearch, {"alice", "bob"}));
  CHECK(Permits(without_bob));
  CHECK(without_bob->decision.subjects == std::vector<std::string>{"alice"});
  auto bob_alone = DecideAccess(f->env(), Question(li, kResearch, {"bob"}));
  CHECK(!Permits(bob_alone));
  CHECK(Has(Codes(*bob_alone), policy::kSubjectsObjected));

  // Withdrawing the objection includes him again.
  Withdraw(*f, *objection);
  CHECK(Permits(DecideAccess(f->env(), Question(li, kResearch, {"bob"}))));
}

TEST_CASE("decider: public task needs no consent") {
  auto f = Fixture();
  const std::string task = "rennes.energy.public-task";
  REQUIRE(f->PublishDataset(
               PersonalDataset(task),
               PersonalPolicy(task, "public_task", "public-benefit.energy"))
              .ok());
  auto answer = DecideAccess(
      f->env(), Question(task, "public-benefit.energy", {"alice", "bob"}));
  CHECK(Permits(answer));
  CHECK(answer->decision.subjects == std::vector<std::string>{"alice", "bob"});
  // The rule still binds the purpose.
  CHECK(!Permits(DecideAccess(f->env(), Question(task, kResearch, {"alice"}))));
}

TEST_CASE("decider: questions it cannot answer are errors, not denials") {
  auto f = Fixture();
  CHECK(absl::IsNotFound(
      DecideAccess(f->env(), Question("rennes.nothing", kResearch)).status()));
  AccessQuestion stranger = Question(kBikeStations, kResearch);
  stranger.partner = "nobody";
  CHECK(absl::IsInvalidArgument(DecideAccess(f->env(), stranger).status()));
  CHECK(absl::IsInvalidArgument(
      DecideAccess(f->env(), Question(kBikeStations, "no-such-purpose"))
          .status()));
  CHECK(absl::IsInvalidArgument(
      DecideAccess(f->env(), Question(kBikeStations, kResearch, {"alice"}))
          .status()));
  CHECK(absl::IsInvalidArgument(
      DecideAccess(f->env(), Question(kHousehold, kResearch)).status()));
  CHECK(absl::IsInvalidArgument(
      DecideAccess(f->env(),
                   Question(kHousehold, kResearch, {"alice", "alice"}))
          .status()));
  AccessQuestion field = Question(kAirQuality, kResearch);
  field.fields = {"no_such_field"};
  CHECK(absl::IsInvalidArgument(DecideAccess(f->env(), field).status()));
  AccessQuestion where = Question(kAirQuality, kResearch);
  where.location = "Not A Location";
  CHECK(absl::IsInvalidArgument(DecideAccess(f->env(), where).status()));

  // A dataset without a policy yet.
  store::WriteSet ws;
  ws.PutDataset(PersonalDataset("rennes.energy.no-policy"));
  REQUIRE(f->Commit(std::move(ws)).ok());
  CHECK(absl::IsFailedPrecondition(
      DecideAccess(f->env(),
                   Question("rennes.energy.no-policy", kResearch, {"alice"}))
          .status()));
}

}  // namespace
}  // namespace accord::service
