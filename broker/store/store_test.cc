#include "broker/store/store.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <numeric>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/store/store_test_util.h"

namespace accord::store {
namespace {

using testing::AddGrant;
using testing::EntryLabel;
using testing::MakeDataset;
using testing::RecordingAppender;
using testing::TempDir;
using testing::WithLog;

TEST_CASE("records round-trip, revisions are stamped, data survives reopen") {
  TempDir dir;
  RecordingAppender log;
  {
    auto store = Store::Open(dir.sub("db"), {});
    REQUIRE(store.ok());
    (*store)->SetLogAppender(&log);
    WriteSet ws;
    ws.PutDataset(MakeDataset("d1"));
    AddGrant(ws, "g1", "d1", 100);
    auto r = (*store)->CommitAndWait(std::move(ws));
    REQUIRE(r.ok());
    CHECK(r->revision == 1);
    REQUIRE(r->log_indices.size() == 1);
    CHECK(r->log_indices[0] == 0);
    CHECK((*store)->revision() == 1);
    auto d = (*store)->GetDataset("d1");
    REQUIRE(d.ok());
    CHECK(d->revision() == 1);
    auto grant = (*store)->GetGrant("g1");
    REQUIRE(grant.ok());
    CHECK(grant->log_index() == 0);
    CHECK(grant->revision() == 1);
    CHECK((*store)->LogSize() == 1);
    CHECK(EntryLabel((*store)->GetLogEntry(0)) == "g1@1");
    CHECK((*store)->GetTreeNode(0, 0).ok());
    CHECK(log.committed() == 1);
  }
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  CHECK((*store)->revision() == 1);
  CHECK((*store)->LogSize() == 1);
  CHECK((*store)->GetDataset("d1").ok());
  CHECK(absl::IsNotFound((*store)->GetDataset("nope").status()));
  auto history = (*store)->ListGrantsBySubject("alice", "", 10);
  REQUIRE(history.ok());
  CHECK(history->records.size() == 1);
  auto ids = (*store)->GrantIdsForSubjectAndDataset("alice", "d1", 50);
  REQUIRE(ids.ok());
  CHECK(*ids == std::vector<std::string>{"g1"});
  CHECK((*store)->GrantIdsForSubjectAndDataset("alice", "d1", 101)->empty());
}

TEST_CASE("the store reports its free space and its reserve") {
  TempDir dir;
  StoreOptions options;
  options.min_free_bytes = 12345;
  auto store = Store::Open(dir.sub("db"), options);
  REQUIRE(store.ok());
  CHECK((*store)->min_free_bytes() == 12345);
  auto free_bytes = (*store)->FreeBytes();
  REQUIRE(free_bytes.ok());
  CHECK(*free_bytes > 0);
  auto defaults = Store::Open(dir.sub("db2"), {});
  REQUIRE(defaults.ok());
  CHECK((*defaults)->min_free_bytes() == StoreOptions{}.min_free_bytes);
}

TEST_CASE("a write set with audit events needs a log") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  WriteSet ws;
  ws.AddAuditEvent(accord::v1::AuditEvent());
  auto r = (*store)->CommitAndWait(std::move(ws));
  CHECK(absl::IsFailedPrecondition(r.status()));
  CHECK((*store)->revision() == 0);
  // Write sets without events are not held back by it.
  WriteSet plain;
  plain.PutDataset(MakeDataset("d"));
  auto ok = (*store)->CommitAndWait(std::move(plain));
  REQUIRE(ok.ok());
  CHECK(ok->revision == 1);
  CHECK(ok->log_indices.empty());
}

TEST_CASE("a closed store refuses writes and stops waiters") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  WriteSet ws;
  ws.PutDataset(MakeDataset("d"));
  int called = 0;
  bool ok = false;
  (*store)->Commit(std::move(ws), [&](absl::StatusOr<CommitResult> r) {
    ok = r.ok();
    ++called;
  });
  (*store)->Close();  // drains the pending write first
  CHECK(called == 1);
  CHECK(ok);
  CHECK((*store)->revision() == 1);
  CHECK(absl::IsUnavailable((*store)->WaitForRevision(2, absl::Seconds(5))));
  CHECK(absl::IsUnavailable((*store)->CommitAndWait(WriteSet()).status()));
  (*store)->Close();  // idempotent
}

