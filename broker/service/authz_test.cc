#include "broker/service/authz.h"

#include <catch2/catch.hpp>

#include "accord/v1/access.pb.h"
#include "accord/v1/admin.pb.h"
#include "accord/v1/audit.pb.h"
#include "accord/v1/consent.pb.h"
#include "accord/v1/policy.pb.h"
#include "accord/v1/requests.pb.h"
#include "accord/v1/trust.pb.h"
#include "google/protobuf/descriptor.h"

namespace accord::service {
namespace {

TEST_CASE("every RPC of the API has exactly one authorization rule") {
  // One message of each API file pulls its descriptor in.
  const google::protobuf::FileDescriptor* files[] = {
      accord::v1::PutDatasetRequest::descriptor()->file(),
      accord::v1::GiveConsentRequest::descriptor()->file(),
      accord::v1::RequestGrantRequest::descriptor()->file(),
      accord::v1::GetEntriesRequest::descriptor()->file(),
      accord::v1::WatchRevocationsRequest::descriptor()->file(),
      accord::v1::AddPrincipalRequest::descriptor()->file(),
      accord::v1::PutConsentRequestRequest::descriptor()->file(),
  };
  int methods = 0;
  for (const auto* file : files) {
    REQUIRE(file->service_count() == 1);
    const auto* service = file->service(0);
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

TEST_CASE("roles outside a rule are denied and unknown methods have no rule") {
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
