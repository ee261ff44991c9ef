#include "broker/http/process_metrics.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <string>

#include "absl/strings/match.h"

namespace accord::http {
namespace {

// A /proc/<pid>/stat line whose command name holds spaces and parentheses
// (fields 14, 15, 22, 23, 24: 250, 150, 12345, 104857600, 2560).
constexpr char kStat[] =
    "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 150 0 0 "
    "20 0 8 0 12345 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 4096 "
    "0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

TEST_CASE("ParseProcStat counts fields after the command name",
          "[http][process-metrics]") {
  auto stat = ParseProcStat(kStat);
  REQUIRE(stat.ok());
  CHECK(stat->utime_ticks == 250);
  CHECK(stat->stime_ticks == 150);
  CHECK(stat->start_ticks == 12345);
  CHECK(stat->vsize_bytes == 104857600);
  CHECK(stat->rss_pages == 2560);
}

TEST_CASE("ParseProcStat refuses truncated or malformed lines",
          "[http][process-metrics]") {
  CHECK(ParseProcStat("").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ParseProcStat("1 (cmd) S 1 2 3").status().code() ==
        absl::StatusCode::kInvalidArgument);
  std::string bad = kStat;
  bad.replace(bad.find(" 250 "), 5, " x50 ");
  CHECK(ParseProcStat(bad).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ParseBootTime reads the btime line", "[http][process-metrics]") {
  auto boot = ParseBootTime(
      "cpu  1 2 3 4\nintr 5\nctxt 6\nbtime 1700000000\nprocesses 7\n");
  REQUIRE(boot.ok());
  CHECK(*boot == 1700000000);
  CHECK_FALSE(ParseBootTime("cpu 1 2 3\n").ok());
  CHECK_FALSE(ParseBootTime("btime soon\n").ok());
}

TEST_CASE("ToProcessStats converts ticks and pages",
          "[http][process-metrics]") {
  auto stat = ParseProcStat(kStat);
  REQUIRE(stat.ok());
  ProcessStats s = ToProcessStats(*stat, 1700000000, 100, 4096);
  CHECK(s.cpu_seconds == Approx(4.0));
  CHECK(s.resident_memory_bytes == 2560.0 * 4096);
  CHECK(s.virtual_memory_bytes == 104857600.0);
  CHECK(s.start_time_seconds == Approx(1700000123.45));
}

TEST_CASE("RenderProcessMetrics writes the six standard families",
          "[http][process-metrics]") {
  ProcessStats s;
  s.cpu_seconds = 4;
  s.resident_memory_bytes = 10485760;
  s.virtual_memory_bytes = 104857600;
  s.open_fds = 12;
  s.max_fds = 1024;
  s.start_time_seconds = 1700000123.5;
  std::string out;
  RenderProcessMetrics(s, &out);
  CHECK(absl::StrContains(out,
                          "# TYPE process_cpu_seconds_total counter\n"
                          "process_cpu_seconds_total 4\n"));
  CHECK(absl::StrContains(out,
                          "# TYPE process_resident_memory_bytes gauge\n"
                          "process_resident_memory_bytes 10485760\n"));
  CHECK(absl::StrContains(out,
                          "# TYPE process_virtual_memory_bytes gauge\n"
                          "process_virtual_memory_bytes 104857600\n"));
  CHECK(absl::StrContains(out,
                          "# TYPE process_open_fds gauge\n"
                          "process_open_fds 12\n"));
  CHECK(absl::StrContains(out,
                          "# TYPE process_max_fds gauge\n"
                          "process_max_fds 1024\n"));
  CHECK(absl::StrContains(out,
                          "# TYPE process_start_time_seconds gauge\n"
                          "process_start_time_seconds 1700000123.5\n"));
  CHECK(absl::StrContains(out, "# HELP process_open_fds "));
}

TEST_CASE("ReadProcessStats describes this process",
          "[http][process-metrics]") {
  auto before = ReadProcessStats();
  REQUIRE(before.ok());
  CHECK(before->resident_memory_bytes > 0);
  CHECK(before->virtual_memory_bytes >= before->resident_memory_bytes);
  CHECK(before->start_time_seconds <=
        static_cast<double>(std::time(nullptr)) + 2);
  CHECK(before->start_time_seconds > 1e9);
  CHECK(before->max_fds >= before->open_fds);
  // A file descriptor opened here is counted.
  const int fd = dup(STDERR_FILENO);
  REQUIRE(fd >= 0);
  auto after = ReadProcessStats();
  close(fd);
  REQUIRE(after.ok());
  CHECK(after->open_fds == before->open_fds + 1);
  CHECK(after->cpu_seconds >= before->cpu_seconds);
  CHECK(after->start_time_seconds == before->start_time_seconds);
}

}  // namespace
}  // namespace accord::http
