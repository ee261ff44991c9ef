#ifndef ACCORD_BROKER_HTTP_PROMETHEUS_TEXT_H_
#define ACCORD_BROKER_HTTP_PROMETHEUS_TEXT_H_

// Pieces of the Prometheus text exposition format 0.0.4 shared by the
// renderers of /metrics.

#include <string>

#include "absl/strings/string_view.h"

namespace accord::http {

// A sample value: shortest exact decimal, "NaN", "+Inf" or "-Inf".
std::string FormatPrometheusValue(double v);

// A label value with backslash, double quote and newline escaped.
std::string EscapePrometheusLabel(absl::string_view value);

// Appends the "# HELP" and "# TYPE" lines of the family `name` (full name,
// prefix included).
void AppendPrometheusHeader(std::string* out, absl::string_view name,
                            absl::string_view type, absl::string_view help);

}  // namespace accord::http

#endif  // ACCORD_BROKER_HTTP_PROMETHEUS_TEXT_H_
