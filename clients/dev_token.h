#ifndef ACCORD_CLIENTS_DEV_TOKEN_H_
#define ACCORD_CLIENTS_DEV_TOKEN_H_

// Development citizen tokens: JWTs from the development issuer
// (dev_layout.h) that a broker in dev mode accepts. Never for production.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/crypto/signing_key.h"

namespace accord::client {

// Returns a compact JWT (typ "JWT") signed by `issuer_key` with payload
// {"iss":dev::kIssuer,"aud":dev::kAudience,"azp":dev::kCitizenClientId,
// "sub":name,"iat":now,"nbf":now,"exp":now+3600}: dev mode binds that client
// to the citizen-app principal only. Returns INVALID_ARGUMENT naming the
// citizen name when it is empty or longer than 256 bytes, or the signing error.
absl::StatusOr<std::string> MintDevCitizenToken(
    const crypto::SigningKey& issuer_key, absl::string_view name, int64_t now);

// As MintDevCitizenToken with the issuer key read from
// DATA_DIR/dev-pki/citizen-issuer.key. Returns the token, or the key file
// error (NOT_FOUND, FAILED_PRECONDITION, INVALID_ARGUMENT) naming the path.
absl::StatusOr<std::string> MintDevCitizenTokenFromDataDir(
    absl::string_view data_dir, absl::string_view name, int64_t now);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_DEV_TOKEN_H_
