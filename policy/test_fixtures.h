#ifndef ACCORD_POLICY_TEST_FIXTURES_H_
#define ACCORD_POLICY_TEST_FIXTURES_H_

// Shared context for the policy tests: the default taxonomy, a directory of
// partners and the three demo datasets. Test-only.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "policy/compiled.h"
#include "policy/model.h"
#include "policy/parse.h"
#include "policy/taxonomy.h"

namespace accord::policy::testing {

inline const Taxonomy& DefaultTaxonomy() {
  static const Taxonomy* t = new Taxonomy(*Taxonomy::Default());
  return *t;
}

inline Directory DemoDirectory() {
  Directory d;
  d.principal_categories = {{"partner-demo", "academic"},
                            {"univ-rennes", "academic"},
                            {"rennes-metropole", "public-service"},
                            {"velo-asso", "association"},
                            {"adtech", "company"},
                            {"loner", ""}};
  d.categories = {"academic", "public-service", "association", "company"};
  return d;
}

inline DatasetInfo BikeStations() {
  return {"rennes.mobility.bike-stations",
          Classification::kOpen,
          {"station_id", "name", "lat", "lon", "bikes_available",
           "docks_available", "updated_at"}};
}

inline DatasetInfo AirQuality() {
  return {"rennes.environment.air-quality",
          Classification::kRestricted,
          {"sensor_id", "lat", "lon", "pm25", "pm10", "no2", "measured_at"}};
}

inline DatasetInfo Household() {
  return {"rennes.energy.household-consumption",
          Classification::kPersonal,
          {"household_id", "subject", "day", "kwh", "tariff", "district"}};
}

// Parses YAML `source` for `dataset` in the demo context.
inline absl::StatusOr<Policy> ParseDemo(absl::string_view source,
                                        const DatasetInfo& dataset) {
  return ParsePolicy(source, SourceFormat::kYaml, "p.yaml", dataset,
                     DefaultTaxonomy(), DemoDirectory());
}

// Parses and compiles; the test fails on error.
inline absl::StatusOr<CompiledPolicy> CompileDemo(absl::string_view source,
                                                  const DatasetInfo& dataset) {
  absl::StatusOr<Policy> p = ParseDemo(source, dataset);
  if (!p.ok()) return p.status();
  return Compile(*p, dataset, DefaultTaxonomy(), DemoDirectory());
}

}  // namespace accord::policy::testing

#endif  // ACCORD_POLICY_TEST_FIXTURES_H_
