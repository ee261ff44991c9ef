#include "broker/service/admin_service.h"

#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/crypto/algorithm.h"
#include "broker/service/audit_events.h"
#include "broker/service/call.h"
#include "broker/service/clock.h"
#include "broker/service/erasure.h"
#include "broker/service/identity.h"
#include "broker/service/key_ring.h"
#include "broker/service/policy_registry.h"
#include "broker/service/request_ids.h"
#include "broker/service/revocations.h"
#include "broker/service/validate.h"
#include "broker/store/store.h"

namespace accord::service {

absl::Status CheckPrincipal(const accord::v1::Principal& p,
                            absl::string_view trust_domain) {
  if (absl::Status s = CheckId("principal.id", p.id()); !s.ok()) return s;
  if (p.role() == accord::v1::ROLE_UNSPECIFIED ||
      !accord::v1::Role_IsValid(p.role())) {
    return absl::InvalidArgumentError("principal.role: required");
  }
  if (p.role() == accord::v1::ROLE_PARTNER) {
    static const char* kCategories[] = {"academic", "public-service",
                                        "association", "company"};
    bool known = false;
    for (const char* c : kCategories) known = known || p.category() == c;
    if (!known) {
      return absl::InvalidArgumentError(
          "principal.category: a partner needs one of academic, "
          "public-service, association, company");
    }
  } else if (!p.category().empty()) {
    return absl::InvalidArgumentError(
        "principal.category: only partners have a category");
  }
  if (IsPinnedRole(p.role())) {
    if (p.certificate_sha256().empty()) {
      return absl::InvalidArgumentError(
          "principal.certificate_sha256: operators and auditors are pinned "
          "by certificate fingerprint; required");
    }
    if (!p.certificate_uri().empty()) {
      return absl::InvalidArgumentError(
          "principal.certificate_uri: operators and auditors are identified "
          "by certificate_sha256 only");
    }
  }
  if (p.certificate_uri().empty() && p.certificate_sha256().empty()) {
    return absl::InvalidArgumentError(
        "principal.certificate_uri: a certificate URI or SHA-256 is required");
  }
  if (!p.certificate_uri().empty()) {
    if (absl::Status s =
            CheckText("principal.certificate_uri", p.certificate_uri(), 256);
        !s.ok()) {
      return s;
    }
    if (!UnderTrustDomain(p.certificate_uri(), trust_domain)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "principal.certificate_uri: not under the trust domain '",
          trust_domain, "'"));
    }
  }
  if (!p.certificate_sha256().empty()) {
    const std::string& h = p.certificate_sha256();
    bool hex = h.size() == 64;
    for (char c : h)
      hex = hex && (absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'));
    if (!hex) {
      return absl::InvalidArgumentError(
          "principal.certificate_sha256: 64 lowercase hex digits");
    }
  }
  return absl::OkStatus();
}

namespace {

// Another principal holding `p`'s certificate URI or fingerprint makes `p`
// ambiguous: ALREADY_EXISTS naming the field. Replacing `p` itself is fine.
absl::Status CheckUnique(const store::Store& store,
                         const accord::v1::Principal& p) {
  struct Identity {
    const std::string& value;
    bool by_uri;
    absl::string_view field;
  };
  for (const Identity& id :
       {Identity{p.certificate_uri(), true, "principal.certificate_uri"},
        Identity{p.certificate_sha256(), false,
                 "principal.certificate_sha256"}}) {
    if (id.value.empty()) continue;
    auto holder = id.by_uri ? store.FindPrincipalByCertificate(id.value, "")
                            : store.FindPrincipalByCertificate("", id.value);
    if (absl::IsNotFound(holder.status())) continue;
    if (!holder.ok()) return holder.status();
    if (holder->id() != p.id()) {
      return absl::AlreadyExistsError(absl::StrCat(
          id.field, ": already belongs to principal '", holder->id(), "'"));
    }
  }
  return absl::OkStatus();
}

// Principal changes hold this one key from their checks to their commit.
constexpr absl::string_view kDirectory = "principals";

absl::Status Busy() {
  return absl::AbortedError(
      "another change to the principals is in progress; retry");
}

// Key rotations hold this one key from their request id's look-up to their
// commit.
constexpr absl::string_view kRotation = "rotation";

absl::Status RotationBusy() {
  return absl::AbortedError("another key rotation is in progress; retry");
}

// The grant lifetime cap bounds how far back a live grant can have been
// issued; the skew covers a clock that moved back.
int64_t OldestLiveIssue(const Env& env, int64_t now) {
  return now - env.config->max_grant_lifetime_seconds -
         env.config->clock_skew_seconds;
}

}  // namespace

