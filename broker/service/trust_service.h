#ifndef ACCORD_BROKER_SERVICE_TRUST_SERVICE_H_
#define ACCORD_BROKER_SERVICE_TRUST_SERVICE_H_

#include "accord/v1/trust.grpc.pb.h"
#include "broker/service/env.h"

namespace accord::service {

// TrustService: the keys downstream services verify grants with. The
// revocation stream is not built yet and answers UNIMPLEMENTED.
class TrustServiceImpl final : public accord::v1::TrustService::CallbackService {
 public:
  explicit TrustServiceImpl(const Env& env) : env_(env) {}

  grpc::ServerUnaryReactor* GetVerificationKeys(
      grpc::CallbackServerContext* context,
      const accord::v1::GetVerificationKeysRequest* request,
      accord::v1::GetVerificationKeysResponse* response) override;

 private:
  const Env& env_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_TRUST_SERVICE_H_
