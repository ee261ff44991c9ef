#include "broker/service/dev_mode.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "broker/crypto/signing_key.h"
#include "broker/crypto/x509.h"
#include "broker/dev/dev_layout.h"
#include "broker/dev/dev_pki.h"
#include "broker/formats/json.h"
#include "broker/service/admin_service.h"
#include "broker/service/audit_events.h"
#include "broker/service/clock.h"
#include "broker/service/demo_content.h"
#include "broker/service/demo_requests.h"
#include "broker/service/identity.h"
#include "broker/service/policy_registry.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

absl::Status WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::Status EnsureIssuer(const std::string& pki) {
  const std::string key_path = absl::StrCat(pki, "/", dev::kIssuerKey);
  const std::string jwks_path = absl::StrCat(pki, "/", dev::kIssuerJwks);
  if (!fs::exists(key_path)) {
    auto key = crypto::SigningKey::Generate(crypto::Algorithm::kES256);
    if (!key.ok()) return key.status();
    if (absl::Status s = key->WritePemFile(key_path); !s.ok()) return s;
  }
  auto key = crypto::SigningKey::ReadPemFile(key_path);
  if (!key.ok()) return key.status();
  formats::JsonValue keys = formats::JsonValue::Array();
  keys.Push(key->PublicJwk());
  formats::JsonValue jwks = formats::JsonValue::Object();
  jwks.Set("keys", std::move(keys));
  return WriteFile(jwks_path, jwks.Serialize());
}

accord::v1::Role RoleOf(absl::string_view name) {
  if (name == dev::kOperator) return accord::v1::ROLE_OPERATOR;
  if (name == dev::kProducer) return accord::v1::ROLE_PRODUCER;
  if (name == dev::kPartner) return accord::v1::ROLE_PARTNER;
  if (name == dev::kAuditor) return accord::v1::ROLE_AUDITOR;
  return accord::v1::ROLE_APP;
}

absl::Status Commit(const Env& env, store::WriteSet ws) {
  auto committed = env.store->CommitAndWait(std::move(ws));
  return committed.ok() ? absl::OkStatus() : committed.status();
}

// The dev principal `name` as it should be: pinned roles by the SHA-256 of
// their dev certificate, the others by their certificate URI.
absl::StatusOr<accord::v1::Principal> DevPrincipal(const Env& env,
                                                   absl::string_view name) {
  accord::v1::Principal p;
  p.set_id(std::string(name));
  p.set_role(RoleOf(name));
  if (name == dev::kPartner) p.set_category("academic");
  if (IsPinnedRole(p.role())) {
    const std::string path = absl::StrCat(env.config->data_dir, "/",
                                          dev::kPkiDir, "/", name, ".pem");
    std::ifstream in(path, std::ios::binary);
    std::stringstream pem;
    pem << in.rdbuf();
    auto cert = crypto::ParseCertificatePem(pem.str());
    if (!cert.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("dev certificate ", path, " is unreadable"));
    }
    p.set_certificate_sha256(cert->sha256_hex);
  } else {
    p.set_certificate_uri(absl::StrCat(dev::kPrincipalUriPrefix, name));
  }
  return p;
}

absl::Status SeedPrincipals(const Env& env, int64_t now) {
  for (absl::string_view name : dev::kPrincipals) {
    auto wanted = DevPrincipal(env, name);
    if (!wanted.ok()) return wanted.status();
    accord::v1::Principal& p = *wanted;
    auto existing = env.store->GetPrincipal(name);
    // A dev store made before operators and auditors were pinned, or whose
    // dev certificate was renewed, gets the current identity.
    if (existing.ok() && existing->certificate_uri() == p.certificate_uri() &&
        existing->certificate_sha256() == p.certificate_sha256()) {
      continue;
    }
    if (!existing.ok() && !absl::IsNotFound(existing.status())) {
      return existing.status();
    }
    if (absl::Status s = CheckPrincipal(p, env.config->trust_domain); !s.ok()) {
      return s;
    }
    store::WriteSet ws;
    ws.PutPrincipal(p);
    ws.AddAuditEvent(PrincipalEvent("dev-mode", p.id(), "put", now));
    if (absl::Status s = Commit(env, std::move(ws)); !s.ok()) return s;
  }
  env.policies->InvalidateDirectory();
  return absl::OkStatus();
}

