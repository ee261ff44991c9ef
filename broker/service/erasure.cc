#include "broker/service/erasure.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/random.h"
#include "broker/formats/json.h"
#include "broker/service/config.h"
#include "broker/service/key_ring.h"
#include "broker/service/revocations.h"
#include "broker/service/sweeper.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

bool Live(const accord::v1::Consent& c, int64_t now) {
  return c.state() == accord::v1::CONSENT_STATE_GIVEN &&
         (c.expires_at() == 0 || c.expires_at() > now);
}

}  // namespace

absl::Status CheckSubject(absl::string_view subject) {
  if (subject.empty() || subject.size() > 128) {
    return absl::InvalidArgumentError(
        "subject: required, the subject pseudonym (1..128 characters)");
  }
  for (char ch : subject) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-' &&
        ch != '_') {
      return absl::InvalidArgumentError(
          "subject: only base64url characters are allowed");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckVerifiedRequest(absl::string_view reference) {
  if (reference.empty() || reference.size() > 200) {
    return absl::InvalidArgumentError(
        "verified_request: required, the reference of the verified erasure "
        "request, 1..200 characters");
  }
  for (char ch : reference) {
    if (ch < 0x20 || ch > 0x7e) {
      return absl::InvalidArgumentError(
          "verified_request: only printable ASCII characters are allowed");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PreparedErasure> PrepareErasure(const Env& env,
                                               const ErasureRequest& request,
                                               int64_t now) {
  auto found = env.store->FindSubject(request.subject);
  if (!found.ok()) return found.status();
  if (found->empty()) {
    return absl::NotFoundError(
        "no data for this subject (unknown, or erased already)");
  }
  PreparedErasure out;
  accord::v1::ErasureResponse& r = out.response;
  for (const accord::v1::Consent& c : found->consents) {
    if (Live(c, now)) r.set_consents_withdrawn(r.consents_withdrawn() + 1);
  }
  r.set_consents_erased(static_cast<uint32_t>(found->consents.size()));
  r.set_grants_rewritten(static_cast<uint32_t>(found->grants.size()));
  accord::v1::Revocation revocation;
  for (const store::GrantRecord& g : found->grants) {
    if (g.released_at() == 0 && g.expires_at() > now) {
      revocation.add_grant_ids(g.id());
    }
  }
  r.set_grants_revoked(static_cast<uint32_t>(revocation.grant_ids_size()));
  r.set_receipt_id(crypto::RandomId());
  auto receipt = SignErasureReceipt(*env.receipt_keys->Primary(),
                                    env.config->grant_issuer, request, r, now);
  if (!receipt.ok()) return receipt.status();
  r.set_receipt(*std::move(receipt));

  out.ws.AddAuditEvent(ErasureEvent(request, r, now));
  if (revocation.grant_ids_size() > 0) {
    revocation.set_cause(std::string(kErasureCause));
    out.ws.AddRevocation(std::move(revocation));
    out.revokes = true;
  }
  out.ws.EraseSubject(request.subject, now);
  return out;
}

void CommitErasure(const Env& env, PreparedErasure prepared,
                   absl::Time deadline, accord::v1::ErasureResponse* response,
                   absl::AnyInvocable<void(absl::Status)> done) {
  prepared.ws.set_deadline(deadline);
  env.store->Commit(
      std::move(prepared.ws),
      [&env, response, revokes = prepared.revokes,
       answer = std::move(prepared.response),
       done = std::move(done)](absl::StatusOr<store::CommitResult> r) mutable {
        if (!r.ok()) return done(r.status());
        if (revokes && env.revocations != nullptr) {
          env.revocations->Notify(r->revision);
        }
        if (env.sweeper != nullptr) env.sweeper->RequestCompaction();
        *response = std::move(answer);
        response->set_revision(r->revision);
        done(absl::OkStatus());
      });
}

accord::v1::AuditEvent ErasureEvent(const ErasureRequest& request,
                                    const accord::v1::ErasureResponse& response,
                                    int64_t now) {
  accord::v1::AuditEvent e;
  e.set_type(accord::v1::EVENT_TYPE_ERASURE);
  e.set_actor(request.actor);
  e.set_time(now);
  auto& d = *e.mutable_detail();
  d["receipt_id"] = response.receipt_id();
  d["requested_by"] = request.requested_by;
  d["consents_withdrawn"] = absl::StrCat(response.consents_withdrawn());
  d["consents_erased"] = absl::StrCat(response.consents_erased());
  d["grants_revoked"] = absl::StrCat(response.grants_revoked());
  d["grants_rewritten"] = absl::StrCat(response.grants_rewritten());
  if (!request.verified_request.empty()) {
    d["verified_request"] = request.verified_request;
  }
  if (!request.channel.empty()) d["channel"] = request.channel;
  return e;
}

absl::StatusOr<std::string> SignErasureReceipt(
    const crypto::SigningKey& key, absl::string_view issuer,
    const ErasureRequest& request, const accord::v1::ErasureResponse& counts,
    int64_t now) {
  using formats::JsonValue;
  JsonValue claims = JsonValue::Object();
  claims.Set("iss", issuer)
      .Set("aud", kErasureReceiptAudience)
      .Set("jti", counts.receipt_id())
      .Set("iat", static_cast<long long>(now))
      .Set("sub", request.subject)
      .Set("requested_by", request.requested_by)
      .Set("consents_withdrawn",
           static_cast<long long>(counts.consents_withdrawn()))
      .Set("consents_erased", static_cast<long long>(counts.consents_erased()))
      .Set("grants_revoked", static_cast<long long>(counts.grants_revoked()))
      .Set("grants_rewritten",
           static_cast<long long>(counts.grants_rewritten()));
  if (!request.verified_request.empty()) {
    claims.Set("verified_request", request.verified_request);
  }
  return crypto::SignJws(key, kErasureReceiptType, claims.Serialize());
}

}  // namespace accord::service
