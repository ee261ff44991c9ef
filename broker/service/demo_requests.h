#ifndef ACCORD_BROKER_SERVICE_DEMO_REQUESTS_H_
#define ACCORD_BROKER_SERVICE_DEMO_REQUESTS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "accord/v1/admin.pb.h"
#include "accord/v1/requests.pb.h"
#include "broker/service/env.h"

namespace accord::service {

// A consent request dev mode opens on the PERSONAL demo dataset.
struct DemoRequest {
  absl::string_view partner;
  accord::v1::ConsentRequestSpec spec;
};

// The academic partner of dev mode's second request: a research lab
// known by its certificate URI (dev mode issues it no certificate).
accord::v1::Principal DemoLabPartner();

// An energy-poverty study by partner-demo and a research project by the
// lab, both open from `now` for a year, with French and English texts.
std::vector<DemoRequest> DemoRequests(int64_t now);

// Adds the lab partner and opens the demo requests, each through its
// whole lifecycle (DRAFT, PENDING_APPROVAL, OPEN, with their audit
// events), unless the store holds consent requests already.
absl::Status SeedDemoRequests(const Env& env, int64_t now);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_DEMO_REQUESTS_H_
