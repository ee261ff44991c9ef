#ifndef ACCORD_BROKER_DEV_DEV_LAYOUT_H_
#define ACCORD_BROKER_DEV_DEV_LAYOUT_H_

// The files of dev mode under DATA_DIR, shared by the broker (which creates
// them), the CLI (whose --dev shortcuts use them) and the tests.
// Development only.

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace accord::dev {

// DATA_DIR/dev-pki holds ca.pem, server.{pem,key} and NAME.{pem,key} per
// principal, plus the citizen token issuer.
inline constexpr absl::string_view kPkiDir = "dev-pki";
inline constexpr absl::string_view kCaCert = "ca.pem";
inline constexpr absl::string_view kCertSuffix = ".pem";
inline constexpr absl::string_view kKeySuffix = ".key";
inline constexpr absl::string_view kServerName = "server";

// The development principals and their roles.
inline constexpr absl::string_view kOperator = "operator";
inline constexpr absl::string_view kProducer = "producer-demo";
inline constexpr absl::string_view kPartner = "partner-demo";
inline constexpr absl::string_view kAuditor = "auditor-demo";
// The certificate a citizen-facing app connects with.
inline constexpr absl::string_view kCitizenApp = "citizen-app";
inline constexpr std::array<absl::string_view, 5> kPrincipals = {
    kOperator, kProducer, kPartner, kAuditor, kCitizenApp};

// The certificate URI of a dev principal is kPrincipalUriPrefix + name,
// under the dev trust domain.
inline constexpr absl::string_view kTrustDomain = "urn:accord:principal";
inline constexpr absl::string_view kPrincipalUriPrefix =
    "urn:accord:principal:";

// The development citizen identity provider.
inline constexpr absl::string_view kIssuerKey = "citizen-issuer.key";
inline constexpr absl::string_view kIssuerJwks = "citizen-issuer.jwks.json";
inline constexpr absl::string_view kIssuer = "https://idp.dev.accord.local";
inline constexpr absl::string_view kAudience = "accord";
// The client id (`azp`) of development citizen tokens, minted for the
// citizen-app principal only.
inline constexpr absl::string_view kCitizenClientId = "accord-dev-citizen-app";
// The lifetime of a development citizen token the CLI mints.
inline constexpr int64_t kCitizenTokenLifetimeSeconds = 3600;

// DATA_DIR when neither --dev DIR nor the environment names one, and the
// environment variables the CLI reads.
inline constexpr absl::string_view kDefaultDataDir = "./var";
inline constexpr const char* kDataDirEnv = "ACCORD_DATA_DIR";
inline constexpr const char* kBrokerAddrEnv = "ACCORD_GRPC_ADDR";
inline constexpr absl::string_view kDefaultBrokerAddr = "127.0.0.1:7443";

// Paths under `data_dir`.
std::string PkiDir(absl::string_view data_dir);
std::string CaCertPath(absl::string_view data_dir);
std::string PrincipalCertPath(absl::string_view data_dir,
                              absl::string_view principal);
std::string PrincipalKeyPath(absl::string_view data_dir,
                             absl::string_view principal);
std::string ServerCertPath(absl::string_view data_dir);
std::string ServerKeyPath(absl::string_view data_dir);
std::string IssuerKeyPath(absl::string_view data_dir);

}  // namespace accord::dev

#endif  // ACCORD_BROKER_DEV_DEV_LAYOUT_H_
