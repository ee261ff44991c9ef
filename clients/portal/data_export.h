#ifndef ACCORD_CLIENTS_PORTAL_DATA_EXPORT_H_
#define ACCORD_CLIENTS_PORTAL_DATA_EXPORT_H_

// "Exporter mes données": everything the broker holds about the signed-in
// citizen, in one JSON file (GDPR Art. 15 access and Art. 20 portability):
//
//   format            "accord-portal-export/1"
//   generated_at      Unix seconds
//   consent_records   the broker's ExportConsentRecords document as it
//                     came (ISO/IEC TS 27560 records, with their events)
//   receipts          [{consent_id, jws}]: the signed receipt of each
//                     consent, verifiable offline with the receipt keys
//   receipt_keys      the broker's verification keys (GetVerificationKeys)
//   access_history    every page of GetAccessHistory as it came: each grant
//                     that named the citizen, with its inclusion proof and
//                     the signed checkpoint it was proved against

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "clients/portal/broker_client.h"

namespace accord::portal {

// The export of the citizen whose ID token is `token`; any broker error is
// the export's (nothing partial is returned).
absl::StatusOr<std::string> PersonalDataExport(const BrokerClient& broker,
                                               const std::string& token,
                                               int64_t now);

}  // namespace accord::portal

#endif  // ACCORD_CLIENTS_PORTAL_DATA_EXPORT_H_
