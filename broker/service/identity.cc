#include "broker/service/identity.h"

#include "absl/strings/match.h"

namespace accord::service {
namespace {

// Hierarchical trust domains are `scheme://authority`; the rest are URNs.
bool IsHierarchical(absl::string_view trust_domain) {
  return absl::StrContains(trust_domain, "://");
}

}  // namespace

bool IsPinnedRole(accord::v1::Role role) {
  return role == accord::v1::ROLE_OPERATOR || role == accord::v1::ROLE_AUDITOR;
}

absl::Status CheckTrustDomain(absl::string_view td) {
  if (td.empty()) return absl::OkStatus();
  for (char c : td) {
    if (c <= ' ' || c > '~') {
      return absl::InvalidArgumentError(
          "trust_domain: printable ASCII without spaces");
    }
  }
  if (IsHierarchical(td)) {
    const size_t authority = td.find("://") + 3;
    if (authority == 3 || authority >= td.size() ||
        td.find('/', authority) != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          "trust_domain: scheme://authority without a path, e.g. "
          "spiffe://accord.example");
    }
    return absl::OkStatus();
  }
  if (!absl::StartsWithIgnoreCase(td, "urn:") || absl::EndsWith(td, ":") ||
      td.size() <= 4) {
    return absl::InvalidArgumentError(
        "trust_domain: scheme://authority or a urn: prefix not ending in ':'");
  }
  return absl::OkStatus();
}

bool UnderTrustDomain(absl::string_view uri, absl::string_view td) {
  if (td.empty() || uri.size() <= td.size() + 1 || !absl::StartsWith(uri, td)) {
    return false;
  }
  return uri[td.size()] == (IsHierarchical(td) ? '/' : ':');
}

}  // namespace accord::service
