#include "broker/service/logging.h"

#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/formats/json.h"

namespace accord::service {

void Log(
    absl::string_view level, absl::string_view msg,
    std::initializer_list<std::pair<absl::string_view, std::string>> fields) {
  std::string line = "{\"ts\":";
  formats::AppendJsonString(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                                             absl::Now(), absl::UTCTimeZone()),
                            &line);
  line += ",\"level\":";
  formats::AppendJsonString(level, &line);
  line += ",\"msg\":";
  formats::AppendJsonString(msg, &line);
  for (const auto& [key, value] : fields) {
    line += ",";
    formats::AppendJsonString(key, &line);
    line += ":";
    formats::AppendJsonString(value, &line);
  }
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace accord::service
