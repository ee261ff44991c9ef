#include "broker/service/trust_service.h"

#include "broker/service/call.h"
#include "broker/service/key_ring.h"

namespace accord::service {

grpc::ServerUnaryReactor* TrustServiceImpl::GetVerificationKeys(
    grpc::CallbackServerContext* context,
    const accord::v1::GetVerificationKeysRequest*,
    accord::v1::GetVerificationKeysResponse* response) {
  Call call(env_, context, "/accord.v1.TrustService/GetVerificationKeys");
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  response->set_jwks(env_.keys->JwksJson());
  response->set_checkpoint_key(env_.checkpoint_verifier_key);
  return call.Finish(absl::OkStatus());
}

}  // namespace accord::service
