#ifndef ACCORD_CLIENTS_EXAMPLES_RECORD_ACCESS_H_
#define ACCORD_CLIENTS_EXAMPLES_RECORD_ACCESS_H_

// What the example data service serves for a verified grant: the records
// of the granted subjects, projected on the granted fields. Plain logic, no
// gRPC, so it is testable on its own.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/examples/household_records.h"
#include "clients/verifier/grant.h"

namespace accord::examples {

struct RecordRequest {
  std::vector<std::string> fields;    // empty: all the grant's fields
  std::vector<std::string> subjects;  // empty: all the grant's subjects
};

struct ServedRecords {
  std::vector<std::string> fields;  // served, in the grant's order
  std::vector<HouseholdRecord> records;
};

// Serves `request` under `grant` from the records of `known_subjects`
// (the subjects this service holds). Returns the records; PERMISSION_DENIED
// naming the dataset, field or subject when the grant is for another
// dataset, has no subject list, or does not cover a requested field or
// subject. Requested subjects the service does not hold yield no record.
absl::StatusOr<ServedRecords> ServeRecords(
    const verifier::Grant& grant, const RecordRequest& request,
    const std::vector<std::string>& known_subjects);

}  // namespace accord::examples

#endif  // ACCORD_CLIENTS_EXAMPLES_RECORD_ACCESS_H_
