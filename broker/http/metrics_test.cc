#include "broker/http/metrics.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace accord::http {
namespace {

constexpr char kMethod[] = "/accord.v1.AccessService/RequestGrant";

// The value of the sample line starting with `series` followed by a space,
// or -1 when there is none.
double Sample(const std::string& text, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      double v = 0;
      if (!absl::SimpleAtod(line.substr(series.size() + 1), &v)) return -2;
      return v;
    }
  }
  return -1;
}

std::string Bucket(const char* le) {
  return std::string("accord_request_duration_seconds_bucket{method=\"") +
         kMethod + "\",le=\"" + le + "\"}";
}

TEST_CASE("ForMethod returns one stable pointer per name", "[http][metrics]") {
  Metrics metrics;
  MethodStats* a = metrics.ForMethod(kMethod);
  MethodStats* b = metrics.ForMethod("/accord.v1.AccessService/ReleaseGrant");
  CHECK(a != b);
  CHECK(metrics.ForMethod(kMethod) == a);
  CHECK(a->method() == kMethod);
}

TEST_CASE("ForMethod answers by name, not by address or object",
          "[http][metrics]") {
  // The same buffer holding another name, and a second Metrics object,
  // must not be answered from the per-thread cache of the first.
  std::string name = "/accord.v1.AccessService/RequestGrant";
  Metrics first;
  MethodStats* grant = first.ForMethod(name);
  name.replace(name.size() - 5, 5, "Xrant");
  MethodStats* other = first.ForMethod(name);
  CHECK(other != grant);
  CHECK(other->method() == name);
  {
    Metrics second;
    MethodStats* s = second.ForMethod(kMethod);
    CHECK(s != first.ForMethod(kMethod));
    CHECK(second.ForMethod(kMethod) == s);
  }
  Metrics third;  // may reuse the storage of `second`
  MethodStats* t = third.ForMethod(kMethod);
  t->Observe(0, 0.001);
  CHECK(Sample(third.RenderPrometheus(),
               std::string("accord_requests_total{method=\"") + kMethod +
                   "\",code=\"OK\"}") == 1);
}

TEST_CASE("Histogram buckets are cumulative and +Inf equals the count",
          "[http][metrics]") {
  Metrics metrics;
  MethodStats* m = metrics.ForMethod(kMethod);
  m->Observe(0, 0.0003);  // <= 0.0005
  m->Observe(0, 0.0005);  // on the bound: counted in le="0.0005"
  m->Observe(0, 0.003);   // <= 0.005
  m->Observe(5, 0.7);     // <= 1
  m->Observe(16, 30);     // +Inf only
  const std::string text = metrics.RenderPrometheus();

  CHECK(Sample(text, Bucket("0.0005")) == 2);
  CHECK(Sample(text, Bucket("0.001")) == 2);
  CHECK(Sample(text, Bucket("0.005")) == 3);
  CHECK(Sample(text, Bucket("0.5")) == 3);
  CHECK(Sample(text, Bucket("1")) == 4);
  CHECK(Sample(text, Bucket("2.5")) == 4);
  CHECK(Sample(text, Bucket("+Inf")) == 5);
  const std::string labels = std::string("{method=\"") + kMethod + "\"}";
  CHECK(Sample(text, "accord_request_duration_seconds_count" + labels) == 5);
  CHECK(Sample(text, "accord_request_duration_seconds_sum" + labels) ==
        Approx(0.0003 + 0.0005 + 0.003 + 0.7 + 30).epsilon(1e-6));

  const std::string req =
      std::string("accord_requests_total{method=\"") + kMethod + "\",code=\"";
  CHECK(Sample(text, req + "OK\"}") == 3);
  CHECK(Sample(text, req + "NOT_FOUND\"}") == 1);
  CHECK(Sample(text, req + "UNAUTHENTICATED\"}") == 1);
  CHECK(Sample(text, req + "INTERNAL\"}") == -1);  // never seen: not rendered

  CHECK(absl::StrContains(
      text, "# TYPE accord_request_duration_seconds histogram\n"));
  CHECK(absl::StrContains(text, "# TYPE accord_requests_total counter\n"));
  CHECK(absl::StrContains(text, "# HELP accord_requests_total "));
}

TEST_CASE("Observe maps odd inputs to UNKNOWN and zero", "[http][metrics]") {
  Metrics metrics;
  MethodStats* m = metrics.ForMethod(kMethod);
  m->Observe(-1, -5);
  m->Observe(99, std::numeric_limits<double>::quiet_NaN());
  const std::string text = metrics.RenderPrometheus();
  CHECK(Sample(text, std::string("accord_requests_total{method=\"") + kMethod +
                         "\",code=\"UNKNOWN\"}") == 2);
  CHECK(Sample(text, Bucket("0.0005")) == 2);
}

TEST_CASE("Gauges without labels render", "[http][metrics]") {
  Metrics metrics;
  CHECK(metrics.SetGauge("log_size", 1234));
  CHECK(metrics.SetGauge("store_revision", 9007199254740992.0));
  CHECK_FALSE(metrics.SetGauge("other", 1));
  const std::string text = metrics.RenderPrometheus();
  CHECK(absl::StrContains(text, "\naccord_log_size 1234\n"));
  CHECK(absl::StrContains(text, "\naccord_store_revision 9007199254740992\n"));
  CHECK(absl::StrContains(text, "# TYPE accord_log_size gauge\n"));
  CHECK(absl::StrContains(text, "# TYPE accord_store_revision gauge\n"));
}

