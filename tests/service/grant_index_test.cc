// The grant indexes (store/grant_index.h), written off the commit path by
// the indexer: every read of them sees each committed grant, whether the
// indexer has reached it or not; rebuilt from the log, they are what the
// indexer wrote; and an erasure while the indexer is behind leaves no
// entry of the erased subject.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/service/audit_events.h"
#include "broker/service/audited_store.h"
#include "broker/store/keys.h"
#include "broker/store/store.h"
#include "broker/testing/temp_dir.h"
#include "broker/testing/wait.h"
#include "tests/store_scan.h"

namespace accord::service {
namespace {

constexpr int64_t kStart = 1700000000;
constexpr int64_t kLifetime = 3600;
const char* const kPartners[] = {"partner-a", "partner-b"};
const char* const kDatasets[] = {"d1", "d2"};
const char* const kSubjects[] = {"c2ViamVjdC0w", "c2ViamVjdC0x", "c2ViamVjdC0y",
                                 "c2ViamVjdC0z"};

template <typename T, size_t N>
const T& Pick(std::mt19937& rng, const T (&from)[N]) {
  return from[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}

// What the test committed, by grant id.
using Grants = std::map<std::string, store::GrantRecord>;

// Commits `count` grants, one or two subjects each, a fifth of them
// released by a later write (a second log entry naming the grant).
void CommitGrants(store::Store& store, std::mt19937& rng, int count,
                  Grants& grants) {
  int64_t clock = kStart + static_cast<int64_t>(grants.size());
  for (int i = 0; i < count; ++i) {
    clock += std::uniform_int_distribution<int64_t>(0, 2)(rng);
    store::GrantRecord g;
    g.set_id(absl::StrCat("g", grants.size()));
    g.set_partner(Pick(rng, kPartners));
    g.set_dataset_id(Pick(rng, kDatasets));
    g.set_purpose("research");
    g.set_issued_at(clock);
    g.set_expires_at(clock + kLifetime);
    g.add_subjects(Pick(rng, kSubjects));
    if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
      const std::string other = Pick(rng, kSubjects);
      if (other != g.subjects(0)) g.add_subjects(other);
    }
    accord::v1::Decision decision;
    decision.set_outcome(accord::v1::OUTCOME_PERMIT);
    store::WriteSet ws;
    ws.PutGrant(g);
    ws.AddAuditEvent(DecisionEvent(
        g.partner(), g.dataset_id(), g.purpose(), decision, g.id(),
        {g.subjects().begin(), g.subjects().end()}, clock));
    REQUIRE(store.CommitAndWait(std::move(ws)).ok());
    if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) {
      store::GrantRecord stored = *store.GetGrant(g.id());
      stored.set_released_at(clock);
      accord::v1::AuditEvent release;
      release.set_type(accord::v1::EVENT_TYPE_GRANT_RELEASE);
      release.set_actor(g.partner());
      release.set_grant_id(g.id());
      release.set_time(clock);
      store::WriteSet rs;
      rs.PutGrant(stored);
      rs.AddAuditEvent(release);
      REQUIRE(store.CommitAndWait(std::move(rs)).ok());
      g.set_released_at(clock);
    }
    grants[g.id()] = g;
  }
}

bool Names(const store::GrantRecord& g, const std::string& subject) {
  return std::find(g.subjects().begin(), g.subjects().end(), subject) !=
         g.subjects().end();
}

// The ids of the grants naming `subject`, in the order of its 'G' list.
std::vector<std::string> ExpectedOfSubject(const Grants& grants,
                                           const std::string& subject) {
  std::map<std::string, std::string> by_key;
  for (const auto& [id, g] : grants) {
    if (Names(g, subject)) {
      by_key[store::keys::GrantBySubject(subject, g.issued_at(), id)] = id;
    }
  }
  std::vector<std::string> ids;
  for (const auto& [key, id] : by_key) ids.push_back(id);
  return ids;
}

std::vector<std::string> ListedOfSubject(const store::Store& store,
                                         const std::string& subject) {
  std::vector<std::string> ids;
  std::string cursor;
  do {
    auto page = store.ListGrantsBySubject(subject, cursor, 7);
    REQUIRE(page.ok());
    for (const store::GrantRecord& g : page->records) ids.push_back(g.id());
    cursor = page->next_cursor;
  } while (!cursor.empty());
  return ids;
}

// Every read of the grant indexes agrees with `grants`.
void CheckReads(const store::Store& store, const Grants& grants) {
  const int64_t mid = kStart + static_cast<int64_t>(grants.size()) / 2;
  for (const char* subject : kSubjects) {
    INFO(subject);
    CHECK(ListedOfSubject(store, subject) ==
          ExpectedOfSubject(grants, subject));
    for (const char* dataset : kDatasets) {
      std::vector<std::string> want;
      for (const std::string& id : ExpectedOfSubject(grants, subject)) {
        const store::GrantRecord& g = grants.at(id);
        if (g.dataset_id() == dataset && g.issued_at() >= mid) {
          want.push_back(id);
        }
      }
      std::reverse(want.begin(), want.end());
      auto ids = store.GrantIdsForSubjectAndDataset(subject, dataset, mid);
      REQUIRE(ids.ok());
      CHECK(*ids == want);
    }
  }
  for (const char* partner : kPartners) {
    INFO(partner);
    std::map<std::string, std::string> by_key;
    for (const auto& [id, g] : grants) {
      if (g.partner() == partner && g.issued_at() >= mid &&
          g.released_at() == 0) {
        by_key[store::keys::GrantByPartner(partner, g.issued_at(), id)] = id;
      }
    }
    std::vector<std::string> want;
    for (const auto& [key, id] : by_key) want.push_back(id);
    auto live = store.LiveGrantsOfPartner(partner, mid, kStart);
    REQUIRE(live.ok());
    std::vector<std::string> got;
    for (const store::GrantRecord& g : *live) got.push_back(g.id());
    CHECK(got == want);
  }
}

size_t CountWithPrefix(const std::vector<std::string>& entries,
                       absl::string_view prefix) {
  return static_cast<size_t>(std::count_if(
      entries.begin(), entries.end(),
      [&](const std::string& e) { return absl::StartsWith(e, prefix); }));
}

TEST_CASE(
    "the grant indexes: reads see the grants the indexer has not reached, "
    "and a rebuild from the log writes what the indexer wrote") {
  std::mt19937 rng(testing::TestSeed("grant indexes off the commit path"));
  accord::testing::TempDir dir;
  const std::string db = dir.sub("db");
  Grants grants;
  {
    auto opened = OpenAuditedStore(db, store::StoreOptions());
    REQUIRE(opened.ok());
    CommitGrants(*opened->store, rng, 400, grants);
    // While the indexer runs, whatever it has reached.
    CheckReads(*opened->store, grants);
    REQUIRE(opened->store
                ->WaitForEventIndex(opened->store->LogSize(), absl::Minutes(1))
                .ok());
    CheckReads(*opened->store, grants);
  }
  const std::vector<std::string> indexed =
      accord::testing::DerivedIndexEntries(db);
  CHECK(CountWithPrefix(indexed, "G") > 400);
  CHECK(CountWithPrefix(indexed, "P") == 400);
  accord::testing::DropDerivedIndexes(db);
  {
    // Read-only, nothing indexes: every grant comes from the log's tail.
    auto unindexed = accord::testing::OpenReadOnlyStore(db);
    CHECK(unindexed->EventIndexSize() == 0);
    CheckReads(*unindexed, grants);
  }
  {
    auto opened = OpenAuditedStore(db, store::StoreOptions());
    REQUIRE(opened.ok());
    CheckReads(*opened->store, grants);
    REQUIRE(opened->store
                ->WaitForEventIndex(opened->store->LogSize(), absl::Minutes(1))
                .ok());
  }
  CHECK(accord::testing::DerivedIndexEntries(db) == indexed);
}

TEST_CASE(
    "an erasure while the indexer is behind leaves no grant index entry of "
    "the subject") {
  std::mt19937 rng(testing::TestSeed("erasure while the indexer is behind"));
  accord::testing::TempDir dir;
  const std::string db = dir.sub("db");
  Grants grants;
  {
    auto opened = OpenAuditedStore(db, store::StoreOptions());
    REQUIRE(opened.ok());
    CommitGrants(*opened->store, rng, 3000, grants);
  }
  accord::testing::DropDerivedIndexes(db);
  const std::string erased = kSubjects[0];
  const std::string erased_prefix = store::keys::GrantBySubjectPrefix(erased);
  {
    auto opened = OpenAuditedStore(db, store::StoreOptions());
    REQUIRE(opened.ok());
    store::Store& store = *opened->store;
    // The indexer starts from the first entry as the erasure commits.
    INFO("indexed when the erasure was submitted: "
         << store.EventIndexSize() << " of " << store.LogSize());
    store::WriteSet ws;
    ws.EraseSubject(erased, kStart + 10000);
    REQUIRE(store.CommitAndWait(std::move(ws)).ok());
    REQUIRE(store.WaitForEventIndex(store.LogSize(), absl::Minutes(1)).ok());
    for (auto& [id, g] : grants) {
      auto* subjects = g.mutable_subjects();
      auto at = std::find(subjects->begin(), subjects->end(), erased);
      if (at != subjects->end()) subjects->erase(at);
      CHECK(!Names(*store.GetGrant(id), erased));
    }
    CHECK(ListedOfSubject(store, erased).empty());
    CheckReads(store, grants);
  }
  const std::vector<std::string> entries =
      accord::testing::DerivedIndexEntries(db);
  CHECK(CountWithPrefix(entries, erased_prefix) == 0);
  CHECK(CountWithPrefix(entries, "G") > 1000);
}

}  // namespace
}  // namespace accord::service
