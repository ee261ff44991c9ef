#ifndef ACCORD_BROKER_DEV_DEV_PKI_H_
#define ACCORD_BROKER_DEV_DEV_PKI_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/crypto/signing_key.h"

namespace accord::dev {

// Development PKI: P-256 keys and X.509 v3 certificates made with the
// OpenSSL API. For dev mode and tests only; production certificates come
// from the operator's PKI.

// A certificate with its private key. Move-only (it owns the key).
struct IssuedCertificate {
  std::string cert_pem;
  crypto::SigningKey key;
};

// What to put in a leaf certificate.
struct CertificateSpec {
  enum class Usage { kServer, kClient };
  std::string common_name;
  std::vector<std::string> dns_sans;
  std::vector<std::string> ip_sans;   // textual IPv4 or IPv6 addresses
  std::vector<std::string> uri_sans;  // ASCII URIs
  Usage usage = Usage::kClient;       // extendedKeyUsage
  int64_t not_before = 0;             // seconds since the Unix epoch
  int64_t not_after = 0;
};

// Returns a new self-signed CA (P-256, CA:TRUE, keyCertSign) named
// `common_name` and valid over [not_before, not_after], or INTERNAL if
// OpenSSL fails.
absl::StatusOr<IssuedCertificate> NewCertificateAuthority(
    absl::string_view common_name, int64_t not_before, int64_t not_after);

// Issues a leaf certificate for a fresh P-256 key, signed by `ca` (SHA-256).
// Any validity is allowed, so tests can make expired certificates. Returns
// it, or INVALID_ARGUMENT naming the SAN that cannot be encoded (a bad IP
// address, non-ASCII DNS name or URI), INTERNAL if OpenSSL fails.
absl::StatusOr<IssuedCertificate> IssueCertificate(const IssuedCertificate& ca,
                                                   const CertificateSpec& spec);

// Writes `dir/name.pem` (mode 0644) and `dir/name.key` (mode 0600), each
// atomically, replacing existing files. Returns OK or the error naming the
// file.
absl::Status WriteIssuedCertificate(const IssuedCertificate& cert,
                                    const std::string& dir,
                                    const std::string& name);

// Reads `dir/name.pem` and `dir/name.key` (key rules of
// SigningKey::ReadPemFile). Returns them, or NOT_FOUND / INVALID_ARGUMENT /
// FAILED_PRECONDITION naming the file at fault.
absl::StatusOr<IssuedCertificate> ReadIssuedCertificate(
    const std::string& dir, const std::string& name);

// Creates a CA valid for 10 years from now as `dir/name.pem` + `dir/name.key`
// (for tests that need a second, untrusted CA). Overwrites existing files.
absl::Status CreateCertificateAuthority(const std::string& dir,
                                        const std::string& name);

// Makes sure `dir` (created with mode 0700 if missing) holds a development
// PKI, creating only what is missing and leaving existing files untouched:
//  - ca.pem + ca.key: the dev CA;
//  - server.pem + server.key: SANs DNS:localhost, IP:127.0.0.1, IP:::1,
//    serverAuth;
//  - NAME.pem + NAME.key for each principal name: SAN URI
//    urn:accord:principal:NAME, clientAuth.
// Certificates are valid for 10 years; keys have mode 0600. Returns OK;
// INVALID_ARGUMENT for a principal name that is not [A-Za-z0-9._-]+ or is
// "ca"/"server"; FAILED_PRECONDITION when only one file of a pair exists;
// the file error naming the path otherwise.
absl::Status EnsureDevPki(const std::string& dir,
                          const std::vector<std::string>& principal_names);

}  // namespace accord::dev

#endif  // ACCORD_BROKER_DEV_DEV_PKI_H_
