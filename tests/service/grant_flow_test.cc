// RunGrantRequest below gRPC: validation, freshness, decision, signing and
// the one commit of grants, log entries and quota uses.
#include "broker/service/grant_flow.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "clients/verifier/grant_verifier.h"
#include "tests/service/service_fixture.h"

namespace accord::service {
namespace {

using testing::kHousehold;
using testing::kTestThumbprint;
using testing::PersonalDataset;
using testing::PersonalPolicy;
using testing::ServiceFixture;

constexpr char kAudience[] = "data.rennes.example";
constexpr char kResearch[] = "research-and-development";

accord::v1::RequestGrantRequest Request(absl::string_view dataset,
                                        std::vector<std::string> subjects) {
  accord::v1::RequestGrantRequest r;
  r.set_dataset_id(std::string(dataset));
  r.set_purpose(kResearch);
  r.set_audience(kAudience);
  for (std::string& s : subjects) r.add_subjects(std::move(s));
  return r;
}

std::vector<std::string> Subjects(const accord::v1::Grant& g) {
  return {g.subjects().begin(), g.subjects().end()};
}

// The rule of the decision's quota_exceeded reason ("" when none).
std::string QuotaCode(const accord::v1::Decision& d) {
  for (const auto& r : d.reasons()) {
    if (r.code() == "quota_exceeded") return r.rule_id();
  }
  return "";
}

TEST_CASE("grant_flow: a permit is signed, recorded and logged in one commit") {
  auto f = ServiceFixture::Create();
  REQUIRE(f.ok());
  ServiceFixture& fx = **f;
  REQUIRE(fx.PublishDemoContent().ok());
  auto consent = fx.GiveConsent("alice", kHousehold, kResearch, "partner-demo");
  REQUIRE(consent.ok());
  auto caller = fx.PartnerCaller("partner-demo");
  REQUIRE(caller.ok());
  const uint64_t log_size = fx.store().LogSize();

  auto response = fx.RequestGrant(*caller, Request(kHousehold, {"alice"}));
  INFO(response.status());
  REQUIRE(response.ok());
  CHECK(response->decision().outcome() == accord::v1::OUTCOME_PERMIT);
  // The partner is never told which consent allowed it.
  CHECK(response->decision().consent_ids().empty());
  REQUIRE(response->grants_size() == 1);
  const accord::v1::Grant& out = response->grants(0);
  CHECK(Subjects(out) == std::vector<std::string>{"alice"});
  CHECK(response->revision() == fx.store().revision());
  CHECK(out.log_index() == log_size);
  CHECK(fx.store().LogSize() == log_size + 1);
  CHECK(fx.store().GetLogEntry(out.log_index()).ok());

  // The grant record, as the citizen's history and revocations read it.
  auto record = fx.store().GetGrant(out.id());
  REQUIRE(record.ok());
  CHECK(record->partner() == "partner-demo");
  CHECK(record->expires_at() == out.expires_at());
  CHECK(record->log_index() == out.log_index());
  CHECK(record->revision() == response->revision());
  CHECK(std::vector<std::string>(record->consent_ids().begin(),
                                 record->consent_ids().end()) ==
        std::vector<std::string>{consent->id()});
  auto history = fx.store().ListGrantsBySubject("alice", "", 10);
  REQUIRE(history.ok());
  REQUIRE(history->records.size() == 1);
  CHECK(history->records[0].id() == out.id());

  // The token is the grant a data service accepts.
  auto grant = fx.MakeGrantVerifier(kAudience)->VerifyForThumbprint(
      out.token(), kTestThumbprint);
  INFO(grant.status());
  REQUIRE(grant.ok());
  CHECK(grant->id == out.id());
  CHECK(grant->expires_at == out.expires_at());
  // `rev` is the revision the decision read: the one before its commit.
  CHECK(grant->revision == static_cast<int64_t>(response->revision()) - 1);
}

TEST_CASE(
    "grant_flow: a denial is logged without a grant, and errors write "
    "nothing") {
  auto f = ServiceFixture::Create();
  REQUIRE(f.ok());
  ServiceFixture& fx = **f;
  REQUIRE(fx.PublishDemoContent().ok());
  auto caller = fx.PartnerCaller("partner-demo");
  REQUIRE(caller.ok());

  // Nobody consented: a DENY, recorded in the log, and no grant.
  uint64_t revision = fx.store().revision();
  uint64_t log_size = fx.store().LogSize();
  auto denied = fx.RequestGrant(*caller, Request(kHousehold, {"bob"}));
  REQUIRE(denied.ok());
  CHECK(denied->decision().outcome() == accord::v1::OUTCOME_DENY);
  CHECK(denied->grants().empty());
  CHECK(denied->revision() == revision + 1);
  CHECK(fx.store().LogSize() == log_size + 1);
  CHECK(fx.store().ListGrantsBySubject("bob", "", 10)->records.empty());

  // Errors: refused before anything is written.
  revision = fx.store().revision();
  log_size = fx.store().LogSize();
  accord::v1::RequestGrantRequest too_long = Request(kHousehold, {"bob"});
  too_long.set_lifetime_seconds(fx.config().max_grant_lifetime_seconds + 1);
  CHECK(absl::IsInvalidArgument(fx.RequestGrant(*caller, too_long).status()));
  CHECK(absl::IsNotFound(
      fx.RequestGrant(*caller, Request("rennes.nothing", {"bob"})).status()));
  CHECK(absl::IsInvalidArgument(
      fx.RequestGrant(*caller, Request(kHousehold, {})).status()));
  // A call whose deadline passed while its write set was queued: nothing
  // is written, no grant comes back.
  REQUIRE(fx.GiveConsent("carol", kHousehold, kResearch, "partner-demo").ok());
  revision = fx.store().revision();
  log_size = fx.store().LogSize();
  auto late = fx.RequestGrant(*caller, Request(kHousehold, {"carol"}),
                              absl::InfinitePast());
  CHECK(absl::IsDeadlineExceeded(late.status()));
  CHECK(fx.store().ListGrantsBySubject("carol", "", 10)->records.empty());
  // A revision the store has not reached.
  accord::v1::RequestGrantRequest ahead = Request(kHousehold, {"carol"});
  ahead.set_at_least_as_fresh(revision + 5);
  accord::v1::RequestGrantResponse response;
  absl::Status outcome;
  absl::Notification done;
  RunFreshGrantRequest(
      fx.env(), *caller, ahead, &response,
      [&](absl::Status s) {
        outcome = s;
        done.Notify();
      },
      absl::InfiniteFuture());
  done.WaitForNotification();
  CHECK(absl::IsUnavailable(outcome));
  CHECK(fx.store().revision() == revision);
  CHECK(fx.store().LogSize() == log_size);
}

TEST_CASE(
    "grant_flow: a quota is spent once per grant issued, never by a "
    "denial") {
  BrokerConfig config;
  config.max_subjects_per_grant = 2;
  auto f = ServiceFixture::Create(config);
  REQUIRE(f.ok());
  ServiceFixture& fx = **f;
  REQUIRE(fx.PublishDemoContent().ok());
  const std::string dataset = "rennes.energy.quota-test";
  REQUIRE(fx.PublishDataset(
                PersonalDataset(dataset),
                PersonalPolicy(dataset, "consent", kResearch, "three-a-day", 3))
              .ok());
  for (const char* s : {"alice", "bob", "carol"}) {
    REQUIRE(fx.GiveConsent(s, dataset, kResearch, "partner-demo").ok());
  }
  auto caller = fx.PartnerCaller("partner-demo");
  REQUIRE(caller.ok());

  // Denied by the policy (no consent) and refused for a passed deadline:
  // neither spends any of the quota.
  auto nobody = fx.RequestGrant(*caller, Request(dataset, {"dave"}));
  REQUIRE(nobody.ok());
  CHECK(nobody->decision().outcome() == accord::v1::OUTCOME_DENY);
  CHECK(QuotaCode(nobody->decision()).empty());
  CHECK(absl::IsDeadlineExceeded(fx.RequestGrant(*caller,
                                                 Request(dataset, {"alice"}),
                                                 absl::InfinitePast())
                                     .status()));

  // Three subjects, two per grant: two grants, two of the three uses.
  auto two =
      fx.RequestGrant(*caller, Request(dataset, {"alice", "bob", "carol"}));
  REQUIRE(two.ok());
  CHECK(two->decision().outcome() == accord::v1::OUTCOME_PERMIT);
  REQUIRE(two->grants_size() == 2);
  CHECK(Subjects(two->grants(0)) == std::vector<std::string>{"alice", "bob"});
  CHECK(Subjects(two->grants(1)) == std::vector<std::string>{"carol"});

  // The last use, raced for by two requests: the writer lets exactly one
  // through; the other is a DENY naming the rule, logged, with no grant.
  const uint64_t log_size = fx.store().LogSize();
  accord::v1::RequestGrantRequest first = Request(dataset, {"alice"});
  accord::v1::RequestGrantRequest second = Request(dataset, {"bob"});
  accord::v1::RequestGrantResponse responses[2];
  absl::Status outcomes[2];
  absl::Notification done[2];
  const accord::v1::RequestGrantRequest* requests[2] = {&first, &second};
  for (int i = 0; i < 2; ++i) {
    RunGrantRequest(fx.env(), *caller, *requests[i], &responses[i],
                    [&outcomes, &done, i](absl::Status s) {
                      outcomes[i] = s;
                      done[i].Notify();
                    });
  }
  int permits = 0;
  int quota_denials = 0;
  for (int i = 0; i < 2; ++i) {
    done[i].WaitForNotification();
    REQUIRE(outcomes[i].ok());
    const accord::v1::Decision& d = responses[i].decision();
    if (d.outcome() == accord::v1::OUTCOME_PERMIT) {
      ++permits;
      CHECK(responses[i].grants_size() == 1);
    } else {
      ++quota_denials;
      CHECK(QuotaCode(d) == "three-a-day");
      CHECK(responses[i].grants().empty());
      CHECK(d.fields().empty());
    }
  }
  CHECK(permits == 1);
  CHECK(quota_denials == 1);
  // One entry for the grant, one for the denial.
  CHECK(fx.store().LogSize() == log_size + 2);

  // Used up for today...
  auto used_up = fx.RequestGrant(*caller, Request(dataset, {"carol"}));
  REQUIRE(used_up.ok());
  CHECK(QuotaCode(used_up->decision()) == "three-a-day");
  // ... and available again in the next day's window, by the clock.
  fx.clock().Advance(absl::Hours(24));
  auto next_day = fx.RequestGrant(*caller, Request(dataset, {"carol"}));
  REQUIRE(next_day.ok());
  CHECK(next_day->decision().outcome() == accord::v1::OUTCOME_PERMIT);
  CHECK(next_day->grants_size() == 1);
}

}  // namespace
}  // namespace accord::service
