#include "broker/service/caller.h"

#include <grpcpp/security/auth_context.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "broker/service/authz.h"
#include "broker/service/identity.h"

namespace accord::service {
namespace {

constexpr size_t kMaxCachedCerts = 4096;
constexpr size_t kMaxTokenBytes = 8192;

absl::StatusOr<std::string> BearerToken(
    const grpc::ServerContextBase& context) {
  const auto& md = context.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    return absl::UnauthenticatedError("a citizen bearer token is required");
  }
  absl::string_view value(it->second.data(), it->second.size());
  if (value.size() > kMaxTokenBytes) {
    return absl::UnauthenticatedError("the bearer token is too large");
  }
  if (!absl::ConsumePrefix(&value, "Bearer ")) {
    return absl::UnauthenticatedError(
        "authorization metadata must be 'Bearer <token>'");
  }
  return std::string(value);
}

}  // namespace

absl::StatusOr<crypto::CertificateInfo> Authenticator::ParseCached(
    const std::string& pem) {
  {
    absl::MutexLock l(&mu_);
    auto it = certs_.find(pem);
    if (it != certs_.end()) return it->second;
  }
  absl::StatusOr<crypto::CertificateInfo> info =
      crypto::ParseCertificatePem(pem);
  if (!info.ok()) return info.status();
  absl::MutexLock l(&mu_);
  if (certs_.size() >= kMaxCachedCerts) certs_.clear();
  certs_.emplace(pem, *info);
  return info;
}

absl::StatusOr<Caller> Authenticator::Authenticate(
    const grpc::ServerContextBase& context, absl::string_view method,
    const Admit& admit) {
  const MethodRule* rule = FindRule(method);
  if (rule == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("no caller may call ", method));
  }
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) {
    return absl::UnauthenticatedError("a client certificate is required");
  }
  std::vector<grpc::string_ref> pems =
      auth->FindPropertyValues("x509_pem_cert");
  if (pems.empty()) {
    return absl::UnauthenticatedError("a client certificate is required");
  }
  std::string pem(pems.front().data(), pems.front().size());
  absl::StatusOr<crypto::CertificateInfo> cert = ParseCached(pem);
  if (!cert.ok()) {
    return absl::UnauthenticatedError("the client certificate is unreadable");
  }
  if (cert->not_after < clock_->NowSeconds()) {
    return absl::UnauthenticatedError("the client certificate has expired");
  }
  // Any URI outside the trust domain makes the certificate suspect, not
  // only the one used for the mapping.
  for (const std::string& san : cert->uri_sans) {
    if (!UnderTrustDomain(san, trust_domain_)) {
      return absl::UnauthenticatedError(
          "the client certificate names a URI outside the trust domain");
    }
  }
  std::string uri = cert->uri_sans.empty() ? "" : cert->uri_sans.front();
  absl::StatusOr<accord::v1::Principal> principal =
      store_->FindPrincipalByCertificate(uri, cert->sha256_hex);
  // A pinned principal is its certificate: a URI match (a record from
  // before pinning) is no match.
  if (principal.ok() && IsPinnedRole(principal->role()) &&
      principal->certificate_sha256() != cert->sha256_hex) {
    principal = absl::NotFoundError("pinned principal, other certificate");
  }
  if (!principal.ok()) {
    if (absl::IsNotFound(principal.status())) {
      return absl::UnauthenticatedError(
          "the client certificate belongs to no known principal");
    }
    return principal.status();
  }
  if (absl::Status s = CheckRole(*rule, principal->role()); !s.ok()) return s;
  Caller caller;
  caller.principal = *std::move(principal);
  caller.cert_thumbprint = cert->x5t_s256;
  if (!rule->citizen_token) {
    if (admit) {
      if (absl::Status s = admit(caller.principal.id()); !s.ok()) return s;
    }
    return caller;
  }
  absl::StatusOr<std::string> subject = CitizenOf(context, caller.principal);
  if (admit) {
    const std::string key =
        subject.ok() ? CitizenRateKey(*subject) : caller.principal.id();
    if (absl::Status s = admit(key); !s.ok()) return s;
  }
  if (!subject.ok()) return subject.status();
  caller.subject = *std::move(subject);
  return caller;
}

absl::StatusOr<std::string> Authenticator::CitizenOf(
    const grpc::ServerContextBase& context,
    const accord::v1::Principal& app) const {
  absl::StatusOr<std::string> token = BearerToken(context);
  if (!token.ok()) return token.status();
  return citizens_->Pseudonym(*token, app.id(), clock_->NowSeconds());
}

std::string CitizenRateKey(absl::string_view subject) {
  return absl::StrCat("citizen:", subject);
}

}  // namespace accord::service
