#ifndef ACCORD_BROKER_SERVICE_ADMIN_SERVICE_H_
#define ACCORD_BROKER_SERVICE_ADMIN_SERVICE_H_

#include "absl/status/status.h"
#include "accord/v1/admin.grpc.pb.h"
#include "broker/service/env.h"

namespace accord::service {

// AdminService: principals, keys and backups, for operators. Key rotation
// publishes a new key that signs after the pre-publication delay.
class AdminServiceImpl final : public accord::v1::AdminService::CallbackService {
 public:
  explicit AdminServiceImpl(const Env& env) : env_(env) {}

  grpc::ServerUnaryReactor* AddPrincipal(
      grpc::CallbackServerContext* context,
      const accord::v1::AddPrincipalRequest* request,
      accord::v1::AddPrincipalResponse* response) override;
  grpc::ServerUnaryReactor* ListPrincipals(
      grpc::CallbackServerContext* context,
      const accord::v1::ListPrincipalsRequest* request,
      accord::v1::ListPrincipalsResponse* response) override;
  grpc::ServerUnaryReactor* RemovePrincipal(
      grpc::CallbackServerContext* context,
      const accord::v1::RemovePrincipalRequest* request,
      accord::v1::RemovePrincipalResponse* response) override;
  grpc::ServerUnaryReactor* ListKeys(grpc::CallbackServerContext* context,
                                     const accord::v1::ListKeysRequest* request,
                                     accord::v1::ListKeysResponse* response) override;
  grpc::ServerUnaryReactor* RotateKey(
      grpc::CallbackServerContext* context,
      const accord::v1::RotateKeyRequest* request,
      accord::v1::RotateKeyResponse* response) override;
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* context,
                                   const accord::v1::BackupRequest* request,
                                   accord::v1::BackupResponse* response) override;

 private:
  const Env& env_;
};

// Validates a principal as AddPrincipal and dev mode store it.
absl::Status CheckPrincipal(const accord::v1::Principal& p);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_ADMIN_SERVICE_H_
