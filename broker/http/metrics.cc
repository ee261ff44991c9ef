#include "broker/http/metrics.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "broker/http/prometheus_text.h"

namespace accord::http {
namespace {

constexpr std::array<const char*, kStatusCodeCount> kCodeNames = {
    "OK",
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
    "UNAUTHENTICATED",
};
constexpr int kUnknownCode = 2;

// The `le` labels, written as in the bucket list rather than re-formatted.
constexpr std::array<const char*, kLatencyBuckets.size()> kBucketLabels = {
    "0.0005", "0.001", "0.002", "0.005", "0.01", "0.025",
    "0.05",   "0.1",   "0.25",  "0.5",   "1",    "2.5"};

// Longest latency counted in the sum, so that it cannot overflow.
constexpr double kMaxSeconds = 1e6;

void Header(std::string* out, absl::string_view name, absl::string_view type,
            absl::string_view help) {
  AppendPrometheusHeader(out, absl::StrCat("accord_", name), type, help);
}

// Adds `value` to the bucket of `bounds` it falls in (the last: +Inf).
template <size_t N>
void CountIn(const std::array<double, N>& bounds,
             std::array<std::atomic<uint64_t>, N + 1>& buckets, double value) {
  const size_t bucket =
      std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin();
  buckets[bucket].fetch_add(1, std::memory_order_relaxed);
}

// The _bucket, _sum and _count lines of one histogram series; `labels` is
// empty or `name="value",`. The count is the sum of the buckets read here,
// so that +Inf and _count agree even while values are being recorded.
template <size_t N>
void RenderHistogram(std::string* out, absl::string_view name,
                     absl::string_view labels,
                     const std::array<const char*, N>& bound_labels,
                     const std::array<std::atomic<uint64_t>, N + 1>& buckets,
                     double sum) {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    cumulative += buckets[i].load(std::memory_order_relaxed);
    absl::StrAppend(out, "accord_", name, "_bucket{", labels, "le=\"",
                    i < bound_labels.size() ? bound_labels[i] : "+Inf", "\"} ",
                    cumulative, "\n");
  }
  const absl::string_view bare = absl::StripSuffix(labels, ",");
  const std::string set = bare.empty() ? "" : absl::StrCat("{", bare, "}");
  absl::StrAppend(out, "accord_", name, "_sum", set, " ",
                  FormatPrometheusValue(sum), "\n", "accord_", name, "_count",
                  set, " ", cumulative, "\n");
}

constexpr std::array<const char*, kCommitSizeBuckets.size()> kCommitSizeLabels =
    {"1", "2", "4", "8", "16", "32", "64", "128", "256", "512", "1024"};
constexpr std::array<const char*, 2> kCommitPhases = {"queued", "write"};

std::vector<GaugeSpec> GaugeSpecs() {
  return {
      {"log_size", "Entries in the audit log.", {}},
      {"log_indexed_entries",
       "Entries of the audit log its query indexes hold (derived off the "
       "commit path: log_size - this is their lag).",
       {}},
      {"store_revision", "Current store revision.", {}},
      {"checkpoint_size",
       "Tree size of the newest signed checkpoint of the audit log.",
       {}},
      {"checkpoint_timestamp_seconds",
       "Unix time at which the newest checkpoint was signed and stored.",
       {}},
      {"ready",
       "1 while the broker is ready to serve (/readyz answers 200), else 0.",
       {}},
      {"store_free_bytes",
       "Bytes free for the broker on the file system of the store.",
       {}},
      {"store_reserve_bytes",
       "Free bytes the store keeps: writes are refused below this.",
       {}},
      {"certificate_expiry_timestamp_seconds",
       "Unix time at which a TLS certificate of the broker expires (the first "
       "of the file), by config key.",
       {"cert"}},
      {"signing_key_created_timestamp_seconds",
       "Unix time at which the signing key in use was created, by key ring.",
       {"ring"}},
      {"build_info",
       "Always 1: the version and git commit the broker was built from.",
       {"version", "commit"}},
  };
}

double ClampSeconds(double seconds) {
  if (!(seconds > 0)) return 0;  // negative or NaN
  return std::min(seconds, kMaxSeconds);
}

}  // namespace

void MethodStats::Observe(int code, double seconds) {
  if (code < 0 || code >= kStatusCodeCount) code = kUnknownCode;
  seconds = ClampSeconds(seconds);
  codes_[code].fetch_add(1, std::memory_order_relaxed);
  CountIn(kLatencyBuckets, buckets_, seconds);
  sum_nanos_.fetch_add(static_cast<uint64_t>(seconds * 1e9),
                       std::memory_order_relaxed);
}

namespace {
std::atomic<uint64_t> next_metrics_id{1};
}  // namespace

Metrics::Metrics()
    : id_(next_metrics_id.fetch_add(1)), gauges_("accord_", GaugeSpecs()) {}

