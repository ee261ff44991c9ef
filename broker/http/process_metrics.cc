#include "broker/http/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "broker/http/prometheus_text.h"

namespace accord::http {
namespace {

absl::StatusOr<std::string> ReadProcFile(const char* path) {
  std::ifstream in(path);
  if (!in) return absl::UnavailableError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Entries of /proc/self/fd but the one reading it; -1 when unreadable.
int64_t CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  const int own = dirfd(dir);
  int64_t count = 0;
  while (const dirent* e = readdir(dir)) {
    int fd = 0;
    if (absl::SimpleAtoi(e->d_name, &fd) && fd != own) ++count;
  }
  closedir(dir);
  return count;
}

void Gauge(std::string* out, absl::string_view name, absl::string_view help,
           double value) {
  AppendPrometheusHeader(out, name, "gauge", help);
  absl::StrAppend(out, name, " ", FormatPrometheusValue(value), "\n");
}

}  // namespace

absl::StatusOr<ProcStat> ParseProcStat(absl::string_view text) {
  const size_t paren = text.rfind(')');
  if (paren == absl::string_view::npos) {
    return absl::InvalidArgumentError("/proc stat: no command name");
  }
  // Field 3 (the state) is the first after the command name.
  std::vector<absl::string_view> fields =
      absl::StrSplit(text.substr(paren + 1), ' ', absl::SkipWhitespace());
  constexpr size_t kFirst = 3;
  auto field = [&](size_t number, uint64_t* value) {
    return number - kFirst < fields.size() &&
           absl::SimpleAtoi(fields[number - kFirst], value);
  };
  ProcStat stat;
  if (!field(14, &stat.utime_ticks) || !field(15, &stat.stime_ticks) ||
      !field(22, &stat.start_ticks) || !field(23, &stat.vsize_bytes) ||
      !field(24, &stat.rss_pages)) {
    return absl::InvalidArgumentError("/proc stat: missing or bad field");
  }
  return stat;
}

absl::StatusOr<int64_t> ParseBootTime(absl::string_view proc_stat) {
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (!absl::ConsumePrefix(&line, "btime ")) continue;
    int64_t seconds = 0;
    if (!absl::SimpleAtoi(line, &seconds)) break;
    return seconds;
  }
  return absl::InvalidArgumentError("/proc/stat: no btime line");
}

ProcessStats ToProcessStats(const ProcStat& stat, int64_t boot_time_seconds,
                            int64_t ticks_per_second, int64_t page_size) {
  const double ticks = static_cast<double>(ticks_per_second);
  ProcessStats s;
  s.cpu_seconds =
      static_cast<double>(stat.utime_ticks + stat.stime_ticks) / ticks;
  s.resident_memory_bytes =
      static_cast<double>(stat.rss_pages) * static_cast<double>(page_size);
  s.virtual_memory_bytes = static_cast<double>(stat.vsize_bytes);
  s.start_time_seconds = static_cast<double>(boot_time_seconds) +
                         static_cast<double>(stat.start_ticks) / ticks;
  return s;
}

absl::StatusOr<ProcessStats> ReadProcessStats() {
  auto self = ReadProcFile("/proc/self/stat");
  if (!self.ok()) return self.status();
  auto system = ReadProcFile("/proc/stat");
  if (!system.ok()) return system.status();
  auto stat = ParseProcStat(*self);
  if (!stat.ok()) return stat.status();
  auto boot = ParseBootTime(*system);
  if (!boot.ok()) return boot.status();
  ProcessStats s =
      ToProcessStats(*stat, *boot, sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE));
  const int64_t fds = CountOpenFds();
  if (fds < 0) return absl::UnavailableError("cannot read /proc/self/fd");
  s.open_fds = static_cast<double>(fds);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::UnavailableError("getrlimit(RLIMIT_NOFILE) failed");
  }
  s.max_fds = limit.rlim_cur == RLIM_INFINITY
                  ? std::numeric_limits<double>::infinity()
                  : static_cast<double>(limit.rlim_cur);
  return s;
}

void RenderProcessMetrics(const ProcessStats& stats, std::string* out) {
  AppendPrometheusHeader(out, "process_cpu_seconds_total", "counter",
                         "Total user and system CPU time spent in seconds.");
  absl::StrAppend(out, "process_cpu_seconds_total ",
                  FormatPrometheusValue(stats.cpu_seconds), "\n");
  Gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
        stats.resident_memory_bytes);
  Gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
        stats.virtual_memory_bytes);
  Gauge(out, "process_open_fds", "Number of open file descriptors.",
        stats.open_fds);
  Gauge(out, "process_max_fds", "Maximum number of open file descriptors.",
        stats.max_fds);
  Gauge(out, "process_start_time_seconds",
        "Start time of the process since unix epoch in seconds.",
        stats.start_time_seconds);
}

}  // namespace accord::http
