#include "broker/auditlog/checkpointer.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "broker/auditlog/test_note.h"
#include "broker/testing/wait.h"

namespace accord::auditlog {
namespace {

const char kOrigin[] = "accord.example.org/log";

accord::v1::AuditEvent Event(uint64_t i) {
  accord::v1::AuditEvent e;
  e.set_type(accord::v1::EVENT_TYPE_POLICY);
  e.set_revision(i + 1);
  return e;
}

void Grow(Log& log, int n) {
  for (int i = 0; i < n; ++i) REQUIRE(log.Append(Event(i)).ok());
  log.Committed(log.Size() + n);
}

struct Persisted {
  absl::Mutex mu;
  std::vector<SignedCheckpoint> all ABSL_GUARDED_BY(mu);
  absl::Status next = absl::OkStatus();
};

TEST_CASE("CheckpointNow signs, persists and publishes the committed head",
          "[checkpointer]") {
  testing::TestNoteKey key("accord-log");
  Log log{Frontier()};
  Persisted persisted;
  absl::Time now = absl::FromUnixSeconds(1000);
  auto cp = Checkpointer::Create(
      log, {kOrigin, absl::Seconds(1)}, key.signer,
      [&](const SignedCheckpoint& c) {
        absl::MutexLock l(&persisted.mu);
        if (!persisted.next.ok()) return persisted.next;
        persisted.all.push_back(c);
        return absl::OkStatus();
      },
      [&] { return now; });
  REQUIRE(cp.ok());
  CHECK_FALSE((*cp)->Latest().has_value());

  Grow(log, 5);
  absl::StatusOr<SignedCheckpoint> first = (*cp)->CheckpointNow();
  REQUIRE(first.ok());
  CHECK(first->checkpoint.size == 5);
  CHECK(first->checkpoint.root == log.Root());
  absl::StatusOr<Checkpoint> opened =
      OpenCheckpoint(first->note, kOrigin, key.VerifierKey());
  REQUIRE(opened.ok());
  CHECK(opened->size == 5);
  CHECK(opened->root == log.Root());
  REQUIRE((*cp)->Latest().has_value());
  CHECK((*cp)->Latest()->note == first->note);

  // No growth: the same checkpoint, nothing persisted again.
  absl::StatusOr<SignedCheckpoint> again = (*cp)->CheckpointNow();
  REQUIRE(again.ok());
  CHECK(again->note == first->note);
  {
    absl::MutexLock l(&persisted.mu);
    CHECK(persisted.all.size() == 1);
  }

  // A failed persist publishes nothing.
  Grow(log, 1);
  persisted.next = absl::UnavailableError("disk");
  CHECK((*cp)->CheckpointNow().status().code() ==
        absl::StatusCode::kUnavailable);
  CHECK((*cp)->Latest()->checkpoint.size == 5);
  persisted.next = absl::OkStatus();
  REQUIRE((*cp)->CheckpointNow().ok());
  CHECK((*cp)->Latest()->checkpoint.size == 6);
}

TEST_CASE("A publish waits for the one persisting, which holds no lock",
          "[checkpointer]") {
  testing::TestNoteKey key("accord-log");
  Log log{Frontier()};
  Persisted persisted;
  absl::Notification persisting;  // the first persist has begun
  absl::Notification durable;     // and may finish
  auto cp = Checkpointer::Create(
      log, {kOrigin, absl::Seconds(1)}, key.signer,
      [&](const SignedCheckpoint& c) {
        if (!persisting.HasBeenNotified()) {
          persisting.Notify();
          durable.WaitForNotification();
        }
        absl::MutexLock l(&persisted.mu);
        persisted.all.push_back(c);
        return absl::OkStatus();
      },
      [] { return absl::FromUnixSeconds(1000); });
  REQUIRE(cp.ok());

  Grow(log, 3);
  absl::StatusOr<SignedCheckpoint> first;
  std::thread a([&] { first = (*cp)->CheckpointNow(); });
  persisting.WaitForNotification();
  // Readers are answered while the first publish waits on its persist.
  CHECK_FALSE((*cp)->Latest().has_value());
  CHECK((*cp)->last_error().ok());
  Grow(log, 2);
  absl::StatusOr<SignedCheckpoint> second;
  std::thread b([&] { second = (*cp)->CheckpointNow(); });
  durable.Notify();
  a.join();
  b.join();

  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(second->checkpoint.size == 5);
  CHECK(first->checkpoint.size <= second->checkpoint.size);
  REQUIRE((*cp)->Latest().has_value());
  CHECK((*cp)->Latest()->checkpoint.size == 5);
  absl::MutexLock l(&persisted.mu);
  REQUIRE_FALSE(persisted.all.empty());
  CHECK(persisted.all.back().checkpoint.size == 5);
  for (size_t i = 1; i < persisted.all.size(); ++i) {
    CHECK(persisted.all[i - 1].checkpoint.size <
          persisted.all[i].checkpoint.size);
  }
}

TEST_CASE("Tick publishes growth at most twice per interval",
          "[checkpointer]") {
  testing::TestNoteKey key("accord-log");
  Log log{Frontier()};
  int persisted = 0;
  absl::Time now = absl::FromUnixSeconds(1000);
  auto cp = Checkpointer::Create(
      log, {kOrigin, absl::Seconds(1)}, key.signer,
      [&](const SignedCheckpoint&) {
        ++persisted;
        return absl::OkStatus();
      },
      [&] { return now; });
  REQUIRE(cp.ok());
  REQUIRE((*cp)->Tick().ok());
  CHECK(persisted == 1);  // the first checkpoint, even of the empty log
  REQUIRE((*cp)->Tick().ok());
  CHECK(persisted == 1);
  Grow(log, 3);
  now += absl::Milliseconds(200);
  REQUIRE((*cp)->Tick().ok());
  CHECK(persisted == 1);  // too soon
  now += absl::Milliseconds(300);
  REQUIRE((*cp)->Tick().ok());
  CHECK(persisted == 2);
  CHECK((*cp)->Latest()->checkpoint.size == 3);
  now += absl::Seconds(5);
  REQUIRE((*cp)->Tick().ok());
  CHECK(persisted == 2);  // no growth, no checkpoint
}

TEST_CASE("The thread publishes while the log grows and stops",
          "[checkpointer]") {
  testing::TestNoteKey key("accord-log");
  Log log{Frontier()};
  std::atomic<int> persisted{0};
  // A clock that moves only when told, counting its readings: the thread
  // reads it once per tick.
  std::atomic<int64_t> now_ms{1'000'000};
  std::atomic<int> readings{0};
  auto cp = Checkpointer::Create(
      log, {kOrigin, absl::Milliseconds(40)}, key.signer,
      [&](const SignedCheckpoint&) {
        ++persisted;
        return absl::OkStatus();
      },
      [&] {
        ++readings;
        return absl::FromUnixMillis(now_ms.load());
      });
  REQUIRE(cp.ok());
  REQUIRE((*cp)->Start().ok());
  CHECK((*cp)->Start().code() == absl::StatusCode::kFailedPrecondition);
  auto published = [&] {
    const auto latest = (*cp)->Latest();
    return latest.has_value() && latest->checkpoint.size == log.Size();
  };
  // The first growth is published at once: there is no checkpoint yet.
  Grow(log, 2);
  REQUIRE(::accord::testing::WaitUntil(published));
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    const int before = persisted.load();
    Grow(log, 2);
    // The thread ticks three times after the growth without publishing:
    // by the clock, the latest checkpoint is not half an interval old.
    const int seen = readings.load();
    REQUIRE(::accord::testing::WaitUntil(
        [&] { return readings.load() >= seen + 3; }));
    CHECK(persisted.load() == before);
    CHECK(!published());
    // Half an interval later by the clock, the thread publishes.
    now_ms += 20;
    REQUIRE(::accord::testing::WaitUntil(published));
    CHECK(persisted.load() == before + 1);
  }
  // Once Stop returns the thread is gone: the next checkpoint is only the
  // one asked for, and only that call reads the clock.
  (*cp)->Stop();
  const int readings_at_stop = readings.load();
  const int persisted_at_stop = persisted.load();
  Grow(log, 2);
  now_ms += 1000;
  REQUIRE((*cp)->Tick().ok());
  CHECK(persisted.load() == persisted_at_stop + 1);
  CHECK(readings.load() == readings_at_stop + 1);
  CHECK((*cp)->last_error().ok());
}

TEST_CASE("Create validates its configuration", "[checkpointer]") {
  testing::TestNoteKey key("accord-log");
  Log log{Frontier()};
  auto persist = [](const SignedCheckpoint&) { return absl::OkStatus(); };
  auto clock = [] { return absl::Now(); };
  CHECK(Checkpointer::Create(log, {"", absl::Seconds(1)}, key.signer, persist,
                             clock)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  CHECK(Checkpointer::Create(log, {kOrigin, absl::ZeroDuration()}, key.signer,
                             persist, clock)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  CHECK(Checkpointer::Create(log, {kOrigin, absl::Seconds(1)}, key.signer,
                             Checkpointer::PersistFn(), clock)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  SignedCheckpoint future;
  future.checkpoint.origin = kOrigin;
  future.checkpoint.size = 10;
  CHECK(Checkpointer::Create(log, {kOrigin, absl::Seconds(1)}, key.signer,
                             persist, clock, future)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::auditlog
