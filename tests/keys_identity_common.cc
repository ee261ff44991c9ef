#include "tests/keys_identity_common.h"

#include <grpcpp/client_context.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>

#include "accord/v1/trust.grpc.pb.h"
#include "broker/crypto/x509.h"
#include "broker/dev/dev_pki.h"
#include "broker/formats/base64url.h"

namespace accord::testing {

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string Str(const formats::JsonValue* v, absl::string_view key) {
  if (v == nullptr) return "";
  return v->GetString(key).value_or("");
}

std::string Str(const formats::JsonValue& v,
                std::initializer_list<absl::string_view> path) {
  const formats::JsonValue* at = &v;
  for (absl::string_view key : path) {
    if (at == nullptr) return "";
    at = at->Find(key);
  }
  return at != nullptr && at->AsString() != nullptr ? *at->AsString() : "";
}

formats::JsonValue ClaimsOf(const std::string& token) {
  const size_t a = token.find('.');
  const size_t b = token.find('.', a + 1);
  auto payload = formats::Base64UrlDecode(token.substr(a + 1, b - a - 1));
  REQUIRE(payload.ok());
  auto json = formats::ParseJson(*payload);
  REQUIRE(json.ok());
  return *std::move(json);
}

std::string IssueInto(const std::string& data_dir, const std::string& dir,
                      const std::string& name,
                      const std::vector<std::string>& uris) {
  auto ca = dev::ReadIssuedCertificate(data_dir + "/dev-pki", "ca");
  REQUIRE(ca.ok());
  dev::CertificateSpec spec;
  spec.common_name = name;
  spec.uri_sans = uris;
  spec.usage = dev::CertificateSpec::Usage::kClient;
  spec.not_before = Now() - 60;
  spec.not_after = Now() + 86400;
  auto leaf = dev::IssueCertificate(*ca, spec);
  REQUIRE(leaf.ok());
  REQUIRE(dev::WriteIssuedCertificate(*leaf, dir, name).ok());
  auto info = crypto::ParseCertificatePem(ReadAll(dir + "/" + name + ".pem"));
  REQUIRE(info.ok());
  return info->sha256_hex;
}

grpc::StatusCode KeysAs(const BrokerProcess& broker,
                        const ClientIdentity& identity,
                        v1::GetVerificationKeysResponse* response) {
  auto ca = DevCaPem(broker.data_dir());
  REQUIRE(ca.ok());
  auto stub = v1::TrustService::NewStub(
      OpenChannel(broker.grpc_address(), *ca, identity));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::GetVerificationKeysResponse local;
  return stub
      ->GetVerificationKeys(&ctx, v1::GetVerificationKeysRequest(),
                            response != nullptr ? response : &local)
      .error_code();
}

}  // namespace accord::testing
