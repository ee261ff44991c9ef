#include "broker/service/settings_guard.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/crypto/sha256.h"

namespace accord::service {
namespace {

// The label that keeps the fingerprint apart from any other hash of the
// secret (pseudonyms are HMACs under it).
constexpr absl::string_view kFingerprintLabel =
    "accord pseudonym secret fingerprint v1";

// The refusal of a recorded setting that differs from the configured one.
absl::Status Mismatch(absl::string_view name, absl::string_view flag,
                      absl::string_view recorded, absl::string_view configured,
                      absl::string_view why) {
  return absl::FailedPreconditionError(absl::StrCat(
      name, " is '", configured, "' but this store was created with ", name,
      " '", recorded, "'; ", why, ". Start the broker with ", name, ": ",
      recorded, " in its config file (or --", flag, " ", recorded,
      "): it can never change for this store"));
}

}  // namespace

std::string PseudonymSecretFingerprint(absl::string_view secret) {
  return crypto::ToHex(
      crypto::Sha256(kFingerprintLabel, absl::string_view("\0", 1), secret));
}

absl::StatusOr<SettingsCheck> CheckOrRecordSettings(
    store::Store& store, const GuardedSettings& settings) {
  const std::string fingerprint =
      PseudonymSecretFingerprint(settings.pseudonym_secret);
  const std::pair<absl::string_view, const std::string*> wanted[] = {
      {kGrantIssuerSetting, &settings.grant_issuer},
      {kLogOriginSetting, &settings.log_origin},
      {kPseudonymSecretSetting, &fingerprint},
  };
  SettingsCheck check;
  std::vector<std::pair<std::string, std::string>> missing;
  for (const auto& [name, value] : wanted) {
    auto recorded = store.GetSetting(name);
    if (absl::IsNotFound(recorded.status())) {
      missing.emplace_back(std::string(name), *value);
      continue;
    }
    if (!recorded.ok()) return recorded.status();
    if (*recorded == *value) continue;
    if (name == kGrantIssuerSetting) {
      return Mismatch(name, "grant-issuer", *recorded, *value,
                      "the grants it issued name that issuer, and partners "
                      "and verifiers check it");
    }
    if (name == kLogOriginSetting) {
      return Mismatch(name, "log-origin", *recorded, *value,
                      "its audit log's checkpoints are signed under that "
                      "origin, and auditors check it");
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "pseudonym secret: ", settings.pseudonym_secret_file,
        " holds a different pseudonym secret than the one this store was "
        "created with; with it every citizen would get a new pseudonym and "
        "lose their consents and grants. Put back the original secret "
        "(from the backup of the keys directory), or point "
        "pseudonym_secret_file (--pseudonym-secret-file) at it"));
  }
  if (missing.empty()) return check;
  if (absl::Status s = store.RecordSettings(missing); !s.ok()) return s;
  for (auto& [name, value] : missing) check.recorded.push_back(name);
  return check;
}

}  // namespace accord::service
