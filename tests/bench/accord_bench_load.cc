#include "tests/bench/accord_bench_load.h"

#include <grpcpp/client_context.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace accord::bench {
namespace {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int c = static_cast<int>(code);
  return c >= 0 && c <= 16 ? kNames[c] : "UNKNOWN";
}

// Shared state of one run; calls in flight point at it.
class Runner {
 public:
  Runner(const std::vector<std::vector<Endpoint*>>& groups, Workload& workload,
         const LoadOptions& options)
      : groups_(groups), workload_(workload), options_(options) {
    result_.kind_names = workload.KindNames();
    result_.ok_by_kind.assign(result_.kind_names.size(), 0);
    result_.latency = std::make_unique<LatencyHistogram>();
    result_.send_lag = std::make_unique<LatencyHistogram>();
    for (size_t i = 0; i < result_.kind_names.size(); ++i) {
      ok_by_kind_.push_back(std::make_unique<std::atomic<uint64_t>>(0));
    }
  }

  LoadResult Run() {
    start_ = NowNanos();
    window_start_ = start_ + absl::ToInt64Nanoseconds(options_.warmup);
    window_end_ = window_start_ + absl::ToInt64Nanoseconds(options_.duration);
    if (options_.open_loop) {
      RunOpen();
    } else {
      RunClosed();
    }
    absl::MutexLock l(&mu_);
    mu_.Await(absl::Condition(
        +[](std::atomic<int64_t>* n) { return n->load() == 0; }, &in_flight_));
    result_.seconds = static_cast<double>(window_end_ - window_start_) / 1e9;
    result_.ok = ok_.load();
    result_.errors = errors_.load();
    result_.not_sent = not_sent_.load();
    result_.grants = grants_.load();
    result_.grants_all_calls = grants_all_.load();
    result_.response_bytes = response_bytes_.load();
    result_.token_bytes = token_bytes_.load();
    result_.calls_all = calls_all_.load();
    for (size_t i = 0; i < ok_by_kind_.size(); ++i) {
      result_.ok_by_kind[i] = ok_by_kind_[i]->load();
    }
    return std::move(result_);
  }

 private:
  struct Call {
    grpc::ClientContext context;
    CallPlan plan;
    grpc::ByteBuffer response;
    int64_t due = 0;
    bool chain = false;  // closed loop: starts the next call when done
  };

  void RunClosed() {
    in_flight_.store(options_.in_flight);
    for (int i = 0; i < options_.in_flight; ++i) {
      if (!Start(NowNanos(), /*chain=*/true)) Done();
    }
  }

  void RunOpen() {
    const double interval = 1e9 / options_.rate;
    in_flight_.fetch_add(1);  // the sender's own hold
    for (uint64_t i = 0;; ++i) {
      const int64_t due = start_ + static_cast<int64_t>(i * interval);
      if (due >= window_end_) break;
      int64_t now = NowNanos();
      if (due > now + 100000) {
        std::this_thread::sleep_for(
            std::chrono::nanoseconds(due - now - 50000));
        now = NowNanos();
      }
      while (now < due) {
        std::this_thread::yield();
        now = NowNanos();
      }
      if (in_flight_.load() > options_.max_in_flight) {
        CountNotSent(due);
        continue;
      }
      in_flight_.fetch_add(1);
      if (!Start(due, /*chain=*/false)) Done();
    }
    Done();
  }

  void CountNotSent(int64_t due) {
    if (due >= window_start_ && due < window_end_) not_sent_.fetch_add(1);
  }

  // Starts one call due at `due`. Returns false when the workload planned
  // none (counted as not sent).
  bool Start(int64_t due, bool chain) {
    const uint64_t seq = seq_.fetch_add(1);
    auto call = std::make_unique<Call>();
    if (!workload_.Plan(seq, &call->plan)) {
      CountNotSent(due);
      return false;
    }
    call->due = due;
    call->chain = chain;
    call->context.set_deadline(
        std::chrono::system_clock::now() +
        absl::ToChronoNanoseconds(options_.call_deadline));
    if (!call->plan.authorization.empty()) {
      call->context.AddMetadata("authorization", call->plan.authorization);
    }
    const std::vector<Endpoint*>& group = groups_[call->plan.group];
    Endpoint* endpoint = group[seq % group.size()];
    const int64_t sent = NowNanos();
    if (!chain && due >= window_start_) result_.send_lag->Record(sent - due);
    Call* raw = call.release();
    endpoint->stub->UnaryCall(
        &raw->context, *raw->plan.method, grpc::StubOptions(),
        &raw->plan.request, &raw->response,
        [this, raw](grpc::Status status) { Finished(raw, status); });
    return true;
  }

  void Finished(Call* raw, const grpc::Status& status) {
    std::unique_ptr<Call> call(raw);
    const int64_t now = NowNanos();
    CallOutcome outcome = workload_.Judge(call->plan, status, &call->response);
    calls_all_.fetch_add(1);
    const bool in_window =
        call->due >= window_start_ && call->due < window_end_;
    if (outcome.ok) {
      grants_all_.fetch_add(outcome.grants);
      if (in_window) {
        ok_.fetch_add(1);
        grants_.fetch_add(outcome.grants);
        response_bytes_.fetch_add(outcome.response_bytes);
        token_bytes_.fetch_add(outcome.token_bytes);
        ok_by_kind_[call->plan.kind]->fetch_add(1);
        result_.latency->Record(now - call->due);
      }
    } else {
      if (in_window) errors_.fetch_add(1);
      const std::string label = outcome.error.empty()
                                    ? std::string(CodeName(status.error_code()))
                                    : outcome.error;
      absl::MutexLock l(&mu_);
      ++result_.error_counts[label];
    }
    const bool chain = call->chain;
    call.reset();
    if (chain && now < window_end_) {
      if (Start(now, /*chain=*/true)) return;
    }
    Done();
  }

  void Done() {
    if (in_flight_.fetch_sub(1) == 1) {
      absl::MutexLock l(&mu_);  // wakes the waiter in Run
    }
  }

  const std::vector<std::vector<Endpoint*>>& groups_;
  Workload& workload_;
  const LoadOptions options_;
  int64_t start_ = 0;
  int64_t window_start_ = 0;
  int64_t window_end_ = 0;
  std::atomic<uint64_t> seq_{0};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<uint64_t> ok_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<uint64_t> not_sent_{0};
  std::atomic<uint64_t> grants_{0};
  std::atomic<uint64_t> grants_all_{0};
  std::atomic<uint64_t> response_bytes_{0};
  std::atomic<uint64_t> token_bytes_{0};
  std::atomic<uint64_t> calls_all_{0};
  std::vector<std::unique_ptr<std::atomic<uint64_t>>> ok_by_kind_;
  absl::Mutex mu_;
  LoadResult result_;
};

}  // namespace

LoadResult RunLoad(const std::vector<std::vector<Endpoint*>>& groups,
                   Workload& workload, const LoadOptions& options) {
  Runner runner(groups, workload, options);
  return runner.Run();
}

}  // namespace accord::bench
