#ifndef ACCORD_BROKER_SERVICE_ACCESS_SERVICE_H_
#define ACCORD_BROKER_SERVICE_ACCESS_SERVICE_H_

#include "accord/v1/access.grpc.pb.h"
#include "broker/service/caller.h"
#include "broker/service/env.h"

namespace accord::service {

// AccessService: partners ask for signed grants.
class AccessServiceImpl final
    : public accord::v1::AccessService::CallbackService {
 public:
  explicit AccessServiceImpl(const Env& env) : env_(env) {}

  grpc::ServerUnaryReactor* RequestGrant(
      grpc::CallbackServerContext* context,
      const accord::v1::RequestGrantRequest* request,
      accord::v1::RequestGrantResponse* response) override;
  grpc::ServerUnaryReactor* RequestGrants(
      grpc::CallbackServerContext* context,
      const accord::v1::RequestGrantsRequest* request,
      accord::v1::RequestGrantsResponse* response) override;
  grpc::ServerUnaryReactor* ReleaseGrant(
      grpc::CallbackServerContext* context,
      const accord::v1::ReleaseGrantRequest* request,
      accord::v1::ReleaseGrantResponse* response) override;

 private:
  const Env& env_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_ACCESS_SERVICE_H_
