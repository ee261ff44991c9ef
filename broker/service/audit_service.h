#ifndef ACCORD_BROKER_SERVICE_AUDIT_SERVICE_H_
#define ACCORD_BROKER_SERVICE_AUDIT_SERVICE_H_

#include "accord/v1/audit.grpc.pb.h"
#include "broker/service/env.h"

namespace accord::service {

// AuditService: checkpoints, entries and proofs of the Merkle log. Event
// queries are not built yet and answer UNIMPLEMENTED.
class AuditServiceImpl final : public accord::v1::AuditService::CallbackService {
 public:
  explicit AuditServiceImpl(const Env& env) : env_(env) {}

  grpc::ServerUnaryReactor* GetCheckpoint(
      grpc::CallbackServerContext* context,
      const accord::v1::GetCheckpointRequest* request,
      accord::v1::GetCheckpointResponse* response) override;
  grpc::ServerUnaryReactor* GetEntries(
      grpc::CallbackServerContext* context,
      const accord::v1::GetEntriesRequest* request,
      accord::v1::GetEntriesResponse* response) override;
  grpc::ServerUnaryReactor* GetInclusionProof(
      grpc::CallbackServerContext* context,
      const accord::v1::GetInclusionProofRequest* request,
      accord::v1::GetInclusionProofResponse* response) override;
  grpc::ServerUnaryReactor* GetConsistencyProof(
      grpc::CallbackServerContext* context,
      const accord::v1::GetConsistencyProofRequest* request,
      accord::v1::GetConsistencyProofResponse* response) override;

 private:
  const Env& env_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_AUDIT_SERVICE_H_
