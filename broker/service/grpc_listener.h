#ifndef ACCORD_BROKER_SERVICE_GRPC_LISTENER_H_
#define ACCORD_BROKER_SERVICE_GRPC_LISTENER_H_

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "broker/service/config.h"

namespace accord::service {

// The gRPC listener's TLS: the server certificate `cert_pem` with its key,
// client certificates verified against `ca_pem` — required at the
// handshake outside dev mode (nothing of the API, not even the health
// service, answers a caller that is not known: load balancers use the
// HTTP listener's /readyz), only requested in dev mode (so that a caller
// without one learns why from UNAUTHENTICATED) — and, with
// `config.tls_crl_dir`, the CA's revocation lists checked at every
// handshake. Errors: FAILED_PRECONDITION naming tls_crl_dir when it is not
// a directory.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> GrpcServerCredentials(
    const BrokerConfig& config, const std::string& ca_pem,
    const std::string& cert_pem, const std::string& key_pem);

// What one caller can hold on the listener: gRPC's resource quota (memory
// and threads for every connection and call; this gRPC has no connection
// count limit, so the memory quota bounds connections), streams per
// connection, the time to finish a handshake, idle connections, metadata
// and message sizes. A second process on the same port fails to start
// instead of sharing it. Server reflection is taken out outside dev mode
// unless `config.grpc_reflection`.
void ConfigureGrpcListener(const BrokerConfig& config,
                           grpc::ServerBuilder& builder);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_GRPC_LISTENER_H_
