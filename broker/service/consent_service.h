#ifndef ACCORD_BROKER_SERVICE_CONSENT_SERVICE_H_
#define ACCORD_BROKER_SERVICE_CONSENT_SERVICE_H_

#include <string>

#include "accord/v1/consent.grpc.pb.h"
#include "broker/service/call.h"
#include "broker/service/claims.h"
#include "broker/service/domain_metrics.h"
#include "broker/service/env.h"
#include "broker/service/request_ids.h"
#include "broker/store/write_set.h"

namespace accord::service {

// ConsentService: a citizen's own consents, receipts and access history.
// The subject is the caller's verified pseudonym; another citizen's records
// are reported exactly as missing ones (NOT_FOUND), and lists hold only the
// caller's own.
//
// Every change appends an event {state, at, actor, channel} and an audit
// entry in one write:
//  - GiveConsent creates the consent, or renews the caller's consent for the
//    same dataset, purpose and recipient (new GIVEN event, expiry, notice).
//    FAILED_PRECONDITION when the dataset's legal basis is neither consent
//    nor objection, or the policy could never permit the purpose to the
//    recipient; INVALID_ARGUMENT naming the field for an unknown dataset
//    (NOT_FOUND), purpose outside the taxonomy, unknown recipient or an
//    expiry not in the future. Under legitimate_interest_opt_out the
//    record is an objection and revokes the grants naming the caller.
//  - WithdrawConsent is idempotent; withdrawing a consent revokes the
//    grants that named the caller for the dataset (WatchRevocations).
//  - GiveConsent with `request` accepts the current version of a consent
//    request (request_state.h checks the version and notice hash): the
//    record carries the request id, version, notice hash and fields, and
//    expires after the request's consent duration. RefuseConsentRequest
//    records a refusal (state REFUSED) the same way; refusing a request
//    the caller had accepted withdraws that consent. One record per
//    citizen and request, renewed by each answer.
//  - A consent past its expiry is EXPIRED for every decision at once; its
//    EXPIRED event (actor `broker`) is appended when it is next read,
//    renewed or withdrawn.
// Changes of one citizen are serialized: a change while another is in
// flight answers ABORTED (retry).
class ConsentServiceImpl final
    : public accord::v1::ConsentService::CallbackService {
 public:
  explicit ConsentServiceImpl(const Env& env) : env_(env) {}

  grpc::ServerUnaryReactor* GiveConsent(
      grpc::CallbackServerContext* context,
      const accord::v1::GiveConsentRequest* request,
      accord::v1::GiveConsentResponse* response) override;
  grpc::ServerUnaryReactor* WithdrawConsent(
      grpc::CallbackServerContext* context,
      const accord::v1::WithdrawConsentRequest* request,
      accord::v1::WithdrawConsentResponse* response) override;
  grpc::ServerUnaryReactor* ListConsents(
      grpc::CallbackServerContext* context,
      const accord::v1::ListConsentsRequest* request,
      accord::v1::ListConsentsResponse* response) override;
  grpc::ServerUnaryReactor* GetConsent(
      grpc::CallbackServerContext* context,
      const accord::v1::GetConsentRequest* request,
      accord::v1::GetConsentResponse* response) override;
  grpc::ServerUnaryReactor* GetAccessHistory(
      grpc::CallbackServerContext* context,
      const accord::v1::GetAccessHistoryRequest* request,
      accord::v1::GetAccessHistoryResponse* response) override;
  grpc::ServerUnaryReactor* ListOpenRequests(
      grpc::CallbackServerContext* context,
      const accord::v1::ListOpenRequestsRequest* request,
      accord::v1::ListOpenRequestsResponse* response) override;
  grpc::ServerUnaryReactor* GetOpenRequest(
      grpc::CallbackServerContext* context,
      const accord::v1::GetOpenRequestRequest* request,
      accord::v1::OpenRequest* response) override;
  grpc::ServerUnaryReactor* RefuseConsentRequest(
      grpc::CallbackServerContext* context,
      const accord::v1::RefuseConsentRequestRequest* request,
      accord::v1::GiveConsentResponse* response) override;
  grpc::ServerUnaryReactor* ExportConsentRecords(
      grpc::CallbackServerContext* context,
      const accord::v1::ExportConsentRecordsRequest* request,
      accord::v1::ExportConsentRecordsResponse* response) override;
  // consent_erasure.cc: erases the caller (service/erasure.h). Takes no
  // client request id: no answer naming the erased caller is kept.
  grpc::ServerUnaryReactor* EraseMe(
      grpc::CallbackServerContext* context,
      const accord::v1::EraseMeRequest* request,
      accord::v1::ErasureResponse* response) override;

 private:
  // Commits a give or withdraw: once the commit is done, releases `claim`
  // (the subject's), then wakes the revocation streams, counts `event`,
  // stamps the new events with the revision and finishes `call`; on error
  // clears `response` and finishes with the error.
  template <typename Response>
  grpc::ServerUnaryReactor* CommitChange(const Call& call, store::WriteSet ws,
                                         Response* response,
                                         KeyClaims::Claim claim,
                                         ConsentEvent event,
                                         const ClientRequest& client);
  // GiveConsent with `request` (accept) or RefuseConsentRequest: the
  // caller's answer to the current version of a consent request.
  grpc::ServerUnaryReactor* Answer(const Call& call, const std::string& subject,
                                   const accord::v1::GiveConsentRequest& give,
                                   bool accept,
                                   accord::v1::GiveConsentResponse* response,
                                   const ClientRequest& client);
  // The producer of the consent's dataset ("" when unknown).
  std::string Controller(const accord::v1::Consent& c) const;

  const Env& env_;
  // The subjects whose consents are changing: one change per citizen at a
  // time, from its read to its commit. A claim is released before the call
  // is answered (Call::FinishReleasing), so the citizen's next change is
  // never refused as concurrent with this one.
  KeyClaims subjects_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CONSENT_SERVICE_H_
