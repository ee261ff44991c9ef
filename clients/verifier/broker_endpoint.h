#ifndef ACCORD_CLIENTS_VERIFIER_BROKER_ENDPOINT_H_
#define ACCORD_CLIENTS_VERIFIER_BROKER_ENDPOINT_H_

// How a data service reaches the broker's gRPC API (TrustService): mutual
// TLS with its own certificate, issued by the broker's CA to a principal the
// broker knows (the producer of the dataset it serves, or the partner).

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace accord::verifier {

struct BrokerEndpoint {
  std::string target;     // host:port of the broker's gRPC listener
  std::string ca_file;    // PEM: the CA the broker's certificate chains to
  std::string cert_file;  // PEM: this service's client certificate
  std::string key_file;   // PEM: its private key
  // Deadline of one unary call (GetVerificationKeys).
  absl::Duration call_timeout = absl::Seconds(5);
  // Longest wait between two connection attempts once the broker went away
  // (gRPC's own default grows to two minutes).
  absl::Duration max_reconnect_backoff = absl::Seconds(5);
};

// Returns OK, or INVALID_ARGUMENT naming the first empty field (all four
// files and the target are required: no call without mutual TLS) or a
// call_timeout that is not positive.
absl::Status ValidateBrokerEndpoint(const BrokerEndpoint& endpoint);

}  // namespace accord::verifier

#endif  // ACCORD_CLIENTS_VERIFIER_BROKER_ENDPOINT_H_
