#ifndef ACCORD_TESTS_BENCH_ACCORD_BENCH_REPORT_H_
#define ACCORD_TESTS_BENCH_ACCORD_BENCH_REPORT_H_

// accord-bench's figures for one scenario, and their table and JSON forms.

#include <cstdint>
#include <string>
#include <vector>

#include "broker/formats/json.h"
#include "tests/bench/accord_bench_load.h"

namespace accord::bench {

struct ScenarioReport {
  std::string name;
  int round = 0;
  bool open_loop = false;
  int in_flight = 0;  // closed loop
  double rate = 0;    // open loop, calls/s asked for
  LoadResult load;
  double wall_seconds = 0;        // the whole run, warm-up and drain included
  bool broker_measured = false;   // the broker's pid is known
  double broker_cpu_seconds = 0;  // over the whole run
  double bench_cpu_seconds = 0;   // this process, over the whole run
  uint64_t broker_rss_max = 0;    // sampled every 50 ms during the run
  uint64_t broker_hwm = 0;        // VmHWM after the run
  // Grants the broker's accord_grants_issued_total counted during the run;
  // -1 when /metrics was not read.
  double metric_grants = -1;
  // Whether metric_grants equals the grants in the responses.
  bool metrics_agree() const {
    return metric_grants < 0 ||
           static_cast<uint64_t>(metric_grants) == load.grants_all_calls;
  }
  double ok_per_second() const {
    return load.seconds > 0 ? load.ok / load.seconds : 0;
  }
};

// One line per scenario: name, mode, concurrency or rate, OK calls/s,
// p50/p95/p99/p99.9 and max latency in ms, errors, grants/s, broker CPU per
// call (µs) and cores used, broker peak RSS (MiB), the /metrics check.
std::string FormatTable(const std::vector<ScenarioReport>& reports);
// The table's header line, and the line of one scenario.
std::string TableHeader();
std::string TableRow(const ScenarioReport& report);

// The same figures, plus error labels and per-kind counts, as JSON.
formats::JsonValue ToJson(const ScenarioReport& report);

}  // namespace accord::bench

#endif  // ACCORD_TESTS_BENCH_ACCORD_BENCH_REPORT_H_
