#include "broker/service/services.h"

#include "broker/service/access_service.h"
#include "broker/service/admin_service.h"
#include "broker/service/audit_service.h"
#include "broker/service/consent_service.h"
#include "broker/service/policy_service.h"
#include "broker/service/request_service.h"
#include "broker/service/trust_service.h"

namespace accord::service {

std::vector<std::unique_ptr<grpc::Service>> MakeServices(const Env& env) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<PolicyServiceImpl>(env));
  services.push_back(std::make_unique<ConsentServiceImpl>(env));
  services.push_back(std::make_unique<ConsentRequestServiceImpl>(env));
  services.push_back(std::make_unique<AccessServiceImpl>(env));
  services.push_back(std::make_unique<AuditServiceImpl>(env));
  services.push_back(std::make_unique<TrustServiceImpl>(env));
  services.push_back(std::make_unique<AdminServiceImpl>(env));
  return services;
}

}  // namespace accord::service
