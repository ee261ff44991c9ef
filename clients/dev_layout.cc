#include "clients/dev_layout.h"

#include "absl/strings/str_cat.h"

namespace accord::client::dev {

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

std::string IssuerKeyPath(absl::string_view data_dir) {
  return absl::StrCat(PkiDir(data_dir), "/", kIssuerKey);
}

}  // namespace accord::client::dev
