// Retention: with a short retention and a clock moved forward (never a
// sleep), the sweeper deletes ended consents and expired grants with their
// index entries, keeps live ones, and leaves the audit log as it was.
#include "broker/service/sweeper.h"

#include <catch2/catch.hpp>
#include <string>

#include "broker/service/audit_events.h"
#include "broker/service/audited_store.h"
#include "broker/service/clock.h"
#include "broker/testing/temp_dir.h"

namespace accord::service {
namespace {

constexpr int64_t kNow = 1'700'000'000;
constexpr char kDataset[] = "rennes.energy.household-consumption";

accord::v1::Consent ConsentOf(const std::string& id, const std::string& subject,
                              bool withdrawn) {
  accord::v1::Consent c;
  c.set_id(id);
  c.set_subject(subject);
  c.set_dataset_id(kDataset);
  c.set_purpose("research-and-development");
  c.mutable_recipient()->set_partner("partner-demo");
  c.set_given_at(kNow - 100);
  c.set_state(accord::v1::CONSENT_STATE_GIVEN);
  auto* given = c.add_events();
  given->set_state(accord::v1::CONSENT_STATE_GIVEN);
  given->set_at(kNow - 100);
  if (withdrawn) {
    c.set_state(accord::v1::CONSENT_STATE_WITHDRAWN);
    auto* w = c.add_events();
    w->set_state(accord::v1::CONSENT_STATE_WITHDRAWN);
    w->set_at(kNow - 50);
  }
  return c;
}

store::GrantRecord GrantOf(const std::string& id, const std::string& subject,
                           int64_t expires_at) {
  store::GrantRecord g;
  g.set_id(id);
  g.set_partner("partner-demo");
  g.set_dataset_id(kDataset);
  g.set_purpose("research-and-development");
  g.add_subjects(subject);
  g.set_issued_at(kNow - 60);
  g.set_expires_at(expires_at);
  return g;
}

TEST_CASE("retention deletes ended consents and expired grants, not the log",
          "[sweeper]") {
  ::accord::testing::TempDir dir;
  auto opened = OpenAuditedStore(dir.path() + "/db", store::StoreOptions());
  REQUIRE(opened.ok());
  store::Store& store = *opened->store;

  store::WriteSet ws;
  const auto ended = ConsentOf("consent-ended", "c3ViamVjdC1h", true);
  const auto live = ConsentOf("consent-live", "c3ViamVjdC1h", false);
  for (const auto& c : {ended, live}) {
    ws.PutConsent(c);
    ws.AddAuditEvent(ConsentChangeEvent(c, c.state(), kNow));
  }
  ws.PutGrant(GrantOf("grant-expired", "c3ViamVjdC1h", kNow + 3600));
  ws.PutGrant(GrantOf("grant-later", "c3ViamVjdC1h", kNow + 5 * 86400));
  // Each grant with the entry that issued it (its index entries follow
  // from it, store/grant_index.h).
  for (const char* id : {"grant-expired", "grant-later"}) {
    accord::v1::AuditEvent decision;
    decision.set_type(accord::v1::EVENT_TYPE_DECISION);
    decision.set_grant_id(id);
    ws.AddAuditEvent(decision);
  }
  REQUIRE(store.CommitAndWait(std::move(ws)).ok());
  const uint64_t log_size = store.LogSize();
  const auditlog::Hash root = opened->log->Root();

  FakeClock clock(absl::FromUnixSeconds(kNow));
  Sweeper::Options options;
  options.consent_retention = absl::Hours(24);
  options.grant_retention = absl::Hours(24);
  options.batch = 1;  // one record per write set: the batches add up
  Sweeper sweeper(&store, &clock, options);

  // Within retention: nothing goes.
  auto none = sweeper.SweepOnce();
  REQUIRE(none.ok());
  CHECK(*none == 0);

  clock.Advance(absl::Hours(24 * 2));
  auto swept = sweeper.SweepOnce();
  REQUIRE(swept.ok());
  CHECK(*swept == 2);
  CHECK(absl::IsNotFound(store.GetConsent("consent-ended").status()));
  CHECK(store.GetConsent("consent-live").ok());
  CHECK(absl::IsNotFound(store.GetGrant("grant-expired").status()));
  CHECK(store.GetGrant("grant-later").ok());
  auto listed = store.ListConsentsBySubject("c3ViamVjdC1h", "", "", 0);
  REQUIRE(listed.ok());
  REQUIRE(listed->records.size() == 1);
  CHECK(listed->records[0].id() == "consent-live");
  auto for_decision = store.ConsentsForSubjects(kDataset, {"c3ViamVjdC1h"});
  REQUIRE(for_decision.ok());
  REQUIRE(for_decision->size() == 1);
  CHECK(for_decision->at(0).id() == "consent-live");
  auto grants = store.ListGrantsBySubject("c3ViamVjdC1h", "", 0);
  REQUIRE(grants.ok());
  REQUIRE(grants->records.size() == 1);
  CHECK(grants->records[0].id() == "grant-later");

  // The log is untouched: same size, same root, and it still loads and
  // matches its stored nodes when the store is opened again.
  CHECK(store.LogSize() == log_size);
  CHECK(opened->log->Root() == root);
  opened->store->Close();
  opened->store.reset();
  opened->log.reset();
  auto reopened = OpenAuditedStore(dir.path() + "/db", store::StoreOptions());
  REQUIRE(reopened.ok());
  CHECK(reopened->log->Root() == root);
  CHECK(reopened->store->LogSize() == log_size);
  for (uint64_t i = 0; i < log_size; ++i) {
    CHECK(reopened->store->GetLogEntry(i).ok());
  }

  // Later still, the grant and the live consent's records stay or go by
  // their own dates: the live consent never goes.
  clock.Advance(absl::Hours(24 * 10));
  Sweeper later(reopened->store.get(), &clock, options);
  auto rest = later.SweepOnce();
  REQUIRE(rest.ok());
  CHECK(*rest == 1);
  CHECK(reopened->store->GetConsent("consent-live").ok());
}

}  // namespace
}  // namespace accord::service

