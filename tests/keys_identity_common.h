#ifndef ACCORD_TESTS_KEYS_IDENTITY_COMMON_H_
#define ACCORD_TESTS_KEYS_IDENTITY_COMMON_H_

// What signing_keys_test.cc and caller_identity_test.cc share: reading JSON
// and unverified JWS claims, certificates of the broker's dev CA, and
// TrustService called as a given identity.

#include <grpcpp/support/status.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "accord/v1/trust.pb.h"
#include "broker/formats/json.h"
#include "tests/broker_harness.h"
#include "tests/tls_callers.h"

namespace accord::testing {

// The time now, in Unix seconds.
int64_t Now();

// The string member `key` of `v` ("" when `v` is null or has none).
std::string Str(const formats::JsonValue* v, absl::string_view key);
// The string at `path` under `v` ("" when there is none).
std::string Str(const formats::JsonValue& v,
                std::initializer_list<absl::string_view> path);

// The claims of a compact JWS, unverified.
formats::JsonValue ClaimsOf(const std::string& token);

// A certificate of the broker's dev CA with `uris` as SAN URIs, written as
// DIR/NAME.pem + NAME.key (DIR = the dev PKI directory when `into_pki`, so
// `accord --as NAME` presents it). Returns its SHA-256 (lowercase hex).
std::string IssueInto(const std::string& data_dir, const std::string& dir,
                      const std::string& name,
                      const std::vector<std::string>& uris);

// GetVerificationKeys as `identity`: its status, and the response.
grpc::StatusCode KeysAs(
    const BrokerProcess& broker, const ClientIdentity& identity,
    accord::v1::GetVerificationKeysResponse* response = nullptr);

}  // namespace accord::testing

#endif  // ACCORD_TESTS_KEYS_IDENTITY_COMMON_H_