absl::Status SeedDataset(const Env& env, const DemoDataset& demo, int64_t now) {
  auto existing = env.store->GetDataset(demo.dataset.id());
  if (existing.ok() && existing->description().fr().empty() &&
      !demo.dataset.description().fr().empty()) {
    // A dev store made before datasets had texts for citizens gets them.
    accord::v1::Dataset updated = *existing;
    *updated.mutable_description() = demo.dataset.description();
    *updated.mutable_field_descriptions() = demo.dataset.field_descriptions();
    store::WriteSet ws;
    ws.PutDataset(updated);
    ws.AddAuditEvent(DatasetEvent("dev-mode", updated, now));
    if (absl::Status s = Commit(env, std::move(ws)); !s.ok()) return s;
    env.policies->InvalidateDataset(updated.id());
    return absl::OkStatus();
  }
  if (existing.ok()) return absl::OkStatus();
  if (!absl::IsNotFound(existing.status())) return existing.status();
  auto ws = DevDatasetWrites(*env.policies, demo.dataset, demo.policy_yaml,
                             demo.policy_file, now);
  if (!ws.ok()) return ws.status();
  if (absl::Status s = Commit(env, *std::move(ws)); !s.ok()) return s;
  env.policies->InvalidateDataset(demo.dataset.id());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<store::WriteSet> DevDatasetWrites(PolicyRegistry& registry,
                                                 accord::v1::Dataset dataset,
                                                 absl::string_view policy_yaml,
                                                 absl::string_view policy_file,
                                                 int64_t now) {
  dataset.set_producer(std::string(dev::kProducer));
  auto prepared = registry.Prepare(dataset, policy_yaml,
                                   accord::v1::POLICY_FORMAT_YAML, policy_file);
  if (!prepared.ok()) return prepared.status();
  accord::v1::PolicyVersion version;
  version.set_dataset_id(dataset.id());
  version.mutable_ref()->set_version(1);
  version.mutable_ref()->set_hash(prepared->hash);
  version.set_format(accord::v1::POLICY_FORMAT_YAML);
  version.set_source(std::string(policy_yaml));
  version.set_canonical(prepared->canonical);
  version.set_author(std::string(dev::kProducer));
  version.set_created_at(now);
  dataset.set_policy_version(1);
  store::WriteSet ws;
  ws.PutDataset(dataset);
  ws.PutPolicyVersion(version);
  ws.AddAuditEvent(DatasetEvent(dev::kProducer, dataset, now));
  ws.AddAuditEvent(
      PolicyEvent(dev::kProducer, dataset.id(), version.ref(), now));
  return ws;
}

bool IsLoopbackAddress(absl::string_view address) {
  absl::string_view host = address;
  if (absl::ConsumePrefix(&host, "[")) {
    host = host.substr(0, host.find(']'));
  } else if (auto colon = host.rfind(':'); colon != absl::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host == "localhost") return true;
  // Literal addresses only: "127.example.org" is a name that may resolve
  // anywhere.
  const std::string literal(host);
  in_addr v4;
  if (inet_pton(AF_INET, literal.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  return inet_pton(AF_INET6, literal.c_str(), &v6) == 1 &&
         IN6_IS_ADDR_LOOPBACK(&v6);
}

absl::Status PrepareDevMode(BrokerConfig& config) {
  for (const std::string* address :
       {&config.grpc_address, &config.http_address}) {
    if (!IsLoopbackAddress(*address)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "dev mode listens on loopback addresses only, not '", *address, "'"));
    }
  }
  std::error_code ec;
  fs::create_directories(config.data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create data directory ", config.data_dir, ": ", ec.message()));
  }
  const std::string pki = absl::StrCat(config.data_dir, "/", dev::kPkiDir);
  std::vector<std::string> names(dev::kPrincipals.begin(),
                                 dev::kPrincipals.end());
  if (absl::Status s = dev::EnsureDevPki(pki, names); !s.ok()) return s;
  if (absl::Status s = EnsureIssuer(pki); !s.ok()) return s;
  config.tls_ca_file = absl::StrCat(pki, "/", dev::kCaCert);
  config.tls_cert_file = absl::StrCat(pki, "/", dev::kServerName, ".pem");
  config.tls_key_file = absl::StrCat(pki, "/", dev::kServerName, ".key");
  CitizenIssuer issuer;
  issuer.issuer = std::string(dev::kIssuer);
  issuer.audience = std::string(dev::kAudience);
  issuer.jwks_file = absl::StrCat(pki, "/", dev::kIssuerJwks);
  issuer.app_principals[std::string(dev::kCitizenClientId)] = {
      std::string(dev::kCitizenApp)};
  config.citizen_issuers.push_back(issuer);
  config.trust_domain = std::string(dev::kTrustDomain);
  return absl::OkStatus();
}

absl::Status SeedDevContent(const Env& env) {
  const int64_t now = env.clock->NowSeconds();
  if (absl::Status s = SeedPrincipals(env, now); !s.ok()) return s;
  for (const DemoDataset& demo : DemoDatasets()) {
    if (absl::Status s = SeedDataset(env, demo, now); !s.ok()) {
      return absl::InternalError(absl::StrCat(
          "demo dataset '", demo.dataset.id(), "': ", s.message()));
    }
  }
  if (absl::Status s = SeedDemoRequests(env, now); !s.ok()) {
    return absl::InternalError(
        absl::StrCat("demo consent requests: ", s.message()));
  }
  return absl::OkStatus();
}

}  // namespace accord::service
