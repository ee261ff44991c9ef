#ifndef ACCORD_BROKER_SERVICE_CONSENT_RECORDS_H_
#define ACCORD_BROKER_SERVICE_CONSENT_RECORDS_H_

// A citizen's consent records as one JSON document whose records follow the
// consent record information structure of ISO/IEC TS 27560:2023 (clause
// 6.3), as far as Accord's data allows. Pure: protos in, JSON text out.
//
// The document:
//   format            "accord-consent-records/1"
//   conforms_to       "ISO/IEC TS 27560:2023"
//   issuer            the broker's name (`grant_issuer`)
//   generated_at      RFC 3339, `now`
//   records           one per consent, in the order given
//
// One record, and the TS 27560 element each member maps to:
//   schema_version    6.3.3 schema version: "ISO/IEC TS 27560:2023"
//   record_id         6.3.3 record identifier: Consent.id
//   pii_principal_id  6.3.3 PII principal identifier: Consent.subject (the
//                     pseudonym; the broker never holds who the citizen is)
//   record_type       Accord: "consent", "objection" (legitimate interest,
//                     opt-out) or "refusal" (a consent request refused)
//   consent_type      6.3.4 consent type: "explicit" for a consent or a
//                     refusal, "opt-out" for an objection
//   consent_status    6.3.7 state: "given", "withdrawn", "expired",
//                     "refused"
//   collection_method 6.3.4 collection method: the channel of the first
//                     event ("app", "cli", "grpc"...)
//   language          6.3.4 language of the notice: "fr" (English offered)
//   jurisdiction      6.3.4 jurisdiction: "EU" (GDPR)
//   notice            6.3.4 privacy notice: notice_id (the request id, or
//                     "policy:<dataset>@<version>" for a consent given
//                     against the policy itself), request_id,
//                     request_version, notice_hash (SHA-256 of the notice
//                     the citizen was shown), policy_version, policy_hash
//   purposes          6.3.4 purposes, one element:
//     purpose_id        purpose identifier: the taxonomy id
//     purpose           purpose description: {fr, en} label, when the
//                       taxonomy is given
//     purpose_dpv       purpose category: the DPV IRI, when mapped
//     lawful_basis      lawful basis: "consent", "public-task",
//                       "legitimate-interest"
//     lawful_basis_dpv  the DPV IRI of the lawful basis
//     pii_information   6.3.5 PII categories: the fields consented to;
//                       ["*"] for every field the policy allows
//     pii_controllers   6.3.6 PII controllers: the dataset's producer
//     processing        6.3.4 processing: {dataset_id, dataset_title,
//                       operations: ["access"]}
//     recipients        6.3.6 third parties: [{partner}] or [{category}]
//     duration          6.3.4 storage and duration: {expires_at} or
//                       {expires_at: null} (until withdrawn)
//   pii_controllers   6.3.6 PII controllers: [{id, name}] (id = the
//                     producer principal, name = the request's
//                     responsible organisation when known)
//   pii_processors    6.3.6 PII processors: the broker (`issuer`)
//   given_at          6.3.7 time of the first "given" event (or null);
//   renewed_at        of the last "given" event after the first;
//   withdrawn_at, expired_at, refused_at  of the last event of that state
//   expires_at        6.3.4 expiry: RFC 3339, null for none
//   events            6.3.7 events, oldest first:
//     event_time        RFC 3339
//     event_type        "given", "renewed", "withdrawn", "expired",
//                       "refused"
//     event_by          "pii_principal" for the citizen, else the actor
//                       (`broker` for an expiry)
//     event_state       the state the record is in after the event
//     collection_method the channel of the change
//     revision          the broker revision it was committed at
// Times are RFC 3339 in UTC.

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "accord/v1/consent.pb.h"
#include "accord/v1/requests.pb.h"
#include "policy/taxonomy.h"

namespace accord::service {

// What a consent alone does not say.
struct ConsentRecordsContext {
  // The broker's name (Config::grant_issuer).
  std::string issuer;
  // Dataset id -> the dataset (its producer is the PII controller; its
  // title names the processing). Every dataset a consent names must be
  // here.
  std::map<std::string, accord::v1::Dataset, std::less<>> datasets;
  // Request id -> the consent request, when a consent answers one (its
  // responsible names the controller). Optional.
  std::map<std::string, accord::v1::ConsentRequest, std::less<>> requests;
  // Purpose labels and DPV IRIs. Optional (not owned).
  const policy::Taxonomy* taxonomy = nullptr;
};

// The document described above for `consents` at Unix time `now`.
// Errors: INVALID_ARGUMENT naming the field, as "consents[i].dataset_id:
// ..." when a consent names a dataset absent from `context.datasets`, or
// "consents[i].state: ..." for an unspecified state.
absl::StatusOr<std::string> ConsentRecordsDocument(
    absl::Span<const accord::v1::Consent> consents,
    const ConsentRecordsContext& context, int64_t now);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CONSENT_RECORDS_H_
