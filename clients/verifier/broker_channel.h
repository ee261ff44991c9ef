#ifndef ACCORD_CLIENTS_VERIFIER_BROKER_CHANNEL_H_
#define ACCORD_CLIENTS_VERIFIER_BROKER_CHANNEL_H_

// Internal to the verifier's gRPC part: the channel to the broker, made by
// the client library's Connection so there is one way to build it.

#include <memory>

#include "absl/status/statusor.h"
#include "clients/verifier/broker_endpoint.h"
#include "grpcpp/channel.h"

namespace accord::verifier {

// Returns a mutual-TLS channel (connecting on first use), or the errors of
// ValidateBrokerEndpoint, NOT_FOUND / FAILED_PRECONDITION naming a TLS file
// that cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenBrokerChannel(
    const BrokerEndpoint& endpoint);

}  // namespace accord::verifier

#endif  // ACCORD_CLIENTS_VERIFIER_BROKER_CHANNEL_H_
