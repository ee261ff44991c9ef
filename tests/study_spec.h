#ifndef ACCORD_TESTS_STUDY_SPEC_H_
#define ACCORD_TESTS_STUDY_SPEC_H_

// The consent request the integration tests draft as partner-demo on the
// demo household energy dataset, which its policy permits: a 90-day
// consent for public-benefit energy research, three duties, French and
// English notices, open for 30 days from `now`.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "accord/v1/requests.pb.h"

namespace accord::testing {

inline accord::v1::ConsentRequestSpec StudySpec(int64_t now) {
  accord::v1::ConsentRequestSpec spec;
  spec.set_dataset_id("rennes.energy.household-consumption");
  spec.set_purpose("public-benefit.energy");
  for (const char* field : {"subject", "day", "kwh"}) spec.add_fields(field);
  spec.set_consent_duration_seconds(90 * 86400);
  for (const auto& [kind, value] :
       std::vector<std::pair<std::string, std::string>>{
           {"delete_after", "86400"},
           {"aggregate_min_k", "10"},
           {"no_onward_transfer", ""}}) {
    accord::v1::Duty* d = spec.add_duties();
    d->set_kind(kind);
    d->set_value(value);
  }
  spec.mutable_title()->set_fr("Consommation et isolation des logements");
  spec.mutable_title()->set_en("Consumption and home insulation");
  spec.mutable_description()->set_fr(
      "Nous comparons la consommation avant et après des travaux.");
  spec.mutable_public_benefit()->set_fr("Mieux choisir les travaux aidés.");
  accord::v1::Responsible* r = spec.mutable_responsible();
  r->set_organisation("Agence locale de l'énergie");
  r->set_name("Cheffe de projet");
  r->set_role("project-lead");
  r->set_email("projet@alec.example");
  spec.set_opens_at(now);
  spec.set_closes_at(now + 30 * 86400);
  return spec;
}

}  // namespace accord::testing

#endif  // ACCORD_TESTS_STUDY_SPEC_H_
