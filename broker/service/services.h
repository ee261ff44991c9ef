#ifndef ACCORD_BROKER_SERVICE_SERVICES_H_
#define ACCORD_BROKER_SERVICE_SERVICES_H_

#include <grpcpp/impl/service_type.h>

#include <memory>
#include <vector>

#include "broker/service/env.h"

namespace accord::service {

// Every accord.v1 service, ready to register on a gRPC server. Each handler
// authenticates its caller against the authorization table, validates its
// request before any work, and answers UNIMPLEMENTED where a capability is
// not built yet.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(const Env& env);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_SERVICES_H_
