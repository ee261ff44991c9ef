#include "broker/service/authz.h"

#include <catch2/catch.hpp>

#include "accord/v1/access.pb.h"
#include "accord/v1/admin.pb.h"
#include "accord/v1/audit.pb.h"
#include "accord/v1/consent.pb.h"
#include "accord/v1/policy.pb.h"
#include "accord/v1/trust.pb.h"
#include "google/protobuf/descriptor.h"

namespace accord::service {
namespace {

TEST_CASE("every RPC of the API has exactly one authorization rule") {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  int methods = 0;
  for (const char* name :
       {"accord.v1.PolicyService", "accord.v1.ConsentService",
        "accord.v1.AccessService", "accord.v1.AuditService",
        "accord.v1.TrustService", "accord.v1.AdminService"}) {
    const auto* service = pool->FindServiceByName(name);
    REQUIRE(service != nullptr);
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string full =
          "/" + service->full_name() + "/" + service->method(i)->name();
      INFO(full);
      CHECK(FindRule(full) != nullptr);
      ++methods;
    }
  }
  CHECK(static_cast<int>(AllRules().size()) == methods);
}

TEST_CASE("roles outside a rule are denied; unknown methods have no rule") {
  const MethodRule* grant = FindRule("/accord.v1.AccessService/RequestGrant");
  REQUIRE(grant != nullptr);
  CHECK(CheckRole(*grant, accord::v1::ROLE_PARTNER).ok());
  CHECK(absl::IsPermissionDenied(CheckRole(*grant, accord::v1::ROLE_PRODUCER)));
  CHECK(absl::IsPermissionDenied(CheckRole(*grant, accord::v1::ROLE_OPERATOR)));
  CHECK(FindRule("/accord.v1.AccessService/Nope") == nullptr);
  const MethodRule* give = FindRule("/accord.v1.ConsentService/GiveConsent");
  REQUIRE(give != nullptr);
  CHECK(give->citizen_token);
  CHECK(absl::IsPermissionDenied(CheckRole(*give, accord::v1::ROLE_PARTNER)));
}

}  // namespace
}  // namespace accord::service