TEST_CASE("consents: events, indexes by subject and by dataset") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  for (int i = 0; i < 3; ++i) {
    accord::v1::Consent c;
    c.set_id(absl::StrCat("c", i));
    c.set_subject(i < 2 ? "alice" : "bob");
    c.set_dataset_id(i == 1 ? "d2" : "d1");
    c.set_state(accord::v1::CONSENT_STATE_GIVEN);
    c.add_events()->set_state(accord::v1::CONSENT_STATE_GIVEN);
    WriteSet ws;
    ws.PutConsent(c);
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  }
  auto c0 = (*store)->GetConsent("c0");
  REQUIRE(c0.ok());
  REQUIRE(c0->events_size() == 1);
  CHECK(c0->events(0).revision() == 1);
  c0->set_state(accord::v1::CONSENT_STATE_WITHDRAWN);
  c0->add_events()->set_state(accord::v1::CONSENT_STATE_WITHDRAWN);
  WriteSet ws;
  ws.PutConsent(*c0);
  REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  auto again = (*store)->GetConsent("c0");
  REQUIRE(again->events_size() == 2);
  CHECK(again->events(0).revision() == 1);
  CHECK(again->events(1).revision() == 4);

  auto alice = (*store)->ListConsentsBySubject("alice", "", "", 10);
  REQUIRE(alice.ok());
  CHECK(alice->records.size() == 2);
  auto alice_d1 = (*store)->ListConsentsBySubject("alice", "d1", "", 10);
  CHECK(alice_d1->records.size() == 1);
  std::vector<std::string> subjects = {"alice", "bob", "carol"};
  auto for_d1 = (*store)->ConsentsForSubjects("d1", subjects);
  REQUIRE(for_d1.ok());
  REQUIRE(for_d1->size() == 2);
  CHECK(for_d1->at(0).id() == "c0");
  // Any state, current in the record; events are not read for decisions.
  CHECK(for_d1->at(0).state() == accord::v1::CONSENT_STATE_WITHDRAWN);
  CHECK(for_d1->at(0).events_size() == 0);
  CHECK(for_d1->at(1).id() == "c2");
  CHECK((*store)->ConsentsForSubjects("d3", subjects)->empty());
  CHECK(absl::IsNotFound((*store)->GetConsent("c9").status()));
}

TEST_CASE("a subject's consents page, with and without a dataset") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  WriteSet ws;
  for (int i = 0; i < 7; ++i) {
    accord::v1::Consent c;
    c.set_id(absl::StrCat("c", i));
    c.set_subject(i == 6 ? "bob" : "alice");
    c.set_dataset_id(i % 2 == 0 ? "d1" : "d2");
    ws.PutConsent(c);
  }
  REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  auto count = [&](absl::string_view dataset) {
    std::set<std::string> ids;
    std::string cursor;
    do {
      auto page = (*store)->ListConsentsBySubject("alice", dataset, cursor, 2);
      REQUIRE(page.ok());
      CHECK(page->records.size() <= 2);
      for (const auto& c : page->records) ids.insert(c.id());
      cursor = page->next_cursor;
    } while (!cursor.empty());
    return ids.size();
  };
  CHECK(count("") == 6);
  CHECK(count("d1") == 3);
  CHECK(count("d2") == 3);
  // A cursor names its list: another subject's list refuses it.
  auto page = (*store)->ListConsentsBySubject("alice", "", "", 2);
  REQUIRE(!page->next_cursor.empty());
  CHECK(absl::IsInvalidArgument(
      (*store)
          ->ListConsentsBySubject("bob", "", page->next_cursor, 2)
          .status()));
  // So does the same subject's list for another dataset.
  auto d1 = (*store)->ListConsentsBySubject("alice", "d1", "", 2);
  REQUIRE(!d1->next_cursor.empty());
  CHECK(absl::IsInvalidArgument(
      (*store)
          ->ListConsentsBySubject("alice", "d2", d1->next_cursor, 2)
          .status()));
  CHECK(absl::IsInvalidArgument(
      (*store)
          ->ListConsentsBySubject("alice", "", d1->next_cursor, 2)
          .status()));
}

