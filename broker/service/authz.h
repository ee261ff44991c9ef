#ifndef ACCORD_BROKER_SERVICE_AUTHZ_H_
#define ACCORD_BROKER_SERVICE_AUTHZ_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "accord/v1/common.pb.h"

namespace accord::service {

// Who may call a method. This table is the authorization model; README.md
// documents it and the authorization tests walk it.
struct MethodRule {
  absl::string_view method;  // "/accord.v1.Service/Method"
  // Roles whose certificate may call the method.
  std::vector<accord::v1::Role> roles;
  // The call must also carry a valid citizen bearer token.
  bool citizen_token = false;
};

// The rule for `method`, or nullptr for a method not in the table (which is
// refused: fail closed).
const MethodRule* FindRule(absl::string_view method);

// Every rule, for documentation and tests.
const std::vector<MethodRule>& AllRules();

// OK when `role` may call under `rule`; PERMISSION_DENIED otherwise.
absl::Status CheckRole(const MethodRule& rule, accord::v1::Role role);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_AUTHZ_H_
