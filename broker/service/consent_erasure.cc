// ConsentService.EraseMe: a citizen erases everything Accord holds about
// them (service/erasure.h).
#include "broker/service/call.h"
#include "broker/service/clock.h"
#include "broker/service/consent_changes.h"
#include "broker/service/consent_service.h"
#include "broker/service/erasure.h"
#include "broker/service/validate.h"

namespace accord::service {

grpc::ServerUnaryReactor* ConsentServiceImpl::EraseMe(
    grpc::CallbackServerContext* context,
    const accord::v1::EraseMeRequest* request,
    accord::v1::ErasureResponse* response) {
  Call call(env_, context, "/accord.v1.ConsentService/EraseMe", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  const std::string channel = Channel(request->channel());
  if (absl::Status s = CheckId("channel", channel); !s.ok()) {
    return call.Finish(s);
  }
  const std::string subject = caller->subject;
  // No change of the citizen's consents runs meanwhile.
  KeyClaims::Claim claim = subjects_.Take(subject);
  if (!claim.held()) return call.Finish(ConsentsBusy());
  ErasureRequest erasure;
  erasure.subject = subject;
  erasure.actor = caller->principal.id();
  erasure.requested_by = "subject";
  erasure.channel = channel;
  auto prepared = PrepareErasure(env_, erasure, env_.clock->NowSeconds());
  if (!prepared.ok()) return call.FinishReleasing(claim, prepared.status());
  CommitErasure(env_, *std::move(prepared), call.deadline(), response,
                [call, claim = std::move(claim)](absl::Status s) mutable {
                  call.FinishReleasing(claim, s);
                });
  return call.reactor();
}

}  // namespace accord::service
