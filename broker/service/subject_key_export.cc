// AdminService.ExportSubjectKey: one subject's commitment key, for an
// auditor under a court order, recorded in the audit log.
#include "absl/strings/str_cat.h"
#include "broker/service/admin_service.h"
#include "broker/service/audit_events.h"
#include "broker/service/call.h"
#include "broker/service/clock.h"
#include "broker/service/validate.h"
#include "broker/store/store.h"

namespace accord::service {

grpc::ServerUnaryReactor* AdminServiceImpl::ExportSubjectKey(
    grpc::CallbackServerContext* context,
    const accord::v1::ExportSubjectKeyRequest* request,
    accord::v1::ExportSubjectKeyResponse* response) {
  Call call(env_, context, "/accord.v1.AdminService/ExportSubjectKey",
            *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (absl::Status s = CheckSubject("subject", request->subject()); !s.ok()) {
    return call.Finish(s);
  }
  if (request->legal_reference().empty()) {
    return call.Finish(absl::InvalidArgumentError(
        "legal_reference: required (the court order the key is handed under)"));
  }
  if (absl::Status s =
          CheckText("legal_reference", request->legal_reference(), 256);
      !s.ok()) {
    return call.Finish(s);
  }
  absl::StatusOr<std::string> key =
      env_.store->GetSubjectKey(request->subject());
  if (absl::IsNotFound(key.status())) {
    return call.Finish(absl::NotFoundError(
        "subject: no commitment key (never named since commitments, or "
        "erased)"));
  }
  if (!key.ok()) return call.Finish(key.status());
  // The key goes out only once its export is durable in the log.
  store::WriteSet ws;
  ws.AddAuditEvent(SubjectKeyExportEvent(caller->principal.id(),
                                         request->legal_reference(),
                                         env_.clock->NowSeconds()));
  ws.set_deadline(call.deadline());
  env_.store->Commit(
      std::move(ws),
      [call, response, key = *std::move(key)](
          absl::StatusOr<store::CommitResult> committed) mutable {
        if (!committed.ok()) return (void)call.Finish(committed.status());
        response->set_subject_key(std::move(key));
        response->set_revision(committed->revision);
        call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

}  // namespace accord::service
