#ifndef ACCORD_TESTS_BENCH_ACCORD_BENCH_STATS_H_
#define ACCORD_TESTS_BENCH_ACCORD_BENCH_STATS_H_

// What accord-bench measures besides its own calls: a latency histogram
// that many threads record into, the broker process's CPU time and memory
// from /proc, and counters scraped from the broker's /metrics.

#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::bench {

// Latencies in nanoseconds, log-linear buckets (64 per power of two, so a
// quantile is within 1.6 % of the true value), from 0 to about 290 years.
// Record is lock-free (relaxed atomic additions) and may run on any thread;
// read the quantiles once recording has stopped.
class LatencyHistogram {
 public:
  LatencyHistogram() = default;
  LatencyHistogram(const LatencyHistogram&) = delete;
  LatencyHistogram& operator=(const LatencyHistogram&) = delete;

  // Records one latency; a negative one counts as 0.
  void Record(int64_t nanos);
  // Adds every value recorded in `other`.
  void Merge(const LatencyHistogram& other);

  uint64_t count() const;
  // The upper bound of the bucket holding the value of rank ceil(q * count)
  // (q in 0..1); 0 when nothing was recorded.
  int64_t Quantile(double q) const;
  // Exact mean and maximum of the recorded values; 0 when there are none.
  double Mean() const;
  int64_t Max() const;

 private:
  static constexpr int kSubBits = 6;
  static constexpr int kBuckets = (64 - kSubBits + 1) << kSubBits;
  static int BucketOf(uint64_t v);
  static int64_t UpperBound(int bucket);

  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
  std::atomic<int64_t> max_{0};
};

// CPU time and memory of one process, from /proc/PID/stat and
// /proc/PID/status.
struct ProcSample {
  double cpu_seconds = 0;  // user + system
  uint64_t rss_bytes = 0;  // VmRSS
  uint64_t hwm_bytes = 0;  // VmHWM: the peak RSS since the process started
};

// Reads the sample of `pid`. Errors: NOT_FOUND when the process is gone,
// DATA_LOSS when a file does not parse.
absl::StatusOr<ProcSample> ReadProc(pid_t pid);

// The CPU time (user + system) this process has used, in seconds.
double SelfCpuSeconds();

// The value of the sample named `name` (with its labels, exactly as
// rendered, e.g. `accord_decisions_total{outcome="permit"}`) in a
// Prometheus text exposition. Returns NOT_FOUND when there is no such line,
// DATA_LOSS when its value does not parse.
absl::StatusOr<double> PrometheusValue(absl::string_view exposition,
                                       absl::string_view name);

// GETs http://`http_address`/metrics and returns the body. Errors: the
// HTTP client's, or UNAVAILABLE for a status other than 200.
absl::StatusOr<std::string> ScrapeMetrics(const std::string& http_address);

}  // namespace accord::bench

#endif  // ACCORD_TESTS_BENCH_ACCORD_BENCH_STATS_H_
