#ifndef ACCORD_BROKER_SERVICE_SETTINGS_GUARD_H_
#define ACCORD_BROKER_SERVICE_SETTINGS_GUARD_H_

// The settings a store must always be opened with. Grants name their
// issuer (grant_issuer), every checkpoint of the audit log is signed under
// its origin (log_origin), and every citizen's pseudonym is derived from
// the pseudonym secret: changing one of them after the first start
// orphans what the store holds. The store records them at its first start
// (the secret only as a fingerprint) and every later start must match.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/store/store.h"

namespace accord::service {

// The names under which the settings are recorded in the store.
inline constexpr absl::string_view kGrantIssuerSetting = "grant_issuer";
inline constexpr absl::string_view kLogOriginSetting = "log_origin";
inline constexpr absl::string_view kPseudonymSecretSetting =
    "pseudonym_secret_sha256";

// What the broker starts with.
struct GuardedSettings {
  std::string grant_issuer;
  std::string log_origin;
  // The secret's bytes: only its fingerprint is recorded or compared.
  std::string pseudonym_secret;
  // Where the secret was read from, for the message of a mismatch.
  std::string pseudonym_secret_file;
};

// Lowercase hex of SHA-256 of a fixed domain-separation label followed by
// `secret`: identifies the secret without revealing it.
std::string PseudonymSecretFingerprint(absl::string_view secret);

// What CheckOrRecordSettings did.
struct SettingsCheck {
  // The settings recorded now, because the store had none recorded yet
  // (a new store, or one created before settings were recorded).
  std::vector<std::string> recorded;
};

// Compares `settings` with those recorded in `store`, and records the ones
// not recorded yet. Errors: FAILED_PRECONDITION naming the first setting
// that differs from its recorded value (for the secret, without any of
// its bytes) and what to do; the store's error when it cannot be read or
// written.
absl::StatusOr<SettingsCheck> CheckOrRecordSettings(
    store::Store& store, const GuardedSettings& settings);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_SETTINGS_GUARD_H_