MethodStats* Metrics::ForMethod(absl::string_view full_name) {
  // Handlers pass string literals, so a name's address and size find its
  // stats; the comparison with the stored name guards against another
  // string at the same address. Ids are never reused, so an entry of a
  // destroyed Metrics never matches.
  struct Entry {
    uint64_t owner = 0;
    const char* data = nullptr;
    size_t size = 0;
    MethodStats* stats = nullptr;
  };
  thread_local std::array<Entry, 32> cache;
  const size_t slot = ((reinterpret_cast<uintptr_t>(full_name.data()) >> 3) ^
                       full_name.size()) %
                      cache.size();
  Entry& e = cache[slot];
  if (e.owner == id_ && e.data == full_name.data() &&
      e.size == full_name.size() && e.stats->method() == full_name) {
    return e.stats;
  }
  MethodStats* stats = Lookup(full_name);
  e = Entry{id_, full_name.data(), full_name.size(), stats};
  return stats;
}

MethodStats* Metrics::Lookup(absl::string_view full_name) {
  {
    absl::ReaderMutexLock l(&mu_);
    auto it = methods_.find(full_name);
    if (it != methods_.end()) return it->second.get();
  }
  absl::MutexLock l(&mu_);
  if (methods_.size() >= kMaxMethods && !methods_.contains(full_name)) {
    full_name = "other";
  }
  std::unique_ptr<MethodStats>& stats = methods_[full_name];
  if (stats == nullptr) {
    stats.reset(new MethodStats(std::string(full_name)));
  }
  return stats.get();
}

bool Metrics::SetGauge(absl::string_view name, double value) {
  return gauges_.Set(name, {}, value);
}

bool Metrics::SetGauge(absl::string_view name,
                       absl::Span<const absl::string_view> label_values,
                       double value) {
  return gauges_.Set(name, label_values, value);
}

void Metrics::RecordCommit(size_t write_sets, double queued_seconds,
                           double write_seconds) {
  CountIn(kCommitSizeBuckets, commit_sizes_, static_cast<double>(write_sets));
  commit_write_sets_.fetch_add(write_sets, std::memory_order_relaxed);
  const double seconds[2] = {ClampSeconds(queued_seconds),
                             ClampSeconds(write_seconds)};
  for (size_t phase = 0; phase < 2; ++phase) {
    CountIn(kLatencyBuckets, commit_seconds_[phase], seconds[phase]);
    commit_nanos_[phase].fetch_add(static_cast<uint64_t>(seconds[phase] * 1e9),
                                   std::memory_order_relaxed);
  }
}

std::string Metrics::RenderPrometheus() const {
  std::vector<const MethodStats*> methods;
  {
    absl::ReaderMutexLock l(&mu_);
    for (const auto& [name, stats] : methods_) methods.push_back(stats.get());
  }
  std::sort(methods.begin(), methods.end(),
            [](const MethodStats* a, const MethodStats* b) {
              return a->method() < b->method();
            });
  std::string out;
  Header(&out, "requests_total", "counter",
         "gRPC calls finished, by full method name and status code.");
  for (const MethodStats* m : methods) {
    const std::string method = EscapePrometheusLabel(m->method());
    for (int code = 0; code < kStatusCodeCount; ++code) {
      const uint64_t n = m->codes_[code].load(std::memory_order_relaxed);
      if (n == 0) continue;
      absl::StrAppend(&out, "accord_requests_total{method=\"", method,
                      "\",code=\"", kCodeNames[code], "\"} ", n, "\n");
    }
  }
  Header(&out, "request_duration_seconds", "histogram",
         "gRPC call latency in seconds, by full method name.");
  for (const MethodStats* m : methods) {
    RenderHistogram(
        &out, "request_duration_seconds",
        absl::StrCat("method=\"", EscapePrometheusLabel(m->method()), "\","),
        kBucketLabels, m->buckets_,
        static_cast<double>(m->sum_nanos_.load(std::memory_order_relaxed)) /
            1e9);
  }
  Header(&out, "store_commit_write_sets", "histogram",
         "Write sets per group commit of the store.");
  RenderHistogram(
      &out, "store_commit_write_sets", "", kCommitSizeLabels, commit_sizes_,
      static_cast<double>(commit_write_sets_.load(std::memory_order_relaxed)));
  Header(&out, "store_commit_seconds", "histogram",
         "Group commits of the store: the oldest write set's wait for the "
         "writer (queued) and the synced write (write), in seconds.");
  for (size_t phase = 0; phase < kCommitPhases.size(); ++phase) {
    RenderHistogram(&out, "store_commit_seconds",
                    absl::StrCat("phase=\"", kCommitPhases[phase], "\","),
                    kBucketLabels, commit_seconds_[phase],
                    static_cast<double>(
                        commit_nanos_[phase].load(std::memory_order_relaxed)) /
                        1e9);
  }
  gauges_.Render(&out);
  return out;
}

}  // namespace accord::http
