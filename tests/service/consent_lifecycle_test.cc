// A consent's life at the service level, below ConsentService's gRPC
// reactors (which only a real call reaches): the record changes of
// consent_changes.h, committed to the store, as the decider and grant_flow
// then see them. Expiry follows the FakeClock.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "broker/service/consent_changes.h"
#include "broker/service/decider.h"
#include "broker/service/revocations.h"
#include "tests/service/service_fixture.h"

namespace accord::service {
namespace {

using accord::v1::Consent;
using testing::kFixtureStart;
using testing::kHousehold;
using testing::PersonalDataset;
using testing::PersonalPolicy;
using testing::ServiceFixture;

constexpr char kResearch[] = "research-and-development";
constexpr int64_t kHour = 3600;

accord::v1::RequestGrantRequest Request(absl::string_view dataset,
                                        std::vector<std::string> subjects) {
  accord::v1::RequestGrantRequest r;
  r.set_dataset_id(std::string(dataset));
  r.set_purpose(kResearch);
  r.set_audience("data.rennes.example");
  for (std::string& s : subjects) r.add_subjects(std::move(s));
  return r;
}

// The grant ids of a response (empty for a denial).
std::vector<std::string> GrantIds(ServiceFixture& f, absl::string_view dataset,
                                  std::vector<std::string> subjects) {
  auto caller = f.PartnerCaller("partner-demo");
  REQUIRE(caller.ok());
  auto response =
      f.RequestGrant(*caller, Request(dataset, std::move(subjects)));
  REQUIRE(response.ok());
  std::vector<std::string> ids;
  for (const auto& g : response->grants()) ids.push_back(g.id());
  return ids;
}

std::vector<accord::v1::ConsentState> States(const Consent& c) {
  std::vector<accord::v1::ConsentState> states;
  for (const auto& e : c.events()) states.push_back(e.state());
  return states;
}

// The subject's record for the dataset, purpose and partner, as a renewal
// finds it: as stored, without its events.
Consent Find(ServiceFixture& f, const std::string& subject,
             absl::string_view dataset) {
  auto found =
      FindConsent(f.env(), subject, std::string(dataset), [](const Consent& c) {
        return c.purpose() == kResearch &&
               c.recipient().partner() == "partner-demo";
      });
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  return **found;
}

TEST_CASE(
    "consent lifecycle: give, expiry by the clock, renewal, withdrawal "
    "revoking the live grants") {
  auto f = ServiceFixture::Create();
  REQUIRE(f.ok());
  ServiceFixture& fx = **f;
  REQUIRE(fx.PublishDemoContent().ok());

  // Given: one GIVEN event by the subject, logged, and grants follow.
  const uint64_t log_size = fx.store().LogSize();
  auto given = fx.GiveConsent("alice", kHousehold, kResearch, "partner-demo",
                              kFixtureStart + kHour);
  REQUIRE(given.ok());
  CHECK(given->state() == accord::v1::CONSENT_STATE_GIVEN);
  CHECK(States(*given) ==
        std::vector<accord::v1::ConsentState>{accord::v1::CONSENT_STATE_GIVEN});
  CHECK(given->events(0).actor() == "subject");
  CHECK(fx.store().LogSize() == log_size + 1);
  const std::vector<std::string> first = GrantIds(fx, kHousehold, {"alice"});
  REQUIRE(first.size() == 1);

  // The clock passes expires_at: no grant from then on, and the next read
  // of the record gives it its EXPIRED event, dated at the expiry, by the
  // broker; once.
  fx.clock().Advance(absl::Seconds(kHour));
  CHECK(GrantIds(fx, kHousehold, {"alice"}).empty());
  Consent c = Find(fx, "alice", kHousehold);
  CHECK(c.id() == given->id());
  CHECK(c.state() == accord::v1::CONSENT_STATE_GIVEN);
  CHECK(c.events_size() == 0);
  CHECK(c.earlier_events() == 1);
  REQUIRE(RecordExpiry(c, fx.clock().NowSeconds()));
  CHECK(!RecordExpiry(c, fx.clock().NowSeconds()));
  CHECK(c.state() == accord::v1::CONSENT_STATE_EXPIRED);
  REQUIRE(c.events_size() == 1);
  CHECK(c.events(0).at() == kFixtureStart + kHour);
  CHECK(c.events(0).actor() == "broker");
  {
    store::WriteSet ws;
    PutChange(ws, c, accord::v1::CONSENT_STATE_EXPIRED,
              fx.clock().NowSeconds());
    REQUIRE(fx.Commit(std::move(ws)).ok());
  }
  CHECK(fx.store().GetConsent(c.id())->state() ==
        accord::v1::CONSENT_STATE_EXPIRED);
  // A record that never expires, or is no longer GIVEN, gets no expiry.
  Consent forever = *given;
  forever.set_expires_at(0);
  CHECK(!RecordExpiry(forever, fx.clock().NowSeconds() + 100 * kHour));

  // Renewed: the same record gets a new GIVEN event and expiry, appended
  // after the two stored ones without reading them, and grants are issued
  // again.
  {
    Consent renewed = Find(fx, "alice", kHousehold);
    CHECK(renewed.id() == given->id());
    const int64_t now = fx.clock().NowSeconds();
    renewed.set_given_at(now);
    renewed.set_expires_at(now + 24 * kHour);
    AddEvent(renewed, accord::v1::CONSENT_STATE_GIVEN, now, "subject", "test");
    store::WriteSet ws;
    PutChange(ws, renewed, accord::v1::CONSENT_STATE_GIVEN, now);
    REQUIRE(fx.Commit(std::move(ws)).ok());
  }
  CHECK(Find(fx, "alice", kHousehold).earlier_events() == 3);
  // Read whole, it has every event, in order, each with its revision.
  Consent renewed = *fx.store().GetConsent(given->id());
  CHECK(renewed.earlier_events() == 0);
  for (const auto& e : renewed.events()) CHECK(e.revision() != 0);
  CHECK(States(renewed) ==
        std::vector<accord::v1::ConsentState>{accord::v1::CONSENT_STATE_GIVEN,
                                              accord::v1::CONSENT_STATE_EXPIRED,
                                              accord::v1::CONSENT_STATE_GIVEN});
  CHECK(renewed.state() == accord::v1::CONSENT_STATE_GIVEN);
  const std::vector<std::string> second = GrantIds(fx, kHousehold, {"alice"});
  REQUIRE(second.size() == 1);

  // Withdrawn, past the first grant's lifetime: the withdrawal revokes, in
  // its own commit, the grants that may still be live (the second), and
  // nothing is granted any more.
  fx.clock().Advance(absl::Seconds(100));
  const uint64_t before = fx.store().revision();
  {
    const int64_t now = fx.clock().NowSeconds();
    AddEvent(renewed, accord::v1::CONSENT_STATE_WITHDRAWN, now, "subject",
             "test");
    store::WriteSet ws;
    PutChange(ws, renewed, accord::v1::CONSENT_STATE_WITHDRAWN, now);
    REQUIRE(RevokeSubjectGrants(fx.env(), ws, renewed, now, "consent_withdrawn")
                .ok());
    REQUIRE(fx.Commit(std::move(ws)).ok());
  }
  CHECK(fx.store().revision() == before + 1);
  auto revocations = ReadOwnedRevocations(fx.store(), before, 10);
  REQUIRE(revocations.ok());
  REQUIRE(revocations->size() == 1);
  const OwnedRevocation& r = (*revocations)[0];
  CHECK(r.revocation.cause() == "consent_withdrawn");
  CHECK(r.revocation.revision() == before + 1);
  CHECK(std::vector<std::string>(r.revocation.grant_ids().begin(),
                                 r.revocation.grant_ids().end()) == second);
  REQUIRE(r.owners.size() == 1);
  CHECK(r.owners[0].partner == "partner-demo");
  CHECK(r.owners[0].producer == "producer-demo");
  CHECK(fx.store().GetConsent(given->id())->state() ==
        accord::v1::CONSENT_STATE_WITHDRAWN);
  CHECK(GrantIds(fx, kHousehold, {"alice"}).empty());
}

TEST_CASE(
    "consent lifecycle: an objection revokes the grants naming the "
    "objector and excludes them") {
  auto f = ServiceFixture::Create();
  REQUIRE(f.ok());
  ServiceFixture& fx = **f;
  REQUIRE(fx.PublishDemoContent().ok());
  const std::string li = "rennes.energy.li-test";
  REQUIRE(fx.PublishDataset(
                PersonalDataset(li),
                PersonalPolicy(li, "legitimate_interest_opt_out", kResearch))
              .ok());
  const std::vector<std::string> both = GrantIds(fx, li, {"alice", "bob"});
  REQUIRE(both.size() == 1);
  const std::vector<std::string> alice_only = GrantIds(fx, li, {"alice"});
  REQUIRE(alice_only.size() == 1);

  const uint64_t before = fx.store().revision();
  auto objection = fx.GiveConsent("bob", li, kResearch, "partner-demo");
  REQUIRE(objection.ok());
  CHECK(objection->objection());
  CHECK(objection->legal_basis() ==
        accord::v1::LEGAL_BASIS_LEGITIMATE_INTEREST_OPT_OUT);
  // Only the grant naming Bob ends.
  auto revocations = ReadOwnedRevocations(fx.store(), before, 10);
  REQUIRE(revocations.ok());
  REQUIRE(revocations->size() == 1);
  CHECK((*revocations)[0].revocation.cause() == "objection");
  CHECK(std::vector<std::string>(
            (*revocations)[0].revocation.grant_ids().begin(),
            (*revocations)[0].revocation.grant_ids().end()) == both);
  // From now on Bob is left out, Alice still included.
  auto caller = fx.PartnerCaller("partner-demo");
  REQUIRE(caller.ok());
  auto next = fx.RequestGrant(*caller, Request(li, {"alice", "bob"}));
  REQUIRE(next.ok());
  REQUIRE(next->grants_size() == 1);
  CHECK(std::vector<std::string>(next->grants(0).subjects().begin(),
                                 next->grants(0).subjects().end()) ==
        std::vector<std::string>{"alice"});
  CHECK(GrantIds(fx, li, {"bob"}).empty());
}

}  // namespace
}  // namespace accord::service