TEST_CASE("lists page with cursors and never truncate silently") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  for (int i = 0; i < 25; ++i) {
    WriteSet ws;
    ws.PutDataset(MakeDataset(absl::StrCat("d", 100 + i)));
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  }
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = (*store)->ListDatasets(cursor, 10);
    REQUIRE(page.ok());
    for (const auto& d : page->records) seen.insert(d.id());
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty());
  CHECK(seen.size() == 25);
  CHECK(pages == 3);
  CHECK(absl::IsInvalidArgument((*store)->ListDatasets("!!", 10).status()));
}

TEST_CASE("principals are found by certificate, and forgotten on removal") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  accord::v1::Principal p;
  p.set_id("partner-a");
  p.set_role(accord::v1::ROLE_PARTNER);
  p.set_certificate_uri("urn:x:a");
  WriteSet ws;
  ws.PutPrincipal(p);
  REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  CHECK((*store)->FindPrincipalByCertificate("urn:x:a", "").ok());
  p.set_certificate_uri("urn:x:b");
  WriteSet replace;
  replace.PutPrincipal(p);
  REQUIRE((*store)->CommitAndWait(std::move(replace)).ok());
  CHECK(absl::IsNotFound(
      (*store)->FindPrincipalByCertificate("urn:x:a", "").status()));
  CHECK((*store)->FindPrincipalByCertificate("urn:x:b", "").ok());
  WriteSet remove;
  remove.DeletePrincipal("partner-a");
  REQUIRE((*store)->CommitAndWait(std::move(remove)).ok());
  CHECK(absl::IsNotFound(
      (*store)->FindPrincipalByCertificate("urn:x:b", "").status()));
  CHECK(absl::IsNotFound((*store)->GetPrincipal("partner-a").status()));
}

TEST_CASE("principals: by fingerprint, within one batch, listed by id") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  // Two changes of one principal in one write: the first URI is forgotten.
  accord::v1::Principal p;
  p.set_id("p1");
  p.set_certificate_uri("urn:old");
  p.set_certificate_sha256("aa11");
  WriteSet ws;
  ws.PutPrincipal(p);
  p.set_certificate_uri("urn:new");
  ws.PutPrincipal(p);
  accord::v1::Principal q;
  q.set_id("p0");
  q.set_certificate_sha256("bb22");
  ws.PutPrincipal(q);
  REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  CHECK(absl::IsNotFound(
      (*store)->FindPrincipalByCertificate("urn:old", "").status()));
  CHECK((*store)->FindPrincipalByCertificate("urn:new", "")->id() == "p1");
  CHECK((*store)->FindPrincipalByCertificate("", "aa11")->id() == "p1");
  CHECK((*store)->FindPrincipalByCertificate("urn:unknown", "bb22")->id() ==
        "p0");
  CHECK(
      absl::IsNotFound((*store)->FindPrincipalByCertificate("", "").status()));
  CHECK((*store)->GetPrincipal("p1")->revision() == 1);
  auto all = (*store)->ListPrincipals("", 10);
  REQUIRE(all.ok());
  REQUIRE(all->records.size() == 2);
  CHECK(all->records[0].id() == "p0");
  CHECK(all->next_cursor.empty());
}

