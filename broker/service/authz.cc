#include "broker/service/authz.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace accord::service {
namespace {

using accord::v1::Role;
constexpr Role kPartner = accord::v1::ROLE_PARTNER;
constexpr Role kProducer = accord::v1::ROLE_PRODUCER;
constexpr Role kAuditor = accord::v1::ROLE_AUDITOR;
constexpr Role kOperator = accord::v1::ROLE_OPERATOR;
constexpr Role kApp = accord::v1::ROLE_APP;

std::vector<MethodRule> MakeRules() {
  const std::vector<Role> all = {kPartner, kProducer, kAuditor, kOperator,
                                 kApp};
  return {
      {"/accord.v1.PolicyService/PutDataset", {kProducer, kOperator}},
      {"/accord.v1.PolicyService/GetDataset",
       {kProducer, kOperator, kPartner, kAuditor}},
      {"/accord.v1.PolicyService/ListDatasets",
       {kProducer, kOperator, kPartner, kAuditor}},
      {"/accord.v1.PolicyService/PutPolicy", {kProducer, kOperator}},
      {"/accord.v1.PolicyService/GetPolicy",
       {kProducer, kOperator, kPartner, kAuditor}},
      {"/accord.v1.PolicyService/ListPolicyVersions",
       {kProducer, kOperator, kAuditor}},
      {"/accord.v1.PolicyService/ExplainAccess",
       {kProducer, kOperator, kPartner}},
      {"/accord.v1.ConsentService/GiveConsent", {kApp}, true},
      {"/accord.v1.ConsentService/WithdrawConsent", {kApp}, true},
      {"/accord.v1.ConsentService/ListConsents", {kApp}, true},
      {"/accord.v1.ConsentService/GetConsent", {kApp}, true},
      {"/accord.v1.ConsentService/GetAccessHistory", {kApp}, true},
      {"/accord.v1.ConsentService/ListOpenRequests", {kApp}, true},
      {"/accord.v1.ConsentService/GetOpenRequest", {kApp}, true},
      {"/accord.v1.ConsentService/RefuseConsentRequest", {kApp}, true},
      {"/accord.v1.ConsentService/ExportConsentRecords", {kApp}, true},
      {"/accord.v1.ConsentService/EraseMe", {kApp}, true},
      // Partners draft; the dataset's producer (or the operator) reviews.
      {"/accord.v1.ConsentRequestService/PutConsentRequest", {kPartner}},
      {"/accord.v1.ConsentRequestService/SubmitConsentRequest", {kPartner}},
      {"/accord.v1.ConsentRequestService/ReviewConsentRequest",
       {kProducer, kOperator}},
      {"/accord.v1.ConsentRequestService/CloseConsentRequest",
       {kPartner, kProducer, kOperator}},
      {"/accord.v1.ConsentRequestService/GetConsentRequest",
       {kPartner, kProducer, kOperator}},
      {"/accord.v1.ConsentRequestService/ListConsentRequests",
       {kPartner, kProducer, kOperator}},
      {"/accord.v1.ConsentRequestService/GetConsentRequestStats",
       {kPartner, kProducer, kOperator}},
      {"/accord.v1.AccessService/RequestGrant", {kPartner}},
      {"/accord.v1.AccessService/RequestGrants", {kPartner}},
      {"/accord.v1.AccessService/ReleaseGrant", {kPartner}},
      {"/accord.v1.AuditService/GetCheckpoint", {kAuditor, kOperator}},
      {"/accord.v1.AuditService/GetEntries", {kAuditor, kOperator}},
      {"/accord.v1.AuditService/GetInclusionProof", {kAuditor, kOperator}},
      {"/accord.v1.AuditService/GetConsistencyProof", {kAuditor, kOperator}},
      {"/accord.v1.AuditService/QueryEvents", {kAuditor, kOperator}},
      {"/accord.v1.TrustService/GetVerificationKeys", all},
      // An app acts for citizens, who hold no grants to watch.
      {"/accord.v1.TrustService/WatchRevocations",
       {kPartner, kProducer, kAuditor, kOperator}},
      {"/accord.v1.AdminService/AddPrincipal", {kOperator}},
      {"/accord.v1.AdminService/ListPrincipals", {kOperator}},
      {"/accord.v1.AdminService/RemovePrincipal", {kOperator}},
      {"/accord.v1.AdminService/ListKeys", {kOperator}},
      {"/accord.v1.AdminService/RotateKey", {kOperator}},
      {"/accord.v1.AdminService/Backup", {kOperator}},
      {"/accord.v1.AdminService/ExportSubjectKey", {kOperator}},
      {"/accord.v1.AdminService/EraseSubject", {kOperator}},
  };
}

}  // namespace

const std::vector<MethodRule>& AllRules() {
  static const auto* rules = new std::vector<MethodRule>(MakeRules());
  return *rules;
}

const MethodRule* FindRule(absl::string_view method) {
  for (const MethodRule& rule : AllRules()) {
    if (rule.method == method) return &rule;
  }
  return nullptr;
}

absl::Status CheckRole(const MethodRule& rule, accord::v1::Role role) {
  if (std::find(rule.roles.begin(), rule.roles.end(), role) !=
      rule.roles.end()) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "role ", accord::v1::Role_Name(role), " may not call ", rule.method));
}

}  // namespace accord::service