TEST_CASE("The broker's gauges render with their labels", "[http][metrics]") {
  Metrics metrics;
  CHECK(metrics.SetGauge("ready", 1));
  CHECK(metrics.SetGauge("store_free_bytes", 5e9));
  CHECK(metrics.SetGauge("store_reserve_bytes", 67108864));
  CHECK(metrics.SetGauge("checkpoint_size", 42));
  CHECK(metrics.SetGauge("checkpoint_timestamp_seconds", 1700000000.25));
  CHECK(metrics.SetGauge("certificate_expiry_timestamp_seconds", {"tls_cert"},
                         2000000000));
  CHECK(metrics.SetGauge("signing_key_created_timestamp_seconds", {"grant"},
                         1600000000));
  CHECK(metrics.SetGauge("build_info", {"0.1.0", "abc1234"}, 1));
  // Labels where none are declared, or too few, change nothing.
  CHECK_FALSE(metrics.SetGauge("ready", {"x"}, 0));
  CHECK_FALSE(metrics.SetGauge("build_info", {"0.1.0"}, 1));
  CHECK_FALSE(metrics.SetGauge("signing_key_created_timestamp_seconds", 1));
  const std::string text = metrics.RenderPrometheus();
  CHECK(Sample(text, "accord_ready") == 1);
  CHECK(Sample(text, "accord_store_free_bytes") == 5e9);
  CHECK(Sample(text, "accord_store_reserve_bytes") == 67108864);
  CHECK(Sample(text, "accord_checkpoint_size") == 42);
  CHECK(Sample(text, "accord_checkpoint_timestamp_seconds") == 1700000000.25);
  CHECK(Sample(text,
               "accord_certificate_expiry_timestamp_seconds"
               "{cert=\"tls_cert\"}") == 2000000000);
  CHECK(Sample(text,
               "accord_signing_key_created_timestamp_seconds"
               "{ring=\"grant\"}") == 1600000000);
  CHECK(Sample(text,
               "accord_build_info"
               "{version=\"0.1.0\",commit=\"abc1234\"}") == 1);
  CHECK(absl::StrContains(text, "# TYPE accord_build_info gauge\n"));
  CHECK(absl::StrContains(text, "# TYPE accord_ready gauge\n"));
}

TEST_CASE("Group commits render their size and phase histograms",
          "[http][metrics]") {
  Metrics metrics;
  metrics.RecordCommit(1, 0.0003, 0.0004);
  metrics.RecordCommit(40, 0.003, 0.0004);
  metrics.RecordCommit(5000, -1, 30);  // sizes over the last bound, odd times
  const std::string text = metrics.RenderPrometheus();
  CHECK(absl::StrContains(text,
                          "# TYPE accord_store_commit_write_sets histogram\n"));
  CHECK(Sample(text, "accord_store_commit_write_sets_bucket{le=\"1\"}") == 1);
  CHECK(Sample(text, "accord_store_commit_write_sets_bucket{le=\"32\"}") == 1);
  CHECK(Sample(text, "accord_store_commit_write_sets_bucket{le=\"64\"}") == 2);
  CHECK(Sample(text, "accord_store_commit_write_sets_bucket{le=\"+Inf\"}") ==
        3);
  CHECK(Sample(text, "accord_store_commit_write_sets_sum") == 5041);
  CHECK(Sample(text, "accord_store_commit_write_sets_count") == 3);
  const std::string queued =
      "accord_store_commit_seconds_bucket{phase=\"queued\",";
  CHECK(Sample(text, queued + "le=\"0.0005\"}") == 2);  // -1 counts as 0
  CHECK(Sample(text, queued + "le=\"0.005\"}") == 3);
  const std::string write =
      "accord_store_commit_seconds_bucket{phase=\"write\",";
  CHECK(Sample(text, write + "le=\"0.0005\"}") == 2);
  CHECK(Sample(text, write + "le=\"2.5\"}") == 2);
  CHECK(Sample(text, write + "le=\"+Inf\"}") == 3);
  CHECK(Sample(text, "accord_store_commit_seconds_count{phase=\"write\"}") ==
        3);
  CHECK(Sample(text, "accord_store_commit_seconds_sum{phase=\"write\"}") ==
        Approx(30.0008));
}

TEST_CASE("Label values are escaped", "[http][metrics]") {
  Metrics metrics;
  metrics.ForMethod("/a\"b\\c\nd")->Observe(0, 0.1);
  const std::string text = metrics.RenderPrometheus();
  CHECK(absl::StrContains(
      text,
      "accord_requests_total{method=\"/a\\\"b\\\\c\\nd\",code=\"OK\"} 1\n"));
}

TEST_CASE("Method names beyond the cap share one series", "[http][metrics]") {
  Metrics metrics;
  for (size_t i = 0; i < Metrics::kMaxMethods; ++i) {
    metrics.ForMethod("/m" + std::to_string(i));
  }
  MethodStats* extra = metrics.ForMethod("/one-too-many");
  CHECK(extra->method() == "other");
  CHECK(metrics.ForMethod("/another") == extra);
  CHECK(metrics.ForMethod("/m0")->method() == "/m0");
}

TEST_CASE("Concurrent recording loses no count", "[http][metrics]") {
  Metrics metrics;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics] {
      MethodStats* m = metrics.ForMethod(kMethod);
      for (int i = 0; i < kPerThread; ++i) {
        m->Observe(0, 0.001);
      }
    });
  }
  for (auto& t : threads) t.join();
  const std::string text = metrics.RenderPrometheus();
  CHECK(Sample(text, Bucket("+Inf")) == kThreads * kPerThread);
  CHECK(Sample(text, std::string("accord_requests_total{method=\"") + kMethod +
                         "\",code=\"OK\"}") == kThreads * kPerThread);
}

}  // namespace
}  // namespace accord::http
