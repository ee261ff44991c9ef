#ifndef ACCORD_BROKER_CRYPTO_X509_H_
#define ACCORD_BROKER_CRYPTO_X509_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::crypto {

// What the broker needs to know about a (client) certificate.
struct CertificateInfo {
  std::string sha256_hex;             // lowercase hex SHA-256 of the DER
  std::string x5t_s256;               // base64url SHA-256 of the DER (RFC 8705)
  std::vector<std::string> uri_sans;  // subjectAltName URIs, in order
  std::vector<std::string> dns_sans;  // subjectAltName DNS names, in order
  std::string common_name;            // subject CN, empty if none
  int64_t not_before = 0;             // seconds since the Unix epoch
  int64_t not_after = 0;
};

// Parses the first certificate of `pem` (other blocks are ignored). Returns
// its information, or INVALID_ARGUMENT when there is no parsable certificate
// or its fields cannot be read. Does not verify the chain or the validity
// period: that is the TLS stack's and the caller's job.
absl::StatusOr<CertificateInfo> ParseCertificatePem(absl::string_view pem);

// As ParseCertificatePem, for one DER certificate (trailing bytes are an
// error).
absl::StatusOr<CertificateInfo> ParseCertificateDer(absl::string_view der);

}  // namespace accord::crypto

#endif  // ACCORD_BROKER_CRYPTO_X509_H_
