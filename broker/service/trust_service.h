#ifndef ACCORD_BROKER_SERVICE_TRUST_SERVICE_H_
#define ACCORD_BROKER_SERVICE_TRUST_SERVICE_H_

#include "accord/v1/trust.grpc.pb.h"
#include "broker/service/env.h"

namespace accord::service {

// TrustService: the keys downstream services verify grants with, and the
// stream of revoked grants.
class TrustServiceImpl final
    : public accord::v1::TrustService::CallbackService {
 public:
  explicit TrustServiceImpl(const Env& env) : env_(env) {}

  grpc::ServerUnaryReactor* GetVerificationKeys(
      grpc::CallbackServerContext* context,
      const accord::v1::GetVerificationKeysRequest* request,
      accord::v1::GetVerificationKeysResponse* response) override;

  // Streams the revocations committed after `after_revision` (0: all),
  // oldest first, each with its revision, then every new one as it is
  // committed, until the caller cancels or the broker stops (UNAVAILABLE).
  // A caller resumes after the last revision it received. A caller that
  // falls more than 10,000 revocations behind is ended with
  // RESOURCE_EXHAUSTED and resumes the same way. Errors before the first
  // message: UNAUTHENTICATED, PERMISSION_DENIED, UNAVAILABLE (storage).
  grpc::ServerWriteReactor<accord::v1::WatchRevocationsResponse>*
  WatchRevocations(grpc::CallbackServerContext* context,
                   const accord::v1::WatchRevocationsRequest* request) override;

 private:
  const Env& env_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_TRUST_SERVICE_H_
