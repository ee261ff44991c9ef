#ifndef ACCORD_BROKER_SERVICE_CONSENT_SERVICE_H_
#define ACCORD_BROKER_SERVICE_CONSENT_SERVICE_H_

#include "accord/v1/consent.grpc.pb.h"
#include "broker/service/env.h"

namespace accord::service {

// ConsentService: a citizen's own consents, receipts and access history.
// The subject is the caller's verified pseudonym; another citizen's records
// are reported exactly as missing ones.
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

 private:
  const Env& env_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CONSENT_SERVICE_H_
