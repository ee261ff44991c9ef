#ifndef ACCORD_BROKER_SERVICE_REQUEST_SERVICE_H_
#define ACCORD_BROKER_SERVICE_REQUEST_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "accord/v1/requests.grpc.pb.h"
#include "broker/service/caller.h"
#include "broker/service/claims.h"
#include "broker/service/env.h"

namespace accord::service {

// ConsentRequestService (proto/accord/v1/requests.proto): partners draft
// and submit consent requests, the dataset's producer (or the operator)
// approves or rejects them, and the request's partner, producer or the
// operator close them. A request the caller may not see is reported
// exactly as a missing one (NOT_FOUND).
//
// Approval checks, against the dataset's current policy, that it could
// ever permit the purpose to the partner (policy::CouldEverPermit), that a
// consenting citizen's data would be granted now with every requested
// field, and that the request accepts every duty the policy imposes; then
// builds the notice (notice.h) of the new version.
//
// Changes to one request are serialized: a change while another is in
// flight answers ABORTED (retry). Every transition is an audit event. The
// four writes take a client request id (request_ids.h): a retry gets the
// first answer and writes nothing.
class ConsentRequestServiceImpl final
    : public accord::v1::ConsentRequestService::CallbackService {
 public:
  explicit ConsentRequestServiceImpl(const Env& env) : env_(env) {}

  grpc::ServerUnaryReactor* PutConsentRequest(
      grpc::CallbackServerContext* context,
      const accord::v1::PutConsentRequestRequest* request,
      accord::v1::ConsentRequestResponse* response) override;
  grpc::ServerUnaryReactor* SubmitConsentRequest(
      grpc::CallbackServerContext* context,
      const accord::v1::SubmitConsentRequestRequest* request,
      accord::v1::ConsentRequestResponse* response) override;
  grpc::ServerUnaryReactor* ReviewConsentRequest(
      grpc::CallbackServerContext* context,
      const accord::v1::ReviewConsentRequestRequest* request,
      accord::v1::ConsentRequestResponse* response) override;
  grpc::ServerUnaryReactor* CloseConsentRequest(
      grpc::CallbackServerContext* context,
      const accord::v1::CloseConsentRequestRequest* request,
      accord::v1::ConsentRequestResponse* response) override;
  grpc::ServerUnaryReactor* GetConsentRequest(
      grpc::CallbackServerContext* context,
      const accord::v1::GetConsentRequestRequest* request,
      accord::v1::ConsentRequestResponse* response) override;
  grpc::ServerUnaryReactor* ListConsentRequests(
      grpc::CallbackServerContext* context,
      const accord::v1::ListConsentRequestsRequest* request,
      accord::v1::ListConsentRequestsResponse* response) override;
  grpc::ServerUnaryReactor* GetConsentRequestStats(
      grpc::CallbackServerContext* context,
      const accord::v1::GetConsentRequestStatsRequest* request,
      accord::v1::GetConsentRequestStatsResponse* response) override;

 private:
  // A request being changed, held from its read to its commit.
  struct Held {
    KeyClaims::Claim claim;
    accord::v1::ConsentRequest request;
  };
  // Claims request `id` and reads it: ABORTED when another change holds
  // it; NOT_FOUND when the caller may not see it or, with `own`, when it
  // is not the caller's own (a partner's). Nothing stays held on error.
  absl::StatusOr<Held> Hold(const Caller& caller, const std::string& id,
                            bool own);

  const Env& env_;
  KeyClaims claims_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_REQUEST_SERVICE_H_
