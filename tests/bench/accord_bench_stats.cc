#include "tests/bench/accord_bench_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "broker/http/client.h"

namespace accord::bench {

int LatencyHistogram::BucketOf(uint64_t v) {
  if (v < (1u << kSubBits)) return static_cast<int>(v);
  const int msb = 63 - __builtin_clzll(v);
  const int shift = msb - kSubBits;
  const uint64_t sub = v >> shift;  // in [64, 128)
  return ((shift + 1) << kSubBits) + static_cast<int>(sub - (1u << kSubBits));
}

int64_t LatencyHistogram::UpperBound(int bucket) {
  if (bucket < (1 << kSubBits)) return bucket;
  const int shift = (bucket >> kSubBits) - 1;
  const uint64_t sub = (bucket & ((1 << kSubBits) - 1)) + (1u << kSubBits);
  const uint64_t upper = ((sub + 1) << shift) - 1;
  return upper > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX
                                                  : static_cast<int64_t>(upper);
}

void LatencyHistogram::Record(int64_t nanos) {
  if (nanos < 0) nanos = 0;
  buckets_[BucketOf(static_cast<uint64_t>(nanos))].fetch_add(
      1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(static_cast<uint64_t>(nanos), std::memory_order_relaxed);
  int64_t seen = max_.load(std::memory_order_relaxed);
  while (nanos > seen &&
         !max_.compare_exchange_weak(seen, nanos, std::memory_order_relaxed)) {
  }
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) {
    buckets_[i].fetch_add(other.buckets_[i].load(std::memory_order_relaxed),
                          std::memory_order_relaxed);
  }
  count_.fetch_add(other.count(), std::memory_order_relaxed);
  sum_.fetch_add(other.sum_.load(std::memory_order_relaxed),
                 std::memory_order_relaxed);
  max_.store(std::max(Max(), other.Max()), std::memory_order_relaxed);
}

uint64_t LatencyHistogram::count() const {
  return count_.load(std::memory_order_relaxed);
}

int64_t LatencyHistogram::Quantile(double q) const {
  const uint64_t n = count();
  if (n == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const uint64_t rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * n)));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= rank) return std::min(UpperBound(i), Max());
  }
  return Max();
}

double LatencyHistogram::Mean() const {
  const uint64_t n = count();
  return n == 0 ? 0
                : static_cast<double>(sum_.load(std::memory_order_relaxed)) / n;
}

int64_t LatencyHistogram::Max() const {
  return max_.load(std::memory_order_relaxed);
}

absl::StatusOr<ProcSample> ReadProc(pid_t pid) {
  const std::string dir = absl::StrCat("/proc/", pid);
  std::ifstream stat_file(dir + "/stat");
  if (!stat_file) {
    return absl::NotFoundError(absl::StrCat("no process ", pid));
  }
  std::string stat((std::istreambuf_iterator<char>(stat_file)),
                   std::istreambuf_iterator<char>());
  // The command name may hold spaces and parentheses: fields count from
  // after the last ')'. utime and stime are fields 14 and 15.
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) {
    return absl::DataLossError(absl::StrCat(dir, "/stat does not parse"));
  }
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat).substr(paren + 2), ' ');
  uint64_t utime = 0;
  uint64_t stime = 0;
  // fields[0] is field 3 (state).
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::DataLossError(absl::StrCat(dir, "/stat does not parse"));
  }
  ProcSample sample;
  sample.cpu_seconds =
      static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
  std::ifstream status(dir + "/status");
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view rest = line;
    uint64_t* out = nullptr;
    if (absl::ConsumePrefix(&rest, "VmRSS:")) {
      out = &sample.rss_bytes;
    } else if (absl::ConsumePrefix(&rest, "VmHWM:")) {
      out = &sample.hwm_bytes;
    } else {
      continue;
    }
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, " kB");
    uint64_t kb = 0;
    if (!absl::SimpleAtoi(rest, &kb)) {
      return absl::DataLossError(absl::StrCat(dir, "/status does not parse"));
    }
    *out = kb * 1024;
  }
  return sample;
}

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

absl::StatusOr<double> PrometheusValue(absl::string_view exposition,
                                       absl::string_view name) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::ConsumePrefix(&line, name) || !absl::ConsumePrefix(&line, " ")) {
      continue;
    }
    double value = 0;
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(line), &value)) {
      return absl::DataLossError(absl::StrCat(name, ": value does not parse"));
    }
    return value;
  }
  return absl::NotFoundError(absl::StrCat(name, ": not in /metrics"));
}

absl::StatusOr<std::string> ScrapeMetrics(const std::string& http_address) {
  auto r = http::HttpGet(http_address, "/metrics", absl::Seconds(10));
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return absl::UnavailableError(
        absl::StrCat("/metrics answered HTTP ", r->status));
  }
  return std::move(r->body);
}

}  // namespace accord::bench
