#ifndef ACCORD_BROKER_HTTP_METRICS_H_
#define ACCORD_BROKER_HTTP_METRICS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "broker/http/gauges.h"

namespace accord::http {

// Upper bounds (seconds) of the request latency histogram; +Inf is implied.
inline constexpr std::array<double, 12> kLatencyBuckets = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

// Upper bounds of the group-commit size histogram (write sets); +Inf is
// implied.
inline constexpr std::array<double, 11> kCommitSizeBuckets = {
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

// Number of canonical status codes (OK = 0 .. UNAUTHENTICATED = 16), shared
// by gRPC and absl::StatusCode.
inline constexpr int kStatusCodeCount = 17;

// Counters and latency histogram of one RPC method. Obtained from
// Metrics::ForMethod; lives as long as the Metrics object. Recording is a few
// relaxed atomic additions, no lock.
class MethodStats {
 public:
  MethodStats(const MethodStats&) = delete;
  MethodStats& operator=(const MethodStats&) = delete;

  // Records one finished call: `code` is its canonical status code (a value
  // outside 0..16 counts as UNKNOWN) and `seconds` its latency (negative or
  // NaN counts as 0).
  void Observe(int code, double seconds);

  const std::string& method() const { return method_; }

 private:
  friend class Metrics;
  explicit MethodStats(std::string method) : method_(std::move(method)) {}

  const std::string method_;
  std::array<std::atomic<uint64_t>, kStatusCodeCount> codes_{};
  // Per-bucket (not cumulative) counts; the last one is +Inf.
  std::array<std::atomic<uint64_t>, kLatencyBuckets.size() + 1> buckets_{};
  std::atomic<uint64_t> sum_nanos_{0};
};

// The broker's request, store and state metrics, rendered in the Prometheus
// text format 0.0.4 with the prefix "accord_" (what the broker decided is
// counted by the service layer and rendered beside these):
//   requests_total{method,code}             counter (from MethodStats)
//   request_duration_seconds{method}        histogram (from MethodStats)
//   store_commit_write_sets                 histogram (write sets per group
//   commit) store_commit_seconds{phase}             histogram: "queued" (the
//   oldest
//                                           write set's wait for the writer),
//                                           "write" (the synced write)
//   log_size, store_revision                gauges
//   log_indexed_entries                     gauge: entries the query
//                                           indexes hold
//   checkpoint_size                         gauge: tree size of the newest
//                                           checkpoint
//   checkpoint_timestamp_seconds            gauge: when it was stored
//   ready                                   gauge: 1 ready, 0 not (/readyz)
//   store_free_bytes, store_reserve_bytes   gauges: free space of the
//                                           store's file system, and the
//                                           reserve under which writes fail
//   certificate_expiry_timestamp_seconds{cert}  gauge: not-after of a TLS
//                                           certificate, by config key
//   signing_key_created_timestamp_seconds{ring} gauge: creation of the
//                                           signing key in use, by ring
//   build_info{version,commit}              gauge, always 1
// Thread-safe. Every recording of a call is lock-free; ForMethod takes a
// lock only on a thread's first lookup of a name (then a per-thread cache
// answers), and RenderPrometheus takes a reader lock. Gauges, set at a
// scrape or a few times a second, take a short lock (gauges.h).
class Metrics {
 public:
  // Most distinct method names kept; further names share method="other".
  static constexpr size_t kMaxMethods = 256;

  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The stats of the method with gRPC full name `full_name`
  // ("/accord.v1.AccessService/RequestGrant"), created on first use. The
  // pointer is never null and stays valid for the life of this object.
  // Cheap enough for every call: a per-thread cache keyed by this object
  // and the name's address, checked against the name, answers without a
  // lock or a hash.
  MethodStats* ForMethod(absl::string_view full_name) ABSL_LOCKS_EXCLUDED(mu_);

  // Counts one group commit of the store.
  void RecordCommit(size_t write_sets, double queued_seconds,
                    double write_seconds);

  // Sets a gauge declared above without labels ("log_size", "ready"...).
  // Returns false, and changes nothing, for any other name.
  bool SetGauge(absl::string_view name, double value);
  // Sets the series of a labeled gauge declared above, label values in the
  // declared order: SetGauge("signing_key_created_timestamp_seconds",
  // {"grant"}, t). Returns false, and changes nothing, for any other name or
  // a wrong number of values.
  bool SetGauge(absl::string_view name,
                absl::Span<const absl::string_view> label_values, double value);

  // All metrics in the Prometheus text exposition format 0.0.4 (serve with
  // "text/plain; version=0.0.4"). Methods appear in name order; a method's
  // requests_total lines only for codes seen.
  std::string RenderPrometheus() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  MethodStats* Lookup(absl::string_view full_name) ABSL_LOCKS_EXCLUDED(mu_);

  // Unique per Metrics object, never reused: the per-thread cache's key.
  const uint64_t id_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodStats>> methods_
      ABSL_GUARDED_BY(mu_);
  // Per-bucket (not cumulative) counts, the last one +Inf, and sums.
  std::array<std::atomic<uint64_t>, kCommitSizeBuckets.size() + 1>
      commit_sizes_{};
  std::atomic<uint64_t> commit_write_sets_{0};
  std::array<std::array<std::atomic<uint64_t>, kLatencyBuckets.size() + 1>, 2>
      commit_seconds_{};
  std::array<std::atomic<uint64_t>, 2> commit_nanos_{};
  Gauges gauges_;
};

}  // namespace accord::http

#endif  // ACCORD_BROKER_HTTP_METRICS_H_
