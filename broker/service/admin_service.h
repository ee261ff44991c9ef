#ifndef ACCORD_BROKER_SERVICE_ADMIN_SERVICE_H_
#define ACCORD_BROKER_SERVICE_ADMIN_SERVICE_H_

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "accord/v1/admin.grpc.pb.h"
#include "broker/service/claims.h"
#include "broker/service/env.h"

namespace accord::service {

// AdminService: principals, keys and backups, for operators. Key rotation
// publishes a new key that signs after the pre-publication delay.
// AddPrincipal refuses (besides CheckPrincipal) a certificate URI or SHA-256
// that already belongs to another principal: ALREADY_EXISTS naming
// principal.certificate_uri / principal.certificate_sha256. RemovePrincipal
// revokes the principal's live grants in the same commit as the removal
// (cause `principal_removed`) and notifies revocation streams. RotateKey
// refuses an algorithm it cannot sign with: INVALID_ARGUMENT naming alg;
// it rotates the receipt key ring when asked (receipt_key), else the grant
// key ring; a rotation while another is in progress answers ABORTED.
// Backup, ExportSubjectKey and EraseSubject take no client request id
// (proto/accord/v1/admin.proto says why).
class AdminServiceImpl final
    : public accord::v1::AdminService::CallbackService {
 public:
  explicit AdminServiceImpl(const Env& env) : env_(env) {}

  grpc::ServerUnaryReactor* AddPrincipal(
      grpc::CallbackServerContext* context,
      const accord::v1::AddPrincipalRequest* request,
      accord::v1::AddPrincipalResponse* response) override;
  grpc::ServerUnaryReactor* ListPrincipals(
      grpc::CallbackServerContext* context,
      const accord::v1::ListPrincipalsRequest* request,
      accord::v1::ListPrincipalsResponse* response) override;
  grpc::ServerUnaryReactor* RemovePrincipal(
      grpc::CallbackServerContext* context,
      const accord::v1::RemovePrincipalRequest* request,
      accord::v1::RemovePrincipalResponse* response) override;
  grpc::ServerUnaryReactor* ListKeys(
      grpc::CallbackServerContext* context,
      const accord::v1::ListKeysRequest* request,
      accord::v1::ListKeysResponse* response) override;
  grpc::ServerUnaryReactor* RotateKey(
      grpc::CallbackServerContext* context,
      const accord::v1::RotateKeyRequest* request,
      accord::v1::RotateKeyResponse* response) override;
  grpc::ServerUnaryReactor* Backup(
      grpc::CallbackServerContext* context,
      const accord::v1::BackupRequest* request,
      accord::v1::BackupResponse* response) override;
  // subject_key_export.cc
  grpc::ServerUnaryReactor* ExportSubjectKey(
      grpc::CallbackServerContext* context,
      const accord::v1::ExportSubjectKeyRequest* request,
      accord::v1::ExportSubjectKeyResponse* response) override;
  // Erases a subject on a verified request (service/erasure.h).
  grpc::ServerUnaryReactor* EraseSubject(
      grpc::CallbackServerContext* context,
      const accord::v1::EraseSubjectRequest* request,
      accord::v1::ErasureResponse* response) override;

 private:
  const Env& env_;
  // Principal changes, one at a time from their checks to their commit, so
  // two concurrent calls cannot give one certificate URI to two principals.
  KeyClaims principals_;
  // Key rotations, one at a time from the look-up of their request id to
  // their commit: the key ring changes before the commit.
  KeyClaims rotations_;
  // One backup at a time.
  KeyClaims backups_;
  // One erasure of a subject at a time.
  KeyClaims erasures_;
};

// Validates a principal as AddPrincipal and dev mode store it. Returns OK or
// INVALID_ARGUMENT naming the field: id, role, category (partners only),
// an identity (certificate_uri or certificate_sha256 of 64 lowercase hex
// digits); operators and auditors need certificate_sha256 and may not have
// a certificate_uri (they are pinned, IsPinnedRole); a certificate_uri must
// lie under `trust_domain` (UnderTrustDomain).
absl::Status CheckPrincipal(const accord::v1::Principal& p,
                            absl::string_view trust_domain);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_ADMIN_SERVICE_H_