grpc::ServerUnaryReactor* AdminServiceImpl::AddPrincipal(
    grpc::CallbackServerContext* context,
    const accord::v1::AddPrincipalRequest* request,
    accord::v1::AddPrincipalResponse* response) {
  constexpr char kMethod[] = "/accord.v1.AdminService/AddPrincipal";
  Call call(env_, context, kMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  auto client = ClientRequest::Find(env_, *caller, kMethod, *request, response);
  if (!client.ok()) return call.Finish(client.status());
  if (client->replayed()) return call.Finish(absl::OkStatus());
  accord::v1::Principal principal = request->principal();
  principal.clear_revision();
  if (absl::Status s = CheckPrincipal(principal, env_.config->trust_domain);
      !s.ok()) {
    return call.Finish(s);
  }
  // The uniqueness check and the write are one step: no other principal
  // change runs between them.
  KeyClaims::Claim claim = principals_.Take(kDirectory);
  if (!claim.held()) return call.Finish(Busy());
  if (absl::Status s = CheckUnique(*env_.store, principal); !s.ok()) {
    return call.FinishReleasing(claim, s);
  }
  store::WriteSet ws;
  ws.PutPrincipal(principal);
  ws.AddAuditEvent(PrincipalEvent(caller->principal.id(), principal.id(), "put",
                                  env_.clock->NowSeconds()));
  ws.set_deadline(call.deadline());
  accord::v1::AddPrincipalResponse answer;
  *answer.mutable_principal() = principal;
  client->Record(ws, answer,
                 [](accord::v1::AddPrincipalResponse* out,
                    const store::CommitResult& committed) {
                   out->mutable_principal()->set_revision(committed.revision);
                   out->set_revision(committed.revision);
                 });
  env_.store->Commit(
      std::move(ws),
      [this, call, response, claim = std::move(claim),
       principal = std::move(principal)](
          absl::StatusOr<store::CommitResult> committed) mutable {
        if (!committed.ok()) {
          return (void)call.FinishReleasing(claim, committed.status());
        }
        env_.policies->InvalidateDirectory();
        claim.Release();
        principal.set_revision(committed->revision);
        *response->mutable_principal() = std::move(principal);
        response->set_revision(committed->revision);
        call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListPrincipals(
    grpc::CallbackServerContext* context,
    const accord::v1::ListPrincipalsRequest* request,
    accord::v1::ListPrincipalsResponse* response) {
  Call call(env_, context, "/accord.v1.AdminService/ListPrincipals", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  uint32_t limit;
  if (absl::Status s =
          CheckPage(request->page_size(), request->page_token(), &limit);
      !s.ok()) {
    return call.Finish(s);
  }
  auto page = env_.store->ListPrincipals(request->page_token(), limit);
  if (!page.ok()) return call.Finish(page.status());
  for (auto& p : page->records) *response->add_principals() = std::move(p);
  response->set_next_page_token(page->next_cursor);
  return call.Finish(absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminServiceImpl::RemovePrincipal(
    grpc::CallbackServerContext* context,
    const accord::v1::RemovePrincipalRequest* request,
    accord::v1::RemovePrincipalResponse* response) {
  constexpr char kMethod[] = "/accord.v1.AdminService/RemovePrincipal";
  Call call(env_, context, kMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  auto client = ClientRequest::Find(env_, *caller, kMethod, *request, response);
  if (!client.ok()) return call.Finish(client.status());
  if (client->replayed()) return call.Finish(absl::OkStatus());
  if (absl::Status s = CheckId("id", request->id()); !s.ok()) {
    return call.Finish(s);
  }
  if (request->id() == caller->principal.id()) {
    return call.Finish(
        absl::FailedPreconditionError("id: an operator cannot remove itself"));
  }
  KeyClaims::Claim claim = principals_.Take(kDirectory);
  if (!claim.held()) return call.Finish(Busy());
  auto existing = env_.store->GetPrincipal(request->id());
  if (!existing.ok()) return call.FinishReleasing(claim, existing.status());
  const int64_t now = env_.clock->NowSeconds();
  // A removed principal's grants stop being honoured with it: the removal
  // and the revocation of every grant still live commit together.
  auto live = env_.store->LiveGrantsOfPartner(request->id(),
                                              OldestLiveIssue(env_, now), now);
  if (!live.ok()) return call.FinishReleasing(claim, live.status());
  store::WriteSet ws;
  ws.DeletePrincipal(request->id());
  ws.AddAuditEvent(
      PrincipalEvent(caller->principal.id(), request->id(), "remove", now));
  if (!live->empty()) {
    accord::v1::Revocation revocation;
    for (const store::GrantRecord& g : *live) revocation.add_grant_ids(g.id());
    revocation.set_cause("principal_removed");
    ws.AddRevocation(std::move(revocation));
  }
  ws.set_deadline(call.deadline());
  client->Record(ws, accord::v1::RemovePrincipalResponse(),
                 [](accord::v1::RemovePrincipalResponse* out,
                    const store::CommitResult& committed) {
                   out->set_revision(committed.revision);
                 });
  env_.store->Commit(
      std::move(ws),
      [this, call, response, claim = std::move(claim),
       revokes = !live->empty()](
          absl::StatusOr<store::CommitResult> committed) mutable {
        if (!committed.ok()) {
          return (void)call.FinishReleasing(claim, committed.status());
        }
        if (revokes && env_.revocations != nullptr) {
          env_.revocations->Notify(committed->revision);
        }
        env_.policies->InvalidateDirectory();
        claim.Release();
        response->set_revision(committed->revision);
        call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListKeys(
    grpc::CallbackServerContext* context,
    const accord::v1::ListKeysRequest* request,
    accord::v1::ListKeysResponse* response) {
  Call call(env_, context, "/accord.v1.AdminService/ListKeys", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  for (auto& k : env_.keys->List()) *response->add_keys() = std::move(k);
  for (auto& k : env_.receipt_keys->List()) {
    *response->add_receipt_keys() = std::move(k);
  }
  return call.Finish(absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminServiceImpl::RotateKey(
    grpc::CallbackServerContext* context,
    const accord::v1::RotateKeyRequest* request,
    accord::v1::RotateKeyResponse* response) {
  constexpr char kMethod[] = "/accord.v1.AdminService/RotateKey";
  Call call(env_, context, kMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  // The ring changes before the commit that records the answer: a retry
  // racing its first attempt must be refused, not rotate again.
  KeyClaims::Claim claim = rotations_.Take(kRotation);
  if (!claim.held()) return call.Finish(RotationBusy());
  auto client = ClientRequest::Find(env_, *caller, kMethod, *request, response);
  if (!client.ok()) return call.FinishReleasing(claim, client.status());
  if (client->replayed()) return call.FinishReleasing(claim, absl::OkStatus());
  std::optional<crypto::Algorithm> alg =
      request->alg().empty() ? crypto::Algorithm::kES256
                             : crypto::AlgorithmFromName(request->alg());
  // RS256 is a known name, but verification-only: the broker signs with
  // ES256 or EdDSA keys and nothing else.
  if (!alg.has_value() || *alg == crypto::Algorithm::kRS256) {
    return call.FinishReleasing(
        claim, absl::InvalidArgumentError(
                   "alg (algorithm): ES256 or EdDSA, the algorithms the "
                   "broker signs with"));
  }
  KeyRing* ring = request->receipt_key() ? env_.receipt_keys : env_.keys;
  auto key = ring->Rotate(*alg);
  if (!key.ok()) return call.FinishReleasing(claim, key.status());
  accord::v1::AuditEvent event =
      KeyEvent(caller->principal.id(), *key, env_.clock->NowSeconds());
  store::WriteSet ws;
  ws.AddAuditEvent(std::move(event));
  *response->mutable_key() = *std::move(key);
  // The answer is complete before the commit: it holds no revision.
  client->Record(
      ws, *response,
      [](accord::v1::RotateKeyResponse*, const store::CommitResult&) {});
  env_.store->Commit(
      std::move(ws),
      [call, response, claim = std::move(claim)](
          absl::StatusOr<store::CommitResult> committed) mutable {
        if (!committed.ok()) {
          response->Clear();
          return (void)call.FinishReleasing(claim, committed.status());
        }
        call.FinishReleasing(claim, absl::OkStatus());
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* AdminServiceImpl::Backup(
    grpc::CallbackServerContext* context,
    const accord::v1::BackupRequest* request,
    accord::v1::BackupResponse* response) {
  Call call(env_, context, "/accord.v1.AdminService/Backup", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (absl::Status s = CheckText("directory", request->directory(), 1024);
      !s.ok()) {
    return call.Finish(s);
  }
  if (!absl::StartsWith(request->directory(), "/")) {
    return call.Finish(
        absl::InvalidArgumentError("directory: an absolute path is required"));
  }
  // The copy takes as long as the store is large: it runs on a thread of
  // its own, one backup at a time, never on a gRPC thread. The server's
  // shutdown waits for the call to finish, so the store is still open.
  KeyClaims::Claim claim = backups_.Take("backup");
  if (!claim.held()) {
    return call.Finish(
        absl::AbortedError("a backup is in progress; retry when it is done"));
  }
  std::thread([store = env_.store, call, response,
               directory = request->directory(),
               claim = std::move(claim)]() mutable {
    const uint64_t revision = store->revision();
    absl::Status s = store->Backup(directory);
    if (s.ok()) response->set_revision(revision);
    claim.Release();
    call.Finish(s);
  }).detach();
  return call.reactor();
}

grpc::ServerUnaryReactor* AdminServiceImpl::EraseSubject(
    grpc::CallbackServerContext* context,
    const accord::v1::EraseSubjectRequest* request,
    accord::v1::ErasureResponse* response) {
  Call call(env_, context, "/accord.v1.AdminService/EraseSubject", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (absl::Status s = CheckSubject(request->subject()); !s.ok()) {
    return call.Finish(s);
  }
  if (absl::Status s = CheckVerifiedRequest(request->verified_request());
      !s.ok()) {
    return call.Finish(s);
  }
  KeyClaims::Claim claim = erasures_.Take(request->subject());
  if (!claim.held()) return call.Finish(Busy());
  ErasureRequest erasure;
  erasure.subject = request->subject();
  erasure.actor = caller->principal.id();
  erasure.requested_by = "operator";
  erasure.verified_request = request->verified_request();
  auto prepared = PrepareErasure(env_, erasure, env_.clock->NowSeconds());
  if (!prepared.ok()) return call.FinishReleasing(claim, prepared.status());
  CommitErasure(env_, *std::move(prepared), call.deadline(), response,
                [call, claim = std::move(claim)](absl::Status s) mutable {
                  call.FinishReleasing(claim, s);
                });
  return call.reactor();
}

}  // namespace accord::service
