#ifndef ACCORD_BROKER_SERVICE_ERASURE_H_
#define ACCORD_BROKER_SERVICE_ERASURE_H_

// Erasure of a subject (GDPR Art. 17) by crypto-shredding, shared by
// ConsentService.EraseMe (the citizen, through the app) and
// AdminService.EraseSubject (an operator, on a verified request).
//
// One write set does all of it, so a crash leaves all or nothing: the
// revocation of every live grant naming the subject (cause
// `subject_erased`), the erasure itself (store/erase.h: consent records,
// events and index entries deleted, grant records rewritten without the
// subject, tombstones of the consents grants relied on, the commitment key
// destroyed) and one audit event EVENT_TYPE_ERASURE that names no
// pseudonym. docs/privacy.md says what is kept and why.

#include <cstdint>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "accord/v1/audit.pb.h"
#include "accord/v1/consent.pb.h"
#include "broker/crypto/signing_key.h"
#include "broker/service/env.h"
#include "broker/store/write_set.h"

namespace accord::service {

// The header `typ` and `aud` of an erasure receipt.
inline constexpr absl::string_view kErasureReceiptType = "accord-erasure+jwt";
inline constexpr absl::string_view kErasureReceiptAudience =
    "urn:accord:erasure-receipt";
// The revocation cause of the grants an erasure ends.
inline constexpr absl::string_view kErasureCause = "subject_erased";

struct ErasureRequest {
  // The subject pseudonym to erase.
  std::string subject;
  // The calling principal's id (the app, or the operator).
  std::string actor;
  // `subject` (EraseMe) or `operator` (EraseSubject).
  std::string requested_by;
  // The operator's verified-request reference; empty for EraseMe.
  std::string verified_request;
  // The channel of EraseMe (`grpc` by default); empty for EraseSubject.
  std::string channel;
};

// An erasure ready to commit: its write set, and the response to send once
// the write set is durable (its revision still to set).
struct PreparedErasure {
  store::WriteSet ws;
  accord::v1::ErasureResponse response;
  // Whether `ws` revokes grants (revocation streams are then woken).
  bool revokes = false;
};

// Reads what names `request.subject` and prepares its erasure at `now`
// (Unix seconds), with its signed receipt. Errors: NOT_FOUND "no data for
// this subject" when the store holds nothing naming it (also after an
// earlier erasure); the store's read errors; the signer's.
absl::StatusOr<PreparedErasure> PrepareErasure(const Env& env,
                                               const ErasureRequest& request,
                                               int64_t now);

// Commits `prepared` (refused if still queued at `deadline`). Once
// durable: wakes the revocation streams, asks for the compaction of the
// erased ranges (Sweeper), moves the response into `*response` with its
// revision, and runs `done(OK)`; on error runs `done` with it and leaves
// `*response` untouched. `done` runs on the store's writer thread and must
// be cheap.
void CommitErasure(const Env& env, PreparedErasure prepared,
                   absl::Time deadline, accord::v1::ErasureResponse* response,
                   absl::AnyInvocable<void(absl::Status)> done);

// The audit event of an erasure: type EVENT_TYPE_ERASURE, actor
// `request.actor`, and as detail the counts of `response`, the receipt id,
// `requested_by` and (operator) `verified_request`. Never a pseudonym.
accord::v1::AuditEvent ErasureEvent(const ErasureRequest& request,
                                    const accord::v1::ErasureResponse& response,
                                    int64_t now);

// Signs an erasure receipt: JWS, typ kErasureReceiptType, aud
// kErasureReceiptAudience, claims iss, jti (`receipt_id`), iat, sub (the
// subject: the receipt is the citizen's own proof), requested_by, the
// counts and, when set, verified_request. `key` must be a receipt key.
// Errors: the signer's.
absl::StatusOr<std::string> SignErasureReceipt(
    const crypto::SigningKey& key, absl::string_view issuer,
    const ErasureRequest& request, const accord::v1::ErasureResponse& counts,
    int64_t now);

// OK when `subject` looks like a pseudonym: 1..128 base64url characters.
// INVALID_ARGUMENT naming subject otherwise.
absl::Status CheckSubject(absl::string_view subject);

// OK when `reference` is a verified-request reference: 1..200 characters
// of printable ASCII. INVALID_ARGUMENT naming verified_request otherwise.
absl::Status CheckVerifiedRequest(absl::string_view reference);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_ERASURE_H_
