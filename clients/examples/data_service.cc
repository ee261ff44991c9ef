#include "clients/examples/data_service.h"

#include <grpcpp/security/auth_context.h>

#include "broker/rpc/status.h"
#include "clients/examples/record_access.h"

namespace accord::examples {
namespace {

// The PEM of the client certificate of this call, or "" when there is none.
std::string PeerCertificatePem(const grpc::CallbackServerContext& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return "";
  std::vector<grpc::string_ref> pems =
      auth->FindPropertyValues("x509_pem_cert");
  if (pems.empty()) return "";
  return std::string(pems[0].data(), pems[0].size());
}

}  // namespace

grpc::ServerUnaryReactor* DataServiceImpl::ReadRecords(
    grpc::CallbackServerContext* context, const v1::ReadRecordsRequest* request,
    v1::ReadRecordsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (request->grant().empty()) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "grant: required"));
    return reactor;
  }
  absl::StatusOr<verifier::Grant> grant = verifier_->VerifyForCertificate(
      request->grant(), PeerCertificatePem(*context));
  if (!grant.ok()) {
    reactor->Finish(rpc::ToGrpc(grant.status()));
    return reactor;
  }
  RecordRequest wanted;
  wanted.fields.assign(request->fields().begin(), request->fields().end());
  wanted.subjects.assign(request->subjects().begin(),
                         request->subjects().end());
  absl::StatusOr<ServedRecords> served =
      ServeRecords(*grant, wanted, subjects_);
  if (!served.ok()) {
    reactor->Finish(rpc::ToGrpc(served.status()));
    return reactor;
  }
  for (const std::string& f : served->fields) response->add_fields(f);
  for (const HouseholdRecord& r : served->records) {
    v1::Record* out = response->add_records();
    auto subject = r.find("subject");
    // Named only when the grant covers the "subject" field.
    if (subject != r.end()) out->set_subject(subject->second);
    for (const auto& [field, value] : r)
      (*out->mutable_values())[field] = value;
  }
  response->set_grant_id(grant->id);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace accord::examples