TEST_CASE("concurrent commits get unique, contiguous revisions") {
  TempDir dir;
  RecordingAppender log;
  // What the writer reports of its group commits.
  std::atomic<size_t> reported{0};
  std::atomic<size_t> largest{0};
  std::atomic<int> odd_times{0};
  StoreOptions options = WithLog(&log);
  options.on_commit = [&](const CommitStats& c) {
    reported += c.write_sets;
    if (c.write_sets > largest) largest = c.write_sets;
    if (c.queued < absl::ZeroDuration() || c.write <= absl::ZeroDuration()) {
      ++odd_times;
    }
  };
  auto store = Store::Open(dir.sub("db"), options);
  REQUIRE(store.ok());
  constexpr int kThreads = 8;
  constexpr int kEach = 500;
  constexpr int kTotal = kThreads * kEach;
  absl::Mutex mu;
  std::vector<int> calls(kTotal, 0);
  std::set<uint64_t> revisions;
  std::set<uint64_t> indices;
  int failures = 0;
  int unreadable = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const int n = t * kEach + i;
        WriteSet ws;
        ws.PutDataset(MakeDataset(absl::StrCat("d", n)));
        ws.AddAuditEvent(accord::v1::AuditEvent());
        (*store)->Commit(std::move(ws), [&, n](absl::StatusOr<CommitResult> r) {
          // Read your writes: the record is visible once the callback runs.
          const bool readable = (*store)->GetDataset(absl::StrCat("d", n)).ok();
          absl::MutexLock l(&mu);
          ++calls[n];
          if (!r.ok()) {
            ++failures;
            return;
          }
          if (!readable) ++unreadable;
          revisions.insert(r->revision);
          if (r->log_indices.size() == 1) indices.insert(r->log_indices[0]);
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE((*store)->WaitForRevision(kTotal, absl::Seconds(60)).ok());
  // The revision is published before the callbacks of its batch run.
  absl::MutexLock l(&mu);
  auto all_called = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return std::accumulate(calls.begin(), calls.end(), 0) >= kTotal;
  };
  REQUIRE(mu.AwaitWithTimeout(absl::Condition(&all_called), absl::Seconds(60)));
  CHECK(failures == 0);
  CHECK(unreadable == 0);
  CHECK(std::count(calls.begin(), calls.end(), 1) == kTotal);
  REQUIRE(revisions.size() == kTotal);
  CHECK(*revisions.begin() == 1);
  CHECK(*revisions.rbegin() == kTotal);
  REQUIRE(indices.size() == kTotal);
  CHECK(*indices.rbegin() == kTotal - 1);
  CHECK((*store)->LogSize() == kTotal);
  CHECK(log.committed() == kTotal);
  CHECK(log.mismatches() == 0);
  // Every write set was reported once, in group commits of more than one.
  CHECK(reported == kTotal);
  CHECK(largest > 1);
  CHECK(odd_times == 0);
  for (int n = 0; n < kTotal; n += 97) {
    CHECK((*store)->GetDataset(absl::StrCat("d", n)).ok());
  }
  CHECK(absl::IsDeadlineExceeded(
      (*store)->WaitForRevision(kTotal + 1, absl::Milliseconds(10))));
}

TEST_CASE("a failed batch is aborted in the log and leaves no trace") {
  TempDir dir;
  RecordingAppender log;
  auto store = Store::Open(dir.sub("db"), WithLog(&log));
  REQUIRE(store.ok());
  WriteSet first;
  first.PutDataset(MakeDataset("before"));
  first.AddAuditEvent(accord::v1::AuditEvent());
  REQUIRE((*store)->CommitAndWait(std::move(first)).ok());

  log.FailNext();
  WriteSet failing;
  failing.PutDataset(MakeDataset("lost"));
  accord::v1::AuditEvent e;
  e.set_grant_id("g-lost");
  failing.AddAuditEvent(e);
  auto r = (*store)->CommitAndWait(std::move(failing));
  CHECK_FALSE(r.ok());
  CHECK(log.aborts() == 1);
  CHECK(log.mismatches() == 0);
  CHECK(!(*store)->Health().ok());
  CHECK((*store)->revision() == 1);
  CHECK((*store)->LogSize() == 1);
  CHECK(absl::IsNotFound((*store)->GetDataset("lost").status()));
  CHECK(absl::IsNotFound((*store)->GetLogEntry(1).status()));
  CHECK(absl::IsNotFound((*store)->GetTreeNode(0, 1).status()));
  // Reads go on, and the next write reuses the revision and the index.
  CHECK((*store)->GetDataset("before").ok());
  WriteSet next;
  next.PutDataset(MakeDataset("after"));
  next.AddAuditEvent(accord::v1::AuditEvent());
  auto ok = (*store)->CommitAndWait(std::move(next));
  REQUIRE(ok.ok());
  CHECK(ok->revision == 2);
  CHECK(ok->log_indices == std::vector<uint64_t>{1});
  CHECK(EntryLabel((*store)->GetLogEntry(1)) == "@2");
  CHECK((*store)->GetTreeNode(0, 1).ok());
  CHECK((*store)->Health().ok());
}

TEST_CASE("entries and tree nodes land with the state they record") {
  TempDir dir;
  RecordingAppender log;
  {
    auto store = Store::Open(dir.sub("db"), WithLog(&log));
    REQUIRE(store.ok());
    WriteSet ws;
    for (int i = 0; i < 3; ++i) {
      accord::v1::AuditEvent e;
      e.set_grant_id(absl::StrCat("g", i));
      ws.AddAuditEvent(e);
    }
    auto r = (*store)->CommitAndWait(std::move(ws));
    REQUIRE(r.ok());
    CHECK(r->log_indices == std::vector<uint64_t>{0, 1, 2});
  }
  // Reopened read-only, as an offline tool would.
  StoreOptions read_only;
  read_only.read_only = true;
  auto store = Store::Open(dir.sub("db"), read_only);
  REQUIRE(store.ok());
  CHECK((*store)->LogSize() == 3);
  for (uint64_t i = 0; i < 3; ++i) {
    CHECK(EntryLabel((*store)->GetLogEntry(i)) == absl::StrCat("g", i, "@1"));
    CHECK((*store)->GetTreeNode(0, i).ok());
  }
  CHECK(
      absl::IsFailedPrecondition((*store)->CommitAndWait(WriteSet()).status()));
}

TEST_CASE("policy versions list newest first and version 0 is the latest") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  CHECK(absl::IsNotFound((*store)->GetPolicyVersion("d", 0).status()));
  for (uint64_t v = 1; v <= 12; ++v) {
    for (const char* dataset : {"d", "d.other"}) {
      accord::v1::PolicyVersion p;
      p.set_dataset_id(dataset);
      p.mutable_ref()->set_version(v);
      WriteSet ws;
      ws.PutPolicyVersion(p);
      REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
    }
  }
  auto latest = (*store)->GetPolicyVersion("d", 0);
  REQUIRE(latest.ok());
  CHECK(latest->ref().version() == 12);
  CHECK(latest->dataset_id() == "d");
  CHECK((*store)->GetPolicyVersion("d", 3)->revision() == 5);
  CHECK(absl::IsNotFound((*store)->GetPolicyVersion("d", 13).status()));
  std::vector<uint64_t> versions;
  std::string cursor;
  do {
    auto page = (*store)->ListPolicyVersions("d", cursor, 5);
    REQUIRE(page.ok());
    for (const auto& p : page->records) versions.push_back(p.ref().version());
    cursor = page->next_cursor;
  } while (!cursor.empty());
  CHECK(versions ==
        std::vector<uint64_t>{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  auto first = (*store)->ListPolicyVersions("d", "", 5);
  CHECK(absl::IsInvalidArgument(
      (*store)->ListPolicyVersions("d.other", first->next_cursor, 5).status()));
}

TEST_CASE("grants: log index, subject history newest first, release") {
  TempDir dir;
  RecordingAppender log;
  auto store = Store::Open(dir.sub("db"), WithLog(&log));
  REQUIRE(store.ok());
  for (int i = 0; i < 5; ++i) {
    WriteSet ws;
    AddGrant(ws, absl::StrCat("g", i), i % 2 == 0 ? "d1" : "d2", 1000 + i);
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  }
  CHECK(*(*store)->FindLogIndexOfGrant("g3") == 3);
  CHECK(absl::IsNotFound((*store)->FindLogIndexOfGrant("nope").status()));

  // Releasing stores the grant again with its own event.
  auto g1 = (*store)->GetGrant("g1");
  REQUIRE(g1.ok());
  g1->set_released_at(2000);
  WriteSet release;
  release.PutGrant(*g1);
  accord::v1::AuditEvent e;
  e.set_grant_id("g1");
  release.AddAuditEvent(e);
  REQUIRE((*store)->CommitAndWait(std::move(release)).ok());
  CHECK(*(*store)->FindLogIndexOfGrant("g1") == 1);
  CHECK((*store)->GetGrant("g1")->released_at() == 2000);
  CHECK((*store)->GetGrant("g1")->revision() == 6);

  std::vector<std::string> ids;
  std::string cursor;
  do {
    auto page = (*store)->ListGrantsBySubject("alice", cursor, 2);
    REQUIRE(page.ok());
    for (const auto& g : page->records) ids.push_back(g.id());
    cursor = page->next_cursor;
  } while (!cursor.empty());
  CHECK(ids == std::vector<std::string>{"g4", "g3", "g2", "g1", "g0"});
  CHECK((*store)->ListGrantsBySubject("bob", "", 10)->records.empty());
  auto d1 = (*store)->GrantIdsForSubjectAndDataset("alice", "d1", 1001);
  REQUIRE(d1.ok());
  CHECK(*d1 == std::vector<std::string>{"g2", "g4"});
}

TEST_CASE("checkpoints and revocations are kept in order") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  CHECK(absl::IsNotFound((*store)->LatestCheckpoint().status()));
  for (uint64_t size : {3, 10}) {
    WriteSet ws;
    ws.PutCheckpoint(size, absl::StrCat("note ", size));
    accord::v1::Revocation r;
    r.add_grant_ids(absl::StrCat("g", size));
    ws.AddRevocation(r);
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  }
  auto latest = (*store)->LatestCheckpoint();
  REQUIRE(latest.ok());
  CHECK(latest->first == 10);
  CHECK(latest->second == "note 10");
  auto all = (*store)->ListRevocationsAfter(0, 10);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK(all->at(0).revision() == 1);
  auto after = (*store)->ListRevocationsAfter(1, 10);
  REQUIRE(after->size() == 1);
  CHECK(after->at(0).grant_ids(0) == "g10");
}

TEST_CASE("records without the identifiers of their keys are refused") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  WriteSet no_id;
  no_id.PutDataset(MakeDataset(""));
  CHECK(absl::IsInvalidArgument(
      (*store)->CommitAndWait(std::move(no_id)).status()));
  WriteSet nul;
  accord::v1::Consent c;
  c.set_id("c1");
  c.set_dataset_id("d1");
  c.set_subject(std::string("alice\0x", 7));
  nul.PutConsent(c);
  CHECK(absl::IsInvalidArgument(
      (*store)->CommitAndWait(std::move(nul)).status()));
  WriteSet no_version;
  accord::v1::PolicyVersion v;
  v.set_dataset_id("d1");
  no_version.PutPolicyVersion(v);
  CHECK(absl::IsInvalidArgument(
      (*store)->CommitAndWait(std::move(no_version)).status()));
  CHECK((*store)->revision() == 0);
  std::vector<std::string> subjects = {"alice", ""};
  CHECK(absl::IsInvalidArgument(
      (*store)->ConsentsForSubjects("d1", subjects).status()));
}

}  // namespace
}  // namespace accord::store

namespace accord::store {
namespace {

TEST_CASE("quotas are enforced atomically across concurrent write sets") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  constexpr uint64_t kLimit = 30;
  std::atomic<int> granted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        WriteSet ws;
        ws.UseQuota({"partner", "d1", "rule", 1000, kLimit, 1});
        auto r = (*store)->CommitAndWait(std::move(ws));
        if (r.ok()) {
          ++granted;
        } else {
          CHECK(absl::IsResourceExhausted(r.status()));
          CHECK(r.status().GetPayload(kQuotaPayload).has_value());
          ++refused;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(granted == static_cast<int>(kLimit));
  CHECK(refused == kThreads * kEach - static_cast<int>(kLimit));
  // Another window starts from zero.
  WriteSet next;
  next.UseQuota({"partner", "d1", "rule", 2000, kLimit, 1});
  CHECK((*store)->CommitAndWait(std::move(next)).ok());
}

}  // namespace
}  // namespace accord::store
