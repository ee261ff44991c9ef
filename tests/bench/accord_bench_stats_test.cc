#include "tests/bench/accord_bench_stats.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>

namespace accord::bench {
namespace {

TEST_CASE("Latency quantiles are within 1.6 percent of the true value",
          "[bench]") {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100000; ++v) h.Record(v * 1000);  // 1 µs..100 ms
  REQUIRE(h.count() == 100000);
  for (double q : {0.5, 0.95, 0.99, 0.999}) {
    const double truth = q * 100000 * 1000;
    const double got = static_cast<double>(h.Quantile(q));
    CHECK(got >= truth);
    CHECK(got <= truth * 1.016);
  }
  CHECK(h.Quantile(1.0) == 100000 * 1000);
  CHECK(h.Max() == 100000 * 1000);
  CHECK(std::abs(h.Mean() - 50000.5 * 1000) < 1);
}

TEST_CASE("An empty histogram reports zeros and negatives count as zero",
          "[bench]") {
  LatencyHistogram h;
  CHECK(h.Quantile(0.99) == 0);
  CHECK(h.Mean() == 0);
  h.Record(-5);
  CHECK(h.count() == 1);
  CHECK(h.Quantile(0.5) == 0);
}

TEST_CASE("Merged histograms count every value", "[bench]") {
  LatencyHistogram a;
  LatencyHistogram b;
  a.Record(10);
  b.Record(1000000);
  a.Merge(b);
  CHECK(a.count() == 2);
  CHECK(a.Max() == 1000000);
}

TEST_CASE("Prometheus samples are found by exact name and labels", "[bench]") {
  const char* text =
      "# TYPE accord_grants_issued_total counter\n"
      "accord_grants_issued_total 42\n"
      "accord_decisions_total{outcome=\"permit\"} 7\n";
  auto grants = PrometheusValue(text, "accord_grants_issued_total");
  REQUIRE(grants.ok());
  CHECK(*grants == 42);
  auto permits =
      PrometheusValue(text, "accord_decisions_total{outcome=\"permit\"}");
  REQUIRE(permits.ok());
  CHECK(*permits == 7);
  CHECK(absl::IsNotFound(PrometheusValue(text, "accord_grants").status()));
}

TEST_CASE("This process's own /proc sample reads", "[bench]") {
  auto s = ReadProc(getpid());
  REQUIRE(s.ok());
  CHECK(s->rss_bytes > 0);
  CHECK(s->hwm_bytes >= s->rss_bytes);
  CHECK(s->cpu_seconds >= 0);
}

}  // namespace
}  // namespace accord::bench
