#ifndef ACCORD_BROKER_SERVICE_DEMO_CONTENT_H_
#define ACCORD_BROKER_SERVICE_DEMO_CONTENT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "accord/v1/common.pb.h"

namespace accord::service {

// A demo dataset of dev mode, modelled on RUDI, with its policy. The policy
// texts are the example files of policy/examples/, compiled in, so the
// policy test suites there test exactly what dev mode serves.
struct DemoDataset {
  accord::v1::Dataset dataset;
  absl::string_view policy_yaml;
  std::string policy_file;
};

// OPEN bike-sharing station status, RESTRICTED air-quality readings and
// PERSONAL household energy consumption.
const std::vector<DemoDataset>& DemoDatasets();

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_DEMO_CONTENT_H_
