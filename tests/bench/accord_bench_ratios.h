#ifndef ACCORD_TESTS_BENCH_ACCORD_BENCH_RATIOS_H_
#define ACCORD_TESTS_BENCH_ACCORD_BENCH_RATIOS_H_

// accord-bench's comparisons of scenarios measured in the same run: the
// throughput of one scenario over another's, round by round (grant /
// health, grant / floor), and the open-loop tails of the grant, the health
// check and the floor side by side.

#include <string>
#include <vector>

#include "broker/formats/json.h"
#include "tests/bench/accord_bench_report.h"

namespace accord::bench {

// The median of `v`; 0 when it is empty.
double Median(std::vector<double> v);

// For each round 1..`rounds` in which both ran with OK calls, the OK
// calls/s of scenario `numerator` over those of `denominator`, in round
// order (reports of a single-round run have round 0, taken as round 1).
std::vector<double> RoundRatios(const std::vector<ScenarioReport>& reports,
                                int rounds, const std::string& numerator,
                                const std::string& denominator);

// "NUMERATOR / DENOMINATOR: M (median of N round(s): r1 r2 ...; target >=
// T)" and a newline, M the median of `ratios`; "" when `ratios` is empty.
std::string RatioLine(const std::string& numerator,
                      const std::string& denominator,
                      const std::vector<double>& ratios, double target);

// The GiveConsent scenarios (`consent-...`) of `reports`, in the order they
// first ran, each once.
std::vector<std::string> ConsentScenarios(
    const std::vector<ScenarioReport>& reports);

// One line per round that ran grant-personal-10-open: its p50 / p99 in ms
// next to those of health-open and floor-open of the same round (those
// that ran), and grant p99 / floor p99 when the floor ran. Empty when no
// open-loop grant ran.
std::string OpenLoopSummary(const std::vector<ScenarioReport>& reports,
                            int rounds);

// The same as JSON: an array of {round, rate, <scenario>: {p50, p99}...,
// grant_p99_to_floor_p99}.
formats::JsonValue OpenLoopJson(const std::vector<ScenarioReport>& reports,
                                int rounds);

}  // namespace accord::bench

#endif  // ACCORD_TESTS_BENCH_ACCORD_BENCH_RATIOS_H_
