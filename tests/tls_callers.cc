#include "tests/tls_callers.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "broker/dev/dev_layout.h"
#include "broker/dev/dev_pki.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

absl::StatusOr<std::string> Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string PkiDir(const std::string& data_dir) {
  return absl::StrCat(data_dir, "/", dev::kPkiDir);
}

absl::StatusOr<ClientIdentity> ReadPair(const std::string& dir,
                                        const std::string& name) {
  ClientIdentity id;
  auto cert = Slurp(absl::StrCat(dir, "/", name, ".pem"));
  if (!cert.ok()) return cert.status();
  auto key = Slurp(absl::StrCat(dir, "/", name, ".key"));
  if (!key.ok()) return key.status();
  id.cert_pem = *std::move(cert);
  id.key_pem = *std::move(key);
  return id;
}

}  // namespace

absl::StatusOr<std::string> DevCaPem(const std::string& data_dir) {
  return Slurp(absl::StrCat(PkiDir(data_dir), "/", dev::kCaCert));
}

absl::StatusOr<ClientIdentity> DevIdentity(const std::string& data_dir,
                                           const std::string& name) {
  return ReadPair(PkiDir(data_dir), name);
}

absl::StatusOr<ClientIdentity> IssueIdentity(const std::string& data_dir,
                                             const std::string& name,
                                             int64_t not_before,
                                             int64_t not_after, bool foreign) {
  absl::StatusOr<dev::IssuedCertificate> ca =
      foreign ? dev::NewCertificateAuthority("Foreign Test CA", not_before,
                                             not_after + 86400)
              : dev::ReadIssuedCertificate(PkiDir(data_dir), "ca");
  if (!ca.ok()) return ca.status();
  dev::CertificateSpec spec;
  spec.common_name = name;
  spec.uri_sans = {absl::StrCat(dev::kPrincipalUriPrefix, name)};
  spec.usage = dev::CertificateSpec::Usage::kClient;
  spec.not_before = not_before;
  spec.not_after = not_after;
  auto leaf = dev::IssueCertificate(*ca, spec);
  if (!leaf.ok()) return leaf.status();
  // The key leaves SigningKey only through a file.
  TempDir tmp;
  if (absl::Status s = dev::WriteIssuedCertificate(*leaf, tmp.path(), name);
      !s.ok()) {
    return s;
  }
  return ReadPair(tmp.path(), name);
}

std::shared_ptr<grpc::Channel> OpenChannel(const std::string& address,
                                           const std::string& ca_pem,
                                           const ClientIdentity& identity) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ca_pem;
  tls.pem_cert_chain = identity.cert_pem;
  tls.pem_private_key = identity.key_pem;
  grpc::ChannelArguments args;
  // One connection per identity: channels never share a TLS session.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(tls), args);
}

}  // namespace accord::testing
