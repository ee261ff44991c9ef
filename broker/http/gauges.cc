#include "broker/http/gauges.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/http/prometheus_text.h"

namespace accord::http {

Gauges::Gauges(absl::string_view prefix, std::vector<GaugeSpec> specs)
    : prefix_(prefix), specs_(std::move(specs)), series_(specs_.size()) {}

bool Gauges::Set(absl::string_view name,
                 absl::Span<const absl::string_view> label_values,
                 double value) {
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (specs_[i].name != name) continue;
    if (specs_[i].labels.size() != label_values.size()) return false;
    std::vector<std::string> key(label_values.begin(), label_values.end());
    absl::MutexLock l(&mu_);
    series_[i][std::move(key)] = value;
    return true;
  }
  return false;
}

void Gauges::Render(std::string* out) const {
  absl::MutexLock l(&mu_);
  for (size_t i = 0; i < specs_.size(); ++i) {
    const GaugeSpec& spec = specs_[i];
    const std::string name = absl::StrCat(prefix_, spec.name);
    AppendPrometheusHeader(out, name, "gauge", spec.help);
    for (const auto& [values, value] : series_[i]) {
      absl::StrAppend(out, name);
      if (!values.empty()) {
        absl::StrAppend(out, "{");
        for (size_t j = 0; j < values.size(); ++j) {
          absl::StrAppend(out, j == 0 ? "" : ",", spec.labels[j], "=\"",
                          EscapePrometheusLabel(values[j]), "\"");
        }
        absl::StrAppend(out, "}");
      }
      absl::StrAppend(out, " ", FormatPrometheusValue(value), "\n");
    }
  }
}

}  // namespace accord::http
