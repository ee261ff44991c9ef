#ifndef ACCORD_TESTS_TLS_CALLERS_H_
#define ACCORD_TESTS_TLS_CALLERS_H_

// Client identities for tests that must control exactly which certificate a
// caller presents: a dev principal's, one issued now by the broker's dev CA,
// one from a foreign CA, or none. Each opens its own gRPC channel.

#include <grpcpp/channel.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace accord::testing {

// A client certificate and its key, PEM. Both empty: no certificate.
struct ClientIdentity {
  std::string cert_pem;
  std::string key_pem;
};

// The dev CA certificate of the broker whose data directory is `data_dir`.
absl::StatusOr<std::string> DevCaPem(const std::string& data_dir);

// The certificate the broker's dev mode made for principal `name`.
absl::StatusOr<ClientIdentity> DevIdentity(const std::string& data_dir,
                                           const std::string& name);

// A new client certificate with SAN URI urn:accord:principal:`name`, valid
// over [not_before, not_after] (Unix seconds), signed by the dev CA of
// `data_dir` (`foreign` false) or by a CA made for this call (`foreign`
// true). Returns it, or the PKI error.
absl::StatusOr<ClientIdentity> IssueIdentity(const std::string& data_dir,
                                             const std::string& name,
                                             int64_t not_before,
                                             int64_t not_after, bool foreign);

// A channel to `address` that trusts `ca_pem` and presents `identity`
// (nothing when it is empty). Never shared with another identity.
std::shared_ptr<grpc::Channel> OpenChannel(const std::string& address,
                                           const std::string& ca_pem,
                                           const ClientIdentity& identity);

}  // namespace accord::testing

#endif  // ACCORD_TESTS_TLS_CALLERS_H_
