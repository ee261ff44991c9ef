#ifndef ACCORD_BROKER_SERVICE_POLICY_SERVICE_H_
#define ACCORD_BROKER_SERVICE_POLICY_SERVICE_H_

#include "accord/v1/policy.grpc.pb.h"
#include "broker/service/claims.h"
#include "broker/service/env.h"

namespace accord::service {

// PolicyService: datasets, policy versions, what-if explanations.
class PolicyServiceImpl final
    : public accord::v1::PolicyService::CallbackService {
 public:
  explicit PolicyServiceImpl(const Env& env) : env_(env) {}

  grpc::ServerUnaryReactor* PutDataset(
      grpc::CallbackServerContext* context,
      const accord::v1::PutDatasetRequest* request,
      accord::v1::PutDatasetResponse* response) override;
  grpc::ServerUnaryReactor* GetDataset(
      grpc::CallbackServerContext* context,
      const accord::v1::GetDatasetRequest* request,
      accord::v1::GetDatasetResponse* response) override;
  grpc::ServerUnaryReactor* ListDatasets(
      grpc::CallbackServerContext* context,
      const accord::v1::ListDatasetsRequest* request,
      accord::v1::ListDatasetsResponse* response) override;
  grpc::ServerUnaryReactor* PutPolicy(
      grpc::CallbackServerContext* context,
      const accord::v1::PutPolicyRequest* request,
      accord::v1::PutPolicyResponse* response) override;
  grpc::ServerUnaryReactor* GetPolicy(
      grpc::CallbackServerContext* context,
      const accord::v1::GetPolicyRequest* request,
      accord::v1::GetPolicyResponse* response) override;
  grpc::ServerUnaryReactor* ListPolicyVersions(
      grpc::CallbackServerContext* context,
      const accord::v1::ListPolicyVersionsRequest* request,
      accord::v1::ListPolicyVersionsResponse* response) override;
  grpc::ServerUnaryReactor* ExplainAccess(
      grpc::CallbackServerContext* context,
      const accord::v1::ExplainAccessRequest* request,
      accord::v1::ExplainAccessResponse* response) override;

 private:
  const Env& env_;
  // Dataset and policy writes read-modify-write the dataset record: one at a
  // time per dataset, from the read to the commit.
  KeyClaims catalog_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_POLICY_SERVICE_H_
