#ifndef ACCORD_BROKER_HTTP_PROCESS_METRICS_H_
#define ACCORD_BROKER_HTTP_PROCESS_METRICS_H_

// The standard process metrics of Prometheus client libraries, read from
// /proc/self (Linux):
//   process_cpu_seconds_total       counter: user and system CPU time
//   process_resident_memory_bytes   gauge
//   process_virtual_memory_bytes    gauge
//   process_open_fds                gauge
//   process_max_fds                 gauge: the soft limit (+Inf: none)
//   process_start_time_seconds      gauge: Unix time of the start

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::http {

// The fields of /proc/<pid>/stat the metrics need, in the kernel's units.
struct ProcStat {
  uint64_t utime_ticks = 0;  // field 14
  uint64_t stime_ticks = 0;  // field 15
  uint64_t start_ticks = 0;  // field 22: clock ticks after boot
  uint64_t vsize_bytes = 0;  // field 23
  uint64_t rss_pages = 0;    // field 24
};

// Parses the one line of /proc/<pid>/stat. The command name (field 2) may
// hold spaces and parentheses: fields are counted after its last ')'.
// Errors: INVALID_ARGUMENT when a field is missing or not a number.
absl::StatusOr<ProcStat> ParseProcStat(absl::string_view text);

// The boot time (Unix seconds) from the "btime" line of /proc/stat.
// Errors: INVALID_ARGUMENT when there is no such line or it is malformed.
absl::StatusOr<int64_t> ParseBootTime(absl::string_view proc_stat);

struct ProcessStats {
  double cpu_seconds = 0;
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
  double start_time_seconds = 0;
};

// The figures of /proc/<pid>/stat and the boot time, given the clock ticks
// per second and the page size.
ProcessStats ToProcessStats(const ProcStat& stat, int64_t boot_time_seconds,
                            int64_t ticks_per_second, int64_t page_size);

// This process's figures, from /proc/self/stat, /proc/stat, /proc/self/fd
// and the RLIMIT_NOFILE soft limit. Errors: UNAVAILABLE when /proc cannot
// be read (not Linux), INVALID_ARGUMENT when it cannot be parsed.
absl::StatusOr<ProcessStats> ReadProcessStats();

// Appends the six process_* families.
void RenderProcessMetrics(const ProcessStats& stats, std::string* out);

}  // namespace accord::http

#endif  // ACCORD_BROKER_HTTP_PROCESS_METRICS_H_
