#ifndef ACCORD_BROKER_TESTING_METRICS_SAMPLE_H_
#define ACCORD_BROKER_TESTING_METRICS_SAMPLE_H_

// Reading one value of a Prometheus text page in tests.

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace accord::testing {

// The value of the sample line `series` of `text`, -1 when there is none,
// -2 when its value is not a number.
inline double Sample(const std::string& text, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      double v = 0;
      return absl::SimpleAtod(line.substr(series.size() + 1), &v) ? v : -2;
    }
  }
  return -1;
}

}  // namespace accord::testing

#endif  // ACCORD_BROKER_TESTING_METRICS_SAMPLE_H_
