#include "broker/service/demo_content.h"

#include <utility>

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

// The PERSONAL dataset's texts for citizens, which consent requests on it
// show in their notices.
DemoDataset WithHouseholdTexts(DemoDataset demo) {
  accord::v1::Dataset& d = demo.dataset;
  d.mutable_description()->set_fr(
      "La consommation d'électricité de votre foyer, relevée chaque jour par "
      "votre compteur communicant.");
  d.mutable_description()->set_en(
      "Your household's electricity consumption, read every day by your "
      "smart meter.");
  const std::pair<const char*, std::pair<const char*, const char*>> fields[] = {
      {"household_id",
       {"L'identifiant de votre foyer chez le distributeur.",
        "Your household's identifier at the distributor."}},
      {"subject",
       {"Un pseudonyme qui vous représente, sans votre nom.",
        "A pseudonym standing for you, without your name."}},
      {"day", {"Le jour du relevé.", "The day of the reading."}},
      {"kwh",
       {"L'électricité consommée ce jour-là, en kilowattheures.",
        "The electricity used that day, in kilowatt-hours."}},
      {"tariff",
       {"Votre option tarifaire (base, heures creuses...).",
        "Your tariff option (base, off-peak...)."}},
      {"district",
       {"Votre quartier de Rennes, sans l'adresse.",
        "Your district of Rennes, without the address."}},
  };
  for (const auto& [field, texts] : fields) {
    accord::v1::FieldDescription* description = d.add_field_descriptions();
    description->set_field(field);
    description->mutable_text()->set_fr(texts.first);
    description->mutable_text()->set_en(texts.second);
  }
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
      WithHouseholdTexts(Make(
          "rennes.energy.household-consumption",
          "Household energy consumption, daily",
          accord::v1::CLASSIFICATION_PERSONAL,
          {"household_id", "subject", "day", "kwh", "tariff", "district"})),
  };
  return *datasets;
}

}  // namespace accord::service