namespace accord::service {
namespace {

// A write set that records only the answer to client request `id`,
// created at `created_at`.
store::WriteSet AnswerOf(const std::string& id, int64_t created_at) {
  store::WriteSet ws;
  store::WriteSet::ClientRequestOp op;
  op.caller = "partner-demo";
  op.method = "/accord.v1.AccessService/ReleaseGrant";
  op.id = id;
  op.request_digest = "digest";
  op.created_at = created_at;
  op.response = [](uint64_t revision, const std::vector<uint64_t>&) {
    return std::to_string(revision);
  };
  ws.RecordClientRequest(std::move(op));
  return ws;
}

TEST_CASE("answers kept for retries are swept after their window, in batches",
          "[sweeper]") {
  ::accord::testing::TempDir dir;
  auto opened = OpenAuditedStore(dir.path() + "/db", store::StoreOptions());
  REQUIRE(opened.ok());
  store::Store& store = *opened->store;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(store
                .CommitAndWait(
                    AnswerOf("old-" + std::to_string(i), kNow - 2 * 86400))
                .ok());
  }
  auto fresh = store.CommitAndWait(AnswerOf("fresh", kNow - 10));
  REQUIRE(fresh.ok());
  // The response is what the write set's revision made it.
  auto kept = store.GetClientRequest(
      "partner-demo", "/accord.v1.AccessService/ReleaseGrant", "fresh");
  REQUIRE(kept.ok());
  CHECK(kept->response() == std::to_string(fresh->revision));
  CHECK(kept->revision() == fresh->revision);
  // A second record of the same id is refused by the writer, writing
  // nothing.
  const uint64_t revision = store.revision();
  auto again = store.CommitAndWait(AnswerOf("fresh", kNow));
  CHECK(absl::IsAborted(again.status()));
  CHECK(again.status().message().find("client_request_id") !=
        std::string::npos);
  CHECK(store.revision() == revision);

  FakeClock clock(absl::FromUnixSeconds(kNow));
  Sweeper::Options options;
  options.request_id_window = absl::Hours(24);
  options.batch = 2;
  Sweeper sweeper(&store, &clock, options);
  auto swept = sweeper.SweepOnce();
  REQUIRE(swept.ok());
  CHECK(*swept == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(absl::IsNotFound(
        store
            .GetClientRequest("partner-demo",
                              "/accord.v1.AccessService/ReleaseGrant",
                              "old-" + std::to_string(i))
            .status()));
  }
  CHECK(store
            .GetClientRequest("partner-demo",
                              "/accord.v1.AccessService/ReleaseGrant", "fresh")
            .ok());
  // Swept, an id is free again.
  CHECK(store.CommitAndWait(AnswerOf("old-0", kNow)).ok());
}

}  // namespace
}  // namespace accord::service
