#include "broker/service/grpc_listener.h"

#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/service/limits.h"

namespace accord::service {
namespace {

constexpr int kHandshakeTimeoutMillis = 10'000;
constexpr int kMaxConnectionIdleMillis = 300'000;
constexpr int kMaxMetadataBytes = 16 * 1024;

// Server reflection adds itself to every server builder once its library
// is linked; this option takes it out again, so the API's shape is not
// served to anyone.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    plugins->erase(
        std::remove_if(plugins->begin(), plugins->end(),
                       [](const std::unique_ptr<grpc::ServerBuilderPlugin>& p) {
                         return p->name() == "proto_server_reflection";
                       }),
        plugins->end());
  }
};

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> GrpcServerCredentials(
    const BrokerConfig& config, const std::string& ca_pem,
    const std::string& cert_pem, const std::string& key_pem) {
  const grpc_ssl_client_certificate_request_type client_certs =
      config.dev ? GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY
                 : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  if (config.tls_crl_dir.empty()) {
    grpc::SslServerCredentialsOptions tls(client_certs);
    tls.pem_root_certs = ca_pem;
    tls.pem_key_cert_pairs.push_back({key_pem, cert_pem});
    return grpc::SslServerCredentials(tls);
  }
  // Revocation lists need gRPC's TLS credentials: the same handshake, with
  // the CRLs of the directory checked on every client certificate.
  std::error_code ec;
  if (!std::filesystem::is_directory(config.tls_crl_dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "tls_crl_dir: ", config.tls_crl_dir, " is not a directory"));
  }
  auto provider =
      std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
          ca_pem, std::vector<grpc::experimental::IdentityKeyCertPair>{
                      {key_pem, cert_pem}});
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_root_certs();
  tls.watch_identity_key_cert_pairs();
  tls.set_cert_request_type(client_certs);
  tls.set_crl_directory(config.tls_crl_dir);
  return grpc::experimental::TlsServerCredentials(tls);
}

void ConfigureGrpcListener(const BrokerConfig& config,
                           grpc::ServerBuilder& builder) {
  builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  grpc::ResourceQuota quota("accord-grpc");
  quota.Resize(config.grpc_memory_bytes);
  quota.SetMaxThreads(static_cast<int>(config.grpc_max_threads));
  builder.SetResourceQuota(quota);
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONCURRENT_STREAMS,
      static_cast<int>(config.grpc_max_streams_per_connection));
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             kHandshakeTimeoutMillis);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             kMaxConnectionIdleMillis);
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, kMaxMetadataBytes);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  if (!config.dev && !config.grpc_reflection) {
    builder.SetOption(std::make_unique<WithoutReflection>());
  }
}

}  // namespace accord::service
