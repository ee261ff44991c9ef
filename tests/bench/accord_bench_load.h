#ifndef ACCORD_TESTS_BENCH_ACCORD_BENCH_LOAD_H_
#define ACCORD_TESTS_BENCH_ACCORD_BENCH_LOAD_H_

// The load engine of accord-bench: many concurrent unary calls over several
// gRPC channels with the callback API, in a closed loop (N calls always in
// flight) or an open loop (a fixed rate, each call's latency measured from
// the time it was due to be sent, so a slow server cannot hide its delay by
// slowing the sender: no coordinated omission).

#include <grpcpp/channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/status.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/bench/accord_bench_stats.h"

namespace accord::bench {

// One connection to the broker (a channel of its own: see OpenEndpoints)
// and the generic stub that calls over it.
struct Endpoint {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::GenericStub> stub;
};

// One call to make, as planned by a Workload.
struct CallPlan {
  const std::string* method = nullptr;  // full name; outlives the run
  grpc::ByteBuffer request;
  std::string authorization;  // metadata value; empty: none
  int group = 0;              // which group of endpoints carries it
  int kind = 0;               // the workload's own kind, from 0
  int64_t tag = 0;            // the workload's own use
};

// What a finished call amounted to.
struct CallOutcome {
  bool ok = false;
  std::string error;  // when !ok: a short label ("UNAVAILABLE", "deny"...)
  uint64_t grants = 0;
  // Sizes in bytes, when the workload measures them (0 otherwise): the
  // serialized response, and the grant tokens it holds.
  uint64_t response_bytes = 0;
  uint64_t token_bytes = 0;
};

// What to call. Plan and Judge may run on several threads at once.
class Workload {
 public:
  virtual ~Workload() = default;
  // Plans call number `seq`. Returns false when no call can be made now
  // (every citizen of a pool is busy): it is counted as not sent.
  virtual bool Plan(uint64_t seq, CallPlan* plan) = 0;
  // Judges a finished call; may consume `response`.
  virtual CallOutcome Judge(const CallPlan& plan, const grpc::Status& status,
                            grpc::ByteBuffer* response) = 0;
  // Names of the kinds Plan sets, indexed by kind.
  virtual std::vector<std::string> KindNames() const = 0;
};

struct LoadOptions {
  bool open_loop = false;
  int in_flight = 64;  // closed loop: calls kept in flight
  double rate = 1000;  // open loop: calls per second
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(5);
  // Open loop: a call due while this many are in flight is not sent (and
  // counted so).
  int max_in_flight = 20000;
  absl::Duration call_deadline = absl::Seconds(30);
};

// The outcome of one run. Counts are of the calls due in the measured
// window (after the warm-up) unless said otherwise.
struct LoadResult {
  double seconds = 0;  // length of the measured window
  uint64_t ok = 0;
  uint64_t errors = 0;
  uint64_t not_sent = 0;
  std::vector<uint64_t> ok_by_kind;
  std::vector<std::string> kind_names;
  // Error labels with their counts over the whole run.
  std::map<std::string, uint64_t> error_counts;
  // Grants in OK responses: in the window, and over the whole run
  // (warm-up and drain included: what the broker's counter saw).
  uint64_t grants = 0;
  uint64_t grants_all_calls = 0;
  // Sums of CallOutcome's sizes over the OK calls of the window.
  uint64_t response_bytes = 0;
  uint64_t token_bytes = 0;
  uint64_t calls_all = 0;
  // Latency of the OK calls of the window, from the time each was due.
  std::unique_ptr<LatencyHistogram> latency;
  // Open loop: how late the sender was (sent - due).
  std::unique_ptr<LatencyHistogram> send_lag;
};

// Runs `workload` over `groups` (group g of CallPlan::group; call number
// seq goes to endpoint seq % size of its group) and returns when every call
// has finished.
LoadResult RunLoad(const std::vector<std::vector<Endpoint*>>& groups,
                   Workload& workload, const LoadOptions& options);

}  // namespace accord::bench

#endif  // ACCORD_TESTS_BENCH_ACCORD_BENCH_LOAD_H_
