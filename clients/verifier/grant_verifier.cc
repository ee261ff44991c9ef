#include "clients/verifier/grant_verifier.h"

#include <optional>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "broker/crypto/algorithm.h"
#include "broker/crypto/jwks.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/jwt_claims.h"
#include "broker/crypto/x509.h"
#include "clients/verifier/grant_claims_internal.h"

namespace accord::verifier {
namespace {

constexpr char kCheckPayload[] = "type.accord.dev/verifier.GrantCheck";
constexpr char kGrantType[] = "grant+jwt";

constexpr GrantCheck kAllChecks[] = {
    GrantCheck::kConfig,  GrantCheck::kFormat,    GrantCheck::kKey,
    GrantCheck::kKeys,    GrantCheck::kSignature, GrantCheck::kLifetime,
    GrantCheck::kIssuer,  GrantCheck::kAudience,  GrantCheck::kClaims,
    GrantCheck::kBinding, GrantCheck::kRevoked,   GrantCheck::kRevocations};

// `status` with its message prefixed by the check name and the check
// attached as a payload.
absl::Status Failed(GrantCheck check, const absl::Status& status) {
  absl::Status out(status.code(),
                   absl::StrCat(GrantCheckName(check), ": ", status.message()));
  out.SetPayload(kCheckPayload, absl::Cord(GrantCheckName(check)));
  return out;
}

absl::Status Failed(GrantCheck check, absl::StatusCode code,
                    absl::string_view message) {
  return Failed(check, absl::Status(code, message));
}

GrantCheck CheckOfJwsError(const absl::Status& s) {
  if (crypto::IsUnknownKidError(s)) return GrantCheck::kKey;
  return s.code() == absl::StatusCode::kInvalidArgument
             ? GrantCheck::kFormat
             : GrantCheck::kSignature;
}

// The claim checks, in one pass when they all hold (the common case); a
// failure is classified by checking lifetime, issuer and audience apart.
absl::Status CheckGrantClaims(const formats::JsonValue& payload,
                              const GrantVerifierOptions& o) {
  crypto::ClaimExpectations all;
  all.now = absl::ToUnixSeconds(o.now());
  all.skew_seconds = o.skew_seconds;
  all.issuer = o.issuer;
  if (!o.skip_audience_check) all.audience = o.audience;
  if (crypto::CheckClaims(payload, all).ok()) return absl::OkStatus();

  crypto::ClaimExpectations lifetime = all;
  lifetime.issuer.clear();
  lifetime.audience.clear();
  if (absl::Status s = crypto::CheckClaims(payload, lifetime); !s.ok()) {
    return Failed(s.code() == absl::StatusCode::kInvalidArgument
                      ? GrantCheck::kClaims
                      : GrantCheck::kLifetime,
                  s);
  }
  if (!all.issuer.empty()) {
    crypto::ClaimExpectations iss = lifetime;
    iss.issuer = all.issuer;
    if (absl::Status s = crypto::CheckClaims(payload, iss); !s.ok()) {
      return Failed(GrantCheck::kIssuer, s);
    }
  }
  crypto::ClaimExpectations aud = lifetime;
  aud.audience = all.audience;
  absl::Status s = crypto::CheckClaims(payload, aud);
  return Failed(GrantCheck::kAudience,
                s.ok() ? absl::UnauthenticatedError("claims do not hold") : s);
}

// The JWS checks `o` asks for; null when it names an algorithm grants
// cannot use.
std::shared_ptr<const crypto::JwsPolicy> PolicyFor(
    const GrantVerifierOptions& o) {
  auto policy = std::make_shared<crypto::JwsPolicy>();
  policy->allowed_algorithms.clear();
  for (const std::string& name : o.allowed_algorithms) {
    std::optional<crypto::Algorithm> alg = crypto::AlgorithmFromName(name);
    if (!alg.has_value() || (*alg != crypto::Algorithm::kES256 &&
                             *alg != crypto::Algorithm::kEdDSA)) {
      return nullptr;
    }
    policy->allowed_algorithms.push_back(*alg);
  }
  policy->max_bytes = o.max_token_bytes;
  policy->expected_typ = kGrantType;
  return policy;
}

}  // namespace

absl::StatusOr<Grant> GrantVerifier::Verify(
    absl::string_view token, std::optional<absl::string_view> x5t_s256) const {
  const GrantVerifierOptions& o = options_;
  if (!o.skip_audience_check && o.audience.empty()) {
    return Failed(GrantCheck::kConfig, absl::StatusCode::kFailedPrecondition,
                  "no audience configured");
  }
  if (o.allowed_algorithms.empty()) {
    return Failed(GrantCheck::kConfig, absl::StatusCode::kFailedPrecondition,
                  "no algorithm allowed");
  }
  if (jws_policy_ == nullptr) {
    return Failed(GrantCheck::kConfig, absl::StatusCode::kFailedPrecondition,
                  "allowed_algorithms: only ES256 and EdDSA");
  }
  const crypto::JwsPolicy& policy = *jws_policy_;
  JwksSource& keys = *keys_;
  // A failed load keeps the cached set in use; the source retries it after
  // its floor.
  (void)keys.RefreshIfStale();
  std::shared_ptr<const crypto::Jwks> jwks = keys.Current();
  absl::StatusOr<crypto::VerifiedJws> jws =
      crypto::VerifyJws(token, *jwks, policy);
  if (!jws.ok() && crypto::IsUnknownKidError(jws.status())) {
    // The broker may have rotated: load the set again (the source holds
    // back loads that come too often) and retry once with what it has.
    absl::StatusOr<bool> refreshed = keys.RefreshAfterUnknownKid();
    if (!refreshed.ok()) return Failed(GrantCheck::kKeys, refreshed.status());
    std::shared_ptr<const crypto::Jwks> now_current = keys.Current();
    if (now_current != jwks) {
      jws = crypto::VerifyJws(token, *now_current, policy);
    }
  }
  if (!jws.ok()) return Failed(CheckOfJwsError(jws.status()), jws.status());
  if (absl::Status s = CheckGrantClaims(jws->payload, o); !s.ok()) return s;
  absl::StatusOr<Grant> grant = GrantFromClaims(jws->header, jws->payload);
  if (!grant.ok()) return Failed(GrantCheck::kClaims, grant.status());
  if (x5t_s256.has_value() && grant->cnf_x5t_s256 != *x5t_s256) {
    return Failed(GrantCheck::kBinding, absl::StatusCode::kUnauthenticated,
                  "grant is bound to another client certificate");
  }
  // Last, so only a grant that is otherwise valid learns it was revoked.
  if (o.revoked != nullptr) {
    absl::Status s = o.revoked->Check(grant->id);
    if (s.code() == absl::StatusCode::kPermissionDenied) {
      return Failed(GrantCheck::kRevoked, s);
    }
    if (!s.ok()) return Failed(GrantCheck::kRevocations, s);
  }
  return grant;
}

absl::string_view GrantCheckName(GrantCheck check) {
  switch (check) {
    case GrantCheck::kConfig:
      return "config";
    case GrantCheck::kFormat:
      return "format";
    case GrantCheck::kKey:
      return "key";
    case GrantCheck::kKeys:
      return "keys";
    case GrantCheck::kSignature:
      return "signature";
    case GrantCheck::kLifetime:
      return "lifetime";
    case GrantCheck::kIssuer:
      return "iss";
    case GrantCheck::kAudience:
      return "aud";
    case GrantCheck::kClaims:
      return "claims";
    case GrantCheck::kBinding:
      return "cnf";
    case GrantCheck::kRevoked:
      return "revoked";
    case GrantCheck::kRevocations:
      return "revocations";
  }
  return "unknown";
}

std::optional<GrantCheck> FailedCheck(const absl::Status& status) {
  auto name = status.GetPayload(kCheckPayload);
  if (!name.has_value()) return std::nullopt;
  for (GrantCheck c : kAllChecks) {
    if (*name == GrantCheckName(c)) return c;
  }
  return std::nullopt;
}

GrantVerifier::GrantVerifier(std::shared_ptr<JwksSource> keys,
                             GrantVerifierOptions options)
    : keys_(std::move(keys)),
      options_(std::move(options)),
      jws_policy_(PolicyFor(options_)) {}

absl::StatusOr<Grant> GrantVerifier::VerifyForCertificate(
    absl::string_view token, absl::string_view client_cert_pem) const {
  if (client_cert_pem.empty()) {
    return Failed(GrantCheck::kBinding, absl::StatusCode::kUnauthenticated,
                  "no client certificate presented");
  }
  absl::StatusOr<crypto::CertificateInfo> cert =
      crypto::ParseCertificatePem(client_cert_pem);
  if (!cert.ok()) return Failed(GrantCheck::kBinding, cert.status());
  return Verify(token, absl::string_view(cert->x5t_s256));
}

absl::StatusOr<Grant> GrantVerifier::VerifyForThumbprint(
    absl::string_view token, absl::string_view x5t_s256) const {
  if (x5t_s256.empty()) {
    return Failed(GrantCheck::kBinding, absl::StatusCode::kUnauthenticated,
                  "no client certificate thumbprint");
  }
  return Verify(token, x5t_s256);
}

absl::StatusOr<Grant> GrantVerifier::VerifyUnbound(
    absl::string_view token) const {
  return Verify(token, std::nullopt);
}

}  // namespace accord::verifier
