#include "broker/store/revision_waiters.h"

#include <catch2/catch.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace accord::store {
namespace {

// The outcome of one waiter and the thread that ran it.
struct Outcome {
  absl::Notification done;
  absl::Status status;
  std::thread::id thread;
};

RevisionWaiters::Done Record(std::shared_ptr<Outcome> out) {
  return [out](absl::Status s) {
    out->status = std::move(s);
    out->thread = std::this_thread::get_id();
    out->done.Notify();
  };
}

TEST_CASE("A reached revision runs the callback at once, on the caller") {
  RevisionWaiters waiters(5, 10);
  auto out = std::make_shared<Outcome>();
  waiters.Wait(5, absl::InfiniteFuture(), Record(out));
  REQUIRE(out->done.HasBeenNotified());
  CHECK(out->status.ok());
  CHECK(out->thread == std::this_thread::get_id());
  CHECK(waiters.waiting() == 0);
}

TEST_CASE("A waiter runs when Advance reaches its revision, off the caller") {
  RevisionWaiters waiters(1, 10);
  auto early = std::make_shared<Outcome>();
  auto late = std::make_shared<Outcome>();
  waiters.Wait(3, absl::InfiniteFuture(), Record(early));
  waiters.Wait(9, absl::InfiniteFuture(), Record(late));
  CHECK(waiters.waiting() == 2);
  waiters.Advance(4);
  early->done.WaitForNotification();
  CHECK(early->status.ok());
  CHECK(early->thread != std::this_thread::get_id());
  CHECK_FALSE(late->done.HasBeenNotified());
  waiters.Advance(9);
  late->done.WaitForNotification();
  CHECK(late->status.ok());
  CHECK(waiters.waiting() == 0);
}

TEST_CASE("A waiter whose deadline passes gets DEADLINE_EXCEEDED") {
  RevisionWaiters waiters(1, 10);
  auto never = std::make_shared<Outcome>();
  auto soon = std::make_shared<Outcome>();
  // The far deadline is registered first: the thread must wake for the
  // nearer one added after it went to sleep.
  waiters.Wait(100, absl::InfiniteFuture(), Record(never));
  waiters.Wait(100, absl::Now() + absl::Milliseconds(20), Record(soon));
  soon->done.WaitForNotification();
  CHECK(absl::IsDeadlineExceeded(soon->status));
  CHECK_FALSE(never->done.HasBeenNotified());
  waiters.Close();
  REQUIRE(never->done.HasBeenNotified());
  CHECK(absl::IsUnavailable(never->status));
}

TEST_CASE("Waiters are bounded, and a closed set refuses at once") {
  RevisionWaiters waiters(0, 2);
  std::vector<std::shared_ptr<Outcome>> outs;
  for (int i = 0; i < 3; ++i) {
    outs.push_back(std::make_shared<Outcome>());
    waiters.Wait(10, absl::InfiniteFuture(), Record(outs.back()));
  }
  REQUIRE(outs[2]->done.HasBeenNotified());
  CHECK(absl::IsResourceExhausted(outs[2]->status));
  CHECK(waiters.waiting() == 2);
  waiters.Close();
  for (int i = 0; i < 2; ++i) {
    REQUIRE(outs[i]->done.HasBeenNotified());
    CHECK(absl::IsUnavailable(outs[i]->status));
  }
  auto after = std::make_shared<Outcome>();
  waiters.Wait(1, absl::InfiniteFuture(), Record(after));
  REQUIRE(after->done.HasBeenNotified());
  CHECK(absl::IsUnavailable(after->status));
}

TEST_CASE("Many threads waiting and advancing: every callback runs once") {
  RevisionWaiters waiters(0, 100000);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  absl::Mutex mu;
  int ran = 0;
  int failed = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        waiters.Wait(static_cast<uint64_t>(t * kPerThread + i + 1),
                     absl::InfiniteFuture(), [&](absl::Status s) {
                       absl::MutexLock l(&mu);
                       ++ran;
                       if (!s.ok()) ++failed;
                     });
      }
    });
  }
  std::thread advancer([&] {
    for (uint64_t r = 1; r <= kThreads * kPerThread; ++r) waiters.Advance(r);
  });
  for (auto& t : threads) t.join();
  advancer.join();
  absl::MutexLock l(&mu);
  mu.Await(absl::Condition(
      +[](int* n) { return *n == kThreads * kPerThread; }, &ran));
  CHECK(failed == 0);
  CHECK(waiters.waiting() == 0);
}

}  // namespace
}  // namespace accord::store
