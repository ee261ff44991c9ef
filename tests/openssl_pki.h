#ifndef ACCORD_TESTS_OPENSSL_PKI_H_
#define ACCORD_TESTS_OPENSSL_PKI_H_

// A certificate authority and certificates made with the openssl command
// line, as an operator makes them outside dev mode: P-256 keys (mode 0600,
// as openssl writes them) and X.509 v3 certificates valid for 30 days.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/broker_harness.h"

namespace accord::testing {

class OpensslPki {
 public:
  enum class Usage { kServer, kClient };

  // Files go to `dir`, which must exist.
  explicit OpensslPki(std::string dir) : dir_(std::move(dir)) {}

  // Makes the CA, dir/ca.{pem,key}. Errors: INTERNAL with openssl's output.
  absl::Status MakeCa();
  // Issues dir/NAME.{pem,key}, signed by the CA, for `usage`, with the
  // subjectAltName entries `sans` ("DNS:localhost", "URI:spiffe://...";
  // none: no SAN). Errors: INTERNAL with openssl's output.
  absl::Status Issue(const std::string& name, Usage usage,
                     const std::vector<std::string>& sans);
  // The SHA-256 fingerprint of dir/NAME.pem as `openssl x509 -fingerprint`
  // prints it, in lowercase hex without colons.
  absl::StatusOr<std::string> Fingerprint(const std::string& name) const;

  std::string ca() const { return dir_ + "/ca.pem"; }
  std::string cert(const std::string& name) const {
    return dir_ + "/" + name + ".pem";
  }
  std::string key(const std::string& name) const {
    return dir_ + "/" + name + ".key";
  }
  // The CLI's TLS files for NAME.
  TlsIdentity identity(const std::string& name) const {
    return {ca(), cert(name), key(name)};
  }

 private:
  std::string dir_;
};

}  // namespace accord::testing

#endif  // ACCORD_TESTS_OPENSSL_PKI_H_
