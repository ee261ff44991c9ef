#include "clients/portal/broker_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "accord/v1/consent.grpc.pb.h"
#include "accord/v1/trust.grpc.pb.h"
#include "broker/rpc/status.h"
#include "google/protobuf/util/json_util.h"

namespace accord::portal {
namespace {

namespace v1 = ::accord::v1;

// The most pages one list reads (at 1000 records a page).
constexpr int kMaxPages = 20;

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot write the broker's answer as JSON: ",
                     std::string(status.message())));
  }
  return json;
}

}  // namespace

absl::StatusOr<std::unique_ptr<BrokerClient>> BrokerClient::Open(
    const PortalConfig& config) {
  client::ConnectionSettings settings;
  settings.target = config.broker;
  settings.ca_path = config.broker_ca_file;
  settings.cert_path = config.app_cert_file;
  settings.key_path = config.app_key_file;
  settings.timeout_seconds = config.broker_timeout_seconds;
  settings.max_reconnect_backoff_ms = 2000;
  absl::StatusOr<client::Connection> connection =
      client::Connection::Open(settings, 0);
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<BrokerClient>(
      new BrokerClient(*std::move(connection)));
}

template <typename Stub, typename Request, typename Response>
absl::Status BrokerClient::Call(
    Stub& stub,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                 Response*),
    const std::string& token, const Request& request,
    Response* response) const {
  if (token.empty()) return absl::UnauthenticatedError("not signed in");
  grpc::ClientContext context;
  connection_.Prepare(&context);
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  return rpc::FromGrpc((stub.*method)(&context, request, response));
}

absl::StatusOr<std::string> BrokerClient::ListConsents(
    const std::string& token) const {
  auto stub = v1::ConsentService::NewStub(connection_.channel());
  v1::ListConsentsResponse all;
  std::string page_token;
  for (int page = 0; page < kMaxPages; ++page) {
    v1::ListConsentsRequest request;
    request.set_page_size(1000);
    request.set_page_token(page_token);
    v1::ListConsentsResponse response;
    if (absl::Status s = Call(*stub, &v1::ConsentService::Stub::ListConsents,
                              token, request, &response);
        !s.ok()) {
      return s;
    }
    for (auto& c : *response.mutable_consents()) {
      *all.add_consents() = std::move(c);
    }
    page_token = response.next_page_token();
    if (page_token.empty()) return ToJson(all);
  }
  return absl::ResourceExhaustedError("more consents than the portal shows");
}

absl::StatusOr<std::string> BrokerClient::GetConsent(
    const std::string& token, const std::string& consent_id) const {
  auto stub = v1::ConsentService::NewStub(connection_.channel());
  v1::GetConsentRequest request;
  request.set_consent_id(consent_id);
  v1::GetConsentResponse response;
  if (absl::Status s = Call(*stub, &v1::ConsentService::Stub::GetConsent, token,
                            request, &response);
      !s.ok()) {
    return s;
  }
  return ToJson(response);
}

absl::StatusOr<std::string> BrokerClient::GetReceipt(
    const std::string& token, const std::string& consent_id) const {
  auto stub = v1::ConsentService::NewStub(connection_.channel());
  v1::GetConsentRequest request;
  request.set_consent_id(consent_id);
  v1::GetConsentResponse response;
  if (absl::Status s = Call(*stub, &v1::ConsentService::Stub::GetConsent, token,
                            request, &response);
      !s.ok()) {
    return s;
  }
  return response.receipt();
}

absl::StatusOr<std::string> BrokerClient::Withdraw(
    const std::string& token, const std::string& consent_id) const {
  auto stub = v1::ConsentService::NewStub(connection_.channel());
  v1::WithdrawConsentRequest request;
  request.set_consent_id(consent_id);
  request.set_channel(kPortalChannel);
  v1::WithdrawConsentResponse response;
  if (absl::Status s = Call(*stub, &v1::ConsentService::Stub::WithdrawConsent,
                            token, request, &response);
      !s.ok()) {
    return s;
  }
  return ToJson(response);
}

absl::StatusOr<std::string> BrokerClient::EraseMe(
    const std::string& token) const {
  auto stub = v1::ConsentService::NewStub(connection_.channel());
  v1::EraseMeRequest request;
  request.set_channel(kPortalChannel);
  v1::ErasureResponse response;
  if (absl::Status s = Call(*stub, &v1::ConsentService::Stub::EraseMe, token,
                            request, &response);
      !s.ok()) {
    return s;
  }
  return ToJson(response);
}

