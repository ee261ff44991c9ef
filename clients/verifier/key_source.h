#ifndef ACCORD_CLIENTS_VERIFIER_KEY_SOURCE_H_
#define ACCORD_CLIENTS_VERIFIER_KEY_SOURCE_H_

// Where a grant verifier gets the broker's public keys: a JwksSource
// (broker/jwks/jwks_source.h) loading the broker's JWKS from a file, from
// its /.well-known/jwks.json, or from TrustService.GetVerificationKeys
// (broker_keys.h). Named here in the verifier's namespace, so that a data
// service writes verifier::JwksSource and includes only verifier headers.

#include "broker/jwks/jwks_source.h"

namespace accord::verifier {

using jwks::FetchJwksUrl;
using jwks::JwksDocument;
using jwks::JwksLoader;
using jwks::JwksSource;
using jwks::LoadJwksFile;
using jwks::NowFunction;

}  // namespace accord::verifier

#endif  // ACCORD_CLIENTS_VERIFIER_KEY_SOURCE_H_
