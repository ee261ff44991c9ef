#ifndef ACCORD_CLIENTS_PORTAL_BROKER_CLIENT_H_
#define ACCORD_CLIENTS_PORTAL_BROKER_CLIENT_H_

// The portal's calls to the broker: ConsentService (and TrustService for
// the receipt keys) over mutual TLS as the portal's app principal, each
// call carrying the signed-in citizen's ID token as
// `authorization: Bearer`. Answers are proto3 JSON (field names as in the
// .proto files) for the page. Thread-safe.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clients/connection.h"
#include "clients/portal/portal_config.h"

namespace accord::portal {

class BrokerClient {
 public:
  static absl::StatusOr<std::unique_ptr<BrokerClient>> Open(
      const PortalConfig& config);

  // Every consent of the citizen (all pages): {"consents":[...]}.
  absl::StatusOr<std::string> ListConsents(const std::string& token) const;
  // GetConsentResponse: the consent and a fresh signed receipt.
  absl::StatusOr<std::string> GetConsent(const std::string& token,
                                         const std::string& consent_id) const;
  // The receipt (compact JWS) alone.
  absl::StatusOr<std::string> GetReceipt(const std::string& token,
                                         const std::string& consent_id) const;
  absl::StatusOr<std::string> Withdraw(const std::string& token,
                                       const std::string& consent_id) const;
  // EraseMe: erases everything the broker holds about the citizen; the
  // ErasureResponse (with the signed erasure receipt) as JSON. Errors: the
  // broker's (NOT_FOUND when there is nothing to erase).
  absl::StatusOr<std::string> EraseMe(const std::string& token) const;
  // Every page of GetAccessHistory as it came, each with its own
  // checkpoint: {"pages":[GetAccessHistoryResponse...]}.
  absl::StatusOr<std::string> AccessHistory(const std::string& token) const;
  // ExportConsentRecords: every consent record of the citizen as one
  // JSON document (ISO/IEC TS 27560 records), as the broker wrote it.
  absl::StatusOr<std::string> ExportConsentRecords(
      const std::string& token) const;
  // TrustService.GetVerificationKeys: the receipt JWKS and checkpoint key.
  absl::StatusOr<std::string> VerificationKeys(const std::string& token) const;
  // Consent requests: {"requests":[OpenRequest...]}, one, and the answers.
  absl::StatusOr<std::string> ListOpenRequests(const std::string& token) const;
  absl::StatusOr<std::string> GetOpenRequest(const std::string& token,
                                             const std::string& id) const;
  absl::StatusOr<std::string> AnswerRequest(const std::string& token,
                                            const std::string& id,
                                            uint32_t version,
                                            const std::string& notice_hash,
                                            bool accept) const;

 private:
  explicit BrokerClient(client::Connection connection)
      : connection_(std::move(connection)) {}

  template <typename Stub, typename Request, typename Response>
  absl::Status Call(Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Request&, Response*),
                    const std::string& token, const Request& request,
                    Response* response) const;

  client::Connection connection_;
};

// The channel the portal records in the broker's consent events.
inline constexpr char kPortalChannel[] = "app";

}  // namespace accord::portal

#endif  // ACCORD_CLIENTS_PORTAL_BROKER_CLIENT_H_
