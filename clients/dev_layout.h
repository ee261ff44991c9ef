#ifndef ACCORD_CLIENTS_DEV_LAYOUT_H_
#define ACCORD_CLIENTS_DEV_LAYOUT_H_

// The development file layout under DATA_DIR as the CLI's --dev shortcuts
// use it. The names come from broker/crypto/dev_layout.h (the broker creates
// the files), so the two sides cannot drift apart. Development only.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "broker/crypto/dev_layout.h"

namespace accord::client::dev {

// DATA_DIR when neither --dev DIR nor the environment names one.
inline constexpr absl::string_view kDefaultDataDir = "./var";
// Environment variables the CLI reads.
inline constexpr const char* kDataDirEnv = "ACCORD_DATA_DIR";
inline constexpr const char* kBrokerAddrEnv = "ACCORD_GRPC_ADDR";
inline constexpr absl::string_view kDefaultBrokerAddr = "127.0.0.1:7443";

// DATA_DIR/dev-pki: ca.pem, PRINCIPAL.pem + PRINCIPAL.key, citizen-app.*,
// citizen-issuer.key.
inline constexpr absl::string_view kPkiDir = crypto::dev::kPkiDir;
inline constexpr absl::string_view kCaCert = crypto::dev::kCaCert;
inline constexpr absl::string_view kCertSuffix = ".pem";
inline constexpr absl::string_view kKeySuffix = ".key";
inline constexpr absl::string_view kCitizenApp = crypto::dev::kCitizenApp;
inline constexpr absl::string_view kIssuerKey = crypto::dev::kIssuerKey;

// Claims of a development citizen token.
inline constexpr absl::string_view kIssuer = crypto::dev::kIssuer;
inline constexpr absl::string_view kAudience = crypto::dev::kAudience;
inline constexpr absl::string_view kCitizenClientId =
    crypto::dev::kCitizenClientId;
inline constexpr int64_t kCitizenTokenLifetimeSeconds = 3600;

// Paths under `data_dir`.
std::string PkiDir(absl::string_view data_dir);
std::string CaCertPath(absl::string_view data_dir);
std::string PrincipalCertPath(absl::string_view data_dir,
                              absl::string_view principal);
std::string PrincipalKeyPath(absl::string_view data_dir,
                             absl::string_view principal);
std::string IssuerKeyPath(absl::string_view data_dir);

}  // namespace accord::client::dev

#endif  // ACCORD_CLIENTS_DEV_LAYOUT_H_
