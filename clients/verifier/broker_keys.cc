#include "clients/verifier/broker_keys.h"

#include <chrono>
#include <memory>

#include "accord/v1/trust.grpc.pb.h"
#include "broker/rpc/status.h"
#include "clients/verifier/broker_channel.h"

namespace accord::verifier {

absl::StatusOr<JwksLoader> BrokerKeysLoader(const BrokerEndpoint& endpoint) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenBrokerChannel(endpoint);
  if (!channel.ok()) return channel.status();
  std::shared_ptr<accord::v1::TrustService::Stub> stub =
      accord::v1::TrustService::NewStub(*channel);
  const absl::Duration timeout = endpoint.call_timeout;
  return JwksLoader([stub, timeout]() -> absl::StatusOr<JwksDocument> {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    accord::v1::GetVerificationKeysResponse response;
    grpc::Status status = stub->GetVerificationKeys(
        &context, accord::v1::GetVerificationKeysRequest(), &response);
    if (!status.ok()) return rpc::FromGrpc(status);
    return JwksDocument(std::move(*response.mutable_jwks()));
  });
}

}  // namespace accord::verifier