absl::StatusOr<std::string> BrokerClient::AccessHistory(
    const std::string& token) const {
  auto stub = v1::ConsentService::NewStub(connection_.channel());
  std::string out = "{\"pages\":[";
  std::string page_token;
  for (int page = 0; page < kMaxPages; ++page) {
    v1::GetAccessHistoryRequest request;
    request.set_page_size(1000);
    request.set_page_token(page_token);
    v1::GetAccessHistoryResponse response;
    if (absl::Status s =
            Call(*stub, &v1::ConsentService::Stub::GetAccessHistory, token,
                 request, &response);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::string> json = ToJson(response);
    if (!json.ok()) return json.status();
    absl::StrAppend(&out, page == 0 ? "" : ",", *json);
    page_token = response.next_page_token();
    if (page_token.empty()) return absl::StrCat(out, "]}");
  }
  return absl::ResourceExhaustedError("a longer history than the portal shows");
}

absl::StatusOr<std::string> BrokerClient::ExportConsentRecords(
    const std::string& token) const {
  auto stub = v1::ConsentService::NewStub(connection_.channel());
  v1::ExportConsentRecordsResponse response;
  if (absl::Status s =
          Call(*stub, &v1::ConsentService::Stub::ExportConsentRecords, token,
               v1::ExportConsentRecordsRequest(), &response);
      !s.ok()) {
    return s;
  }
  return std::move(*response.mutable_document());
}

absl::StatusOr<std::string> BrokerClient::VerificationKeys(
    const std::string& token) const {
  auto stub = v1::TrustService::NewStub(connection_.channel());
  v1::GetVerificationKeysResponse response;
  if (absl::Status s = Call(*stub, &v1::TrustService::Stub::GetVerificationKeys,
                            token, v1::GetVerificationKeysRequest(), &response);
      !s.ok()) {
    return s;
  }
  return ToJson(response);
}

absl::StatusOr<std::string> BrokerClient::ListOpenRequests(
    const std::string& token) const {
  auto stub = v1::ConsentService::NewStub(connection_.channel());
  v1::ListOpenRequestsResponse all;
  std::string page_token;
  for (int page = 0; page < kMaxPages; ++page) {
    v1::ListOpenRequestsRequest request;
    request.set_page_size(1000);
    request.set_page_token(page_token);
    v1::ListOpenRequestsResponse response;
    if (absl::Status s =
            Call(*stub, &v1::ConsentService::Stub::ListOpenRequests, token,
                 request, &response);
        !s.ok()) {
      return s;
    }
    for (auto& r : *response.mutable_requests()) {
      *all.add_requests() = std::move(r);
    }
    page_token = response.next_page_token();
    if (page_token.empty()) return ToJson(all);
  }
  return absl::ResourceExhaustedError("more requests than the portal shows");
}

absl::StatusOr<std::string> BrokerClient::GetOpenRequest(
    const std::string& token, const std::string& id) const {
  auto stub = v1::ConsentService::NewStub(connection_.channel());
  v1::GetOpenRequestRequest request;
  request.set_request_id(id);
  v1::OpenRequest response;
  if (absl::Status s = Call(*stub, &v1::ConsentService::Stub::GetOpenRequest,
                            token, request, &response);
      !s.ok()) {
    return s;
  }
  return ToJson(response);
}

absl::StatusOr<std::string> BrokerClient::AnswerRequest(
    const std::string& token, const std::string& id, uint32_t version,
    const std::string& notice_hash, bool accept) const {
  auto stub = v1::ConsentService::NewStub(connection_.channel());
  v1::RequestAnswer answer;
  answer.set_request_id(id);
  answer.set_version(version);
  answer.set_notice_hash(notice_hash);
  v1::GiveConsentResponse response;
  absl::Status s;
  if (accept) {
    v1::GiveConsentRequest request;
    *request.mutable_request() = answer;
    request.set_channel(kPortalChannel);
    s = Call(*stub, &v1::ConsentService::Stub::GiveConsent, token, request,
             &response);
  } else {
    v1::RefuseConsentRequestRequest request;
    *request.mutable_request() = answer;
    request.set_channel(kPortalChannel);
    s = Call(*stub, &v1::ConsentService::Stub::RefuseConsentRequest, token,
             request, &response);
  }
  if (!s.ok()) return s;
  return ToJson(response);
}

}  // namespace accord::portal
