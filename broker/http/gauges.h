#ifndef ACCORD_BROKER_HTTP_GAUGES_H_
#define ACCORD_BROKER_HTTP_GAUGES_H_

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace accord::http {

// One gauge family: its name (without the registry's prefix), help text and
// label names (none for a single series).
struct GaugeSpec {
  absl::string_view name;
  absl::string_view help;
  std::vector<absl::string_view> labels;
};

// Gauges set by name, rendered in the Prometheus text format 0.0.4: every
// declared family has its HELP and TYPE lines, then one line per series
// set so far, in label order. Setting takes a short lock: gauges are set at
// a scrape or a few times a second, never per call. Thread-safe.
class Gauges {
 public:
  // `prefix` is prepended to every name ("accord_").
  Gauges(absl::string_view prefix, std::vector<GaugeSpec> specs);
  Gauges(const Gauges&) = delete;
  Gauges& operator=(const Gauges&) = delete;

  // Sets the series of `name` with `label_values`, given in the order of
  // the declared label names (none for a family without labels). Returns
  // false, and changes nothing, for an undeclared name or a wrong number of
  // label values.
  bool Set(absl::string_view name,
           absl::Span<const absl::string_view> label_values, double value)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Appends every family in declaration order.
  void Render(std::string* out) const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const std::string prefix_;
  const std::vector<GaugeSpec> specs_;
  mutable absl::Mutex mu_;
  // Per family: label values -> value.
  std::vector<std::map<std::vector<std::string>, double>> series_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::http

#endif  // ACCORD_BROKER_HTTP_GAUGES_H_
