#ifndef ACCORD_CLIENTS_EXAMPLES_HOUSEHOLD_RECORDS_H_
#define ACCORD_CLIENTS_EXAMPLES_HOUSEHOLD_RECORDS_H_

// Deterministic fake records of the PERSONAL demo dataset
// rennes.energy.household-consumption: a few days of household energy use
// per subject pseudonym. The same pseudonym always gets the same records.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace accord::examples {

inline constexpr char kHouseholdDataset[] =
    "rennes.energy.household-consumption";

// One record: field name to value, for every field of the dataset
// (household_id, subject, day, kwh, tariff, district).
using HouseholdRecord = std::map<std::string, std::string>;

// The dataset's fields, in order.
const std::vector<std::string>& HouseholdFields();

// `days` records for `subject`, one per day from 2024-01-01.
std::vector<HouseholdRecord> HouseholdRecordsFor(const std::string& subject,
                                                 int days = 3);

// Reads the pseudonyms to serve from a JSON file holding an array of
// strings (or an object with a "subjects" array). Returns them, or
// NOT_FOUND / INVALID_ARGUMENT naming the file.
absl::StatusOr<std::vector<std::string>> ReadSubjectsFile(
    const std::string& path);

}  // namespace accord::examples

#endif  // ACCORD_CLIENTS_EXAMPLES_HOUSEHOLD_RECORDS_H_
