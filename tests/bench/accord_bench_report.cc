#include "tests/bench/accord_bench_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace accord::bench {
namespace {

double Ms(int64_t nanos) { return static_cast<double>(nanos) / 1e6; }
double MiB(uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

std::string Load(const ScenarioReport& r) {
  return r.open_loop ? absl::StrFormat("open %.0f/s", r.rate)
                     : absl::StrFormat("closed %d", r.in_flight);
}

}  // namespace

std::string TableHeader() {
  return absl::StrFormat(
      "%-26s %-14s %9s %7s %7s %7s %7s %7s %7s %9s %8s %6s %8s %s\n",
      "scenario", "load", "ok/s", "p50ms", "p95ms", "p99ms", "p99.9ms", "maxms",
      "errors", "grants/s", "cpu_us", "cores", "rss_MiB", "metrics");
}

std::string TableRow(const ScenarioReport& r) {
  const LatencyHistogram& h = *r.load.latency;
  const uint64_t calls = std::max<uint64_t>(1, r.load.calls_all);
  return absl::StrFormat(
      "%-26s %-14s %9.0f %7.3f %7.3f %7.3f %7.3f %7.2f %7d %9.0f %8s "
      "%6s %8s %s\n",
      r.round > 0 ? absl::StrCat(r.name, "#", r.round) : r.name, Load(r),
      r.ok_per_second(), Ms(h.Quantile(0.5)), Ms(h.Quantile(0.95)),
      Ms(h.Quantile(0.99)), Ms(h.Quantile(0.999)), Ms(h.Max()),
      r.load.errors + r.load.not_sent,
      r.load.seconds > 0 ? r.load.grants / r.load.seconds : 0.0,
      r.broker_measured
          ? absl::StrFormat("%.1f", r.broker_cpu_seconds * 1e6 / calls)
          : "-",
      r.broker_measured
          ? absl::StrFormat("%.2f", r.broker_cpu_seconds / r.wall_seconds)
          : "-",
      r.broker_measured ? absl::StrFormat("%.0f", MiB(r.broker_rss_max)) : "-",
      r.metric_grants < 0 ? "-" : (r.metrics_agree() ? "agree" : "DIFFER"));
}

std::string FormatTable(const std::vector<ScenarioReport>& reports) {
  std::string out = TableHeader();
  for (const ScenarioReport& r : reports) absl::StrAppend(&out, TableRow(r));
  return out;
}

formats::JsonValue ToJson(const ScenarioReport& r) {
  using formats::JsonValue;
  const LatencyHistogram& h = *r.load.latency;
  JsonValue latency = JsonValue::Object();
  latency.Set("p50", Ms(h.Quantile(0.5)))
      .Set("p95", Ms(h.Quantile(0.95)))
      .Set("p99", Ms(h.Quantile(0.99)))
      .Set("p99_9", Ms(h.Quantile(0.999)))
      .Set("max", Ms(h.Max()))
      .Set("mean", h.Mean() / 1e6);
  JsonValue errors = JsonValue::Object();
  for (const auto& [label, n] : r.load.error_counts) {
    errors.Set(label, static_cast<long long>(n));
  }
  JsonValue kinds = JsonValue::Object();
  for (size_t i = 0; i < r.load.kind_names.size(); ++i) {
    kinds.Set(r.load.kind_names[i],
              static_cast<long long>(r.load.ok_by_kind[i]));
  }
  JsonValue out = JsonValue::Object();
  out.Set("scenario", r.name)
      .Set("round", r.round)
      .Set("mode", r.open_loop ? "open" : "closed")
      .Set("in_flight", r.in_flight)
      .Set("rate", r.rate)
      .Set("window_seconds", r.load.seconds)
      .Set("ok", static_cast<long long>(r.load.ok))
      .Set("ok_per_second", r.ok_per_second())
      .Set("ok_by_kind", std::move(kinds))
      .Set("errors", static_cast<long long>(r.load.errors))
      .Set("not_sent", static_cast<long long>(r.load.not_sent))
      .Set("error_labels", std::move(errors))
      .Set("latency_ms", std::move(latency))
      .Set("grants", static_cast<long long>(r.load.grants))
      .Set("grants_per_second",
           r.load.seconds > 0 ? r.load.grants / r.load.seconds : 0.0)
      .Set("calls_all", static_cast<long long>(r.load.calls_all))
      .Set("grants_all_calls", static_cast<long long>(r.load.grants_all_calls))
      .Set("mean_response_bytes",
           r.load.ok > 0
               ? static_cast<double>(r.load.response_bytes) / r.load.ok
               : 0.0)
      .Set("mean_token_bytes",
           r.load.grants > 0
               ? static_cast<double>(r.load.token_bytes) / r.load.grants
               : 0.0)
      .Set("metric_grants", r.metric_grants)
      .Set("metrics_agree", r.metrics_agree())
      .Set("wall_seconds", r.wall_seconds)
      .Set("bench_cpu_seconds", r.bench_cpu_seconds);
  if (r.open_loop) {
    out.Set("send_lag_p99_ms", Ms(r.load.send_lag->Quantile(0.99)));
  }
  if (r.broker_measured) {
    out.Set("broker_cpu_seconds", r.broker_cpu_seconds)
        .Set("broker_cpu_us_per_call",
             r.broker_cpu_seconds * 1e6 /
                 std::max<uint64_t>(1, r.load.calls_all))
        .Set("broker_cores", r.broker_cpu_seconds / r.wall_seconds)
        .Set("broker_rss_max_mib", MiB(r.broker_rss_max))
        .Set("broker_hwm_mib", MiB(r.broker_hwm));
  }
  return out;
}

}  // namespace accord::bench
