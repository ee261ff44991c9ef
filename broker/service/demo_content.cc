#include "broker/service/demo_content.h"


namespace accord::service {

// Defined in the generated demo_policies.cc.
absl::string_view DemoPolicyYaml(absl::string_view id);
absl::string_view DemoPolicyFile(absl::string_view id);

namespace {

DemoDataset Make(const char* id, const char* title,
                 accord::v1::Classification classification,
                 std::initializer_list<const char*> fields) {
  DemoDataset demo;
  demo.dataset.set_id(id);
  demo.dataset.set_title(title);
  demo.dataset.set_classification(classification);
  for (const char* f : fields) demo.dataset.add_fields(f);
  demo.policy_yaml = DemoPolicyYaml(id);
  demo.policy_file = std::string(DemoPolicyFile(id));
  return demo;
}

}  // namespace

const std::vector<DemoDataset>& DemoDatasets() {
  static const auto* datasets = new std::vector<DemoDataset>{
      Make("rennes.mobility.bike-stations",
           "Bike-sharing station status (live)",
           accord::v1::CLASSIFICATION_OPEN,
           {"station_id", "name", "lat", "lon", "bikes_available",
            "docks_available", "updated_at"}),
      Make("rennes.environment.air-quality", "Air-quality sensor readings",
           accord::v1::CLASSIFICATION_RESTRICTED,
           {"sensor_id", "lat", "lon", "pm25", "pm10", "no2", "measured_at"}),
      Make("rennes.energy.household-consumption",
           "Household energy consumption, daily",
           accord::v1::CLASSIFICATION_PERSONAL,
           {"household_id", "subject", "day", "kwh", "tariff", "district"}),
  };
  return *datasets;
}

}  // namespace accord::service
