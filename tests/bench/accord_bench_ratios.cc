#include "tests/bench/accord_bench_ratios.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace accord::bench {
namespace {

constexpr char kGrantOpen[] = "grant-personal-10-open";
constexpr char kHealthOpen[] = "health-open";
constexpr char kFloorOpen[] = "floor-open";

const ScenarioReport* Find(const std::vector<ScenarioReport>& reports,
                           int round, const std::string& name) {
  for (const ScenarioReport& r : reports) {
    if (std::max(r.round, 1) == round && r.name == name) return &r;
  }
  return nullptr;
}

double Ms(int64_t nanos) { return static_cast<double>(nanos) / 1e6; }

double P(const ScenarioReport& r, double q) {
  return r.load.latency == nullptr ? 0 : Ms(r.load.latency->Quantile(q));
}

}  // namespace

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2]
                           : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::vector<double> RoundRatios(const std::vector<ScenarioReport>& reports,
                                int rounds, const std::string& numerator,
                                const std::string& denominator) {
  std::vector<double> ratios;
  for (int round = 1; round <= rounds; ++round) {
    const ScenarioReport* num = Find(reports, round, numerator);
    const ScenarioReport* den = Find(reports, round, denominator);
    if (num == nullptr || den == nullptr) continue;
    if (num->ok_per_second() > 0 && den->ok_per_second() > 0) {
      ratios.push_back(num->ok_per_second() / den->ok_per_second());
    }
  }
  return ratios;
}

std::string RatioLine(const std::string& numerator,
                      const std::string& denominator,
                      const std::vector<double>& ratios, double target) {
  if (ratios.empty()) return "";
  return absl::StrFormat(
      "%s / %s: %.3f (median of %d round(s): %s; target >= %.2f)\n", numerator,
      denominator, Median(ratios), static_cast<int>(ratios.size()),
      absl::StrJoin(ratios, " ",
                    [](std::string* out, double x) {
                      absl::StrAppendFormat(out, "%.3f", x);
                    }),
      target);
}

std::vector<std::string> ConsentScenarios(
    const std::vector<ScenarioReport>& reports) {
  std::vector<std::string> names;
  for (const ScenarioReport& r : reports) {
    if (absl::StartsWith(r.name, "consent-") &&
        std::find(names.begin(), names.end(), r.name) == names.end()) {
      names.push_back(r.name);
    }
  }
  return names;
}

std::string OpenLoopSummary(const std::vector<ScenarioReport>& reports,
                            int rounds) {
  std::string out;
  for (int round = 1; round <= rounds; ++round) {
    const ScenarioReport* grant = Find(reports, round, kGrantOpen);
    if (grant == nullptr) continue;
    absl::StrAppendFormat(&out, "open loop at %.0f/s, round %d, p50 / p99 ms:",
                          grant->rate, round);
    for (const char* name : {kHealthOpen, kGrantOpen, kFloorOpen}) {
      if (const ScenarioReport* r = Find(reports, round, name)) {
        absl::StrAppendFormat(&out, " %s %.2f / %.2f;", name, P(*r, 0.5),
                              P(*r, 0.99));
      }
    }
    const ScenarioReport* floor = Find(reports, round, kFloorOpen);
    if (floor != nullptr && P(*floor, 0.99) > 0) {
      absl::StrAppendFormat(&out, " grant p99 / floor p99 %.2f",
                            P(*grant, 0.99) / P(*floor, 0.99));
    }
    out.push_back('\n');
  }
  return out;
}

formats::JsonValue OpenLoopJson(const std::vector<ScenarioReport>& reports,
                                int rounds) {
  formats::JsonValue out = formats::JsonValue::Array();
  for (int round = 1; round <= rounds; ++round) {
    const ScenarioReport* grant = Find(reports, round, kGrantOpen);
    if (grant == nullptr) continue;
    formats::JsonValue row = formats::JsonValue::Object();
    row.Set("round", round).Set("rate", grant->rate);
    for (const char* name : {kHealthOpen, kGrantOpen, kFloorOpen}) {
      if (const ScenarioReport* r = Find(reports, round, name)) {
        formats::JsonValue tails = formats::JsonValue::Object();
        tails.Set("p50", P(*r, 0.5)).Set("p99", P(*r, 0.99));
        row.Set(name, std::move(tails));
      }
    }
    const ScenarioReport* floor = Find(reports, round, kFloorOpen);
    if (floor != nullptr && P(*floor, 0.99) > 0) {
      row.Set("grant_p99_to_floor_p99", P(*grant, 0.99) / P(*floor, 0.99));
    }
    out.Push(std::move(row));
  }
  return out;
}

}  // namespace accord::bench
