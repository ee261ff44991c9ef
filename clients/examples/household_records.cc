#include "clients/examples/household_records.h"

#include <cstdint>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "broker/crypto/sha256.h"
#include "broker/formats/json.h"

namespace accord::examples {
namespace {

// A stable pseudo-random number for (subject, salt).
uint64_t Stable(const std::string& subject, absl::string_view salt) {
  const crypto::Digest d = crypto::Sha256(absl::StrCat(salt, "\n", subject));
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | d[i];
  return v;
}

}  // namespace

const std::vector<std::string>& HouseholdFields() {
  static const auto* fields = new std::vector<std::string>{
      "household_id", "subject", "day", "kwh", "tariff", "district"};
  return *fields;
}

std::vector<HouseholdRecord> HouseholdRecordsFor(const std::string& subject,
                                                 int days) {
  static const char* kDistricts[] = {"Centre",    "Thabor",  "Bourg-l'Evesque",
                                     "Villejean", "Cleunay", "Maurepas"};
  static const char* kTariffs[] = {"base", "peak-off-peak", "tempo"};
  const uint64_t h = Stable(subject, "household");
  std::vector<HouseholdRecord> records;
  for (int day = 1; day <= days; ++day) {
    const uint64_t use = Stable(subject, absl::StrCat("day-", day));
    records.push_back({
        {"household_id",
         absl::StrFormat("hh-%06u", static_cast<unsigned>(h % 1000000))},
        {"subject", subject},
        {"day", absl::StrFormat("2024-01-%02d", day)},
        {"kwh",
         absl::StrFormat("%.1f", 4.0 + static_cast<double>(use % 160) / 10)},
        {"tariff", kTariffs[h % 3]},
        {"district", kDistricts[(h >> 8) % 6]},
    });
  }
  return records;
}

absl::StatusOr<std::vector<std::string>> ReadSubjectsFile(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<formats::JsonValue> json = formats::ParseJson(text.str());
  if (!json.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", json.status().message()));
  }
  const formats::JsonValue* list =
      json->is_object() ? json->Find("subjects") : &*json;
  if (list == nullptr || list->AsArray() == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": expected an array of pseudonyms or {\"subjects\": [...]}"));
  }
  std::vector<std::string> subjects;
  for (const formats::JsonValue& s : *list->AsArray()) {
    if (s.AsString() == nullptr || s.AsString()->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": subjects[", subjects.size(), "] is not a non-empty string"));
    }
    subjects.push_back(*s.AsString());
  }
  return subjects;
}

}  // namespace accord::examples
