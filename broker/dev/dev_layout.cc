#include "broker/dev/dev_layout.h"

#include "absl/strings/str_cat.h"

namespace accord::dev {

std::string PkiDir(absl::string_view data_dir) {
  return absl::StrCat(data_dir, "/", kPkiDir);
}

std::string CaCertPath(absl::string_view data_dir) {
  return absl::StrCat(PkiDir(data_dir), "/", kCaCert);
}

std::string PrincipalCertPath(absl::string_view data_dir,
                              absl::string_view principal) {
  return absl::StrCat(PkiDir(data_dir), "/", principal, kCertSuffix);
}

std::string PrincipalKeyPath(absl::string_view data_dir,
                             absl::string_view principal) {
  return absl::StrCat(PkiDir(data_dir), "/", principal, kKeySuffix);
}

std::string ServerCertPath(absl::string_view data_dir) {
  return PrincipalCertPath(data_dir, kServerName);
}

std::string ServerKeyPath(absl::string_view data_dir) {
  return PrincipalKeyPath(data_dir, kServerName);
}

std::string IssuerKeyPath(absl::string_view data_dir) {
  return absl::StrCat(PkiDir(data_dir), "/", kIssuerKey);
}

}  // namespace accord::dev
