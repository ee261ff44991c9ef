#ifndef ACCORD_BROKER_SERVICE_CONSENT_CHANGES_H_
#define ACCORD_BROKER_SERVICE_CONSENT_CHANGES_H_

// The record changes ConsentService makes, shared by its calls on consents
// (consent_service.cc) and on consent requests (consent_answers.cc).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "accord/v1/consent.pb.h"
#include "broker/service/env.h"
#include "broker/store/store.h"
#include "broker/store/write_set.h"

namespace accord::service {

// The channel of a change: `requested`, or `grpc` when empty.
std::string Channel(const std::string& requested);

// Appends an event {state, at, actor, channel} and sets the state.
void AddEvent(accord::v1::Consent& c, accord::v1::ConsentState state,
              int64_t at, absl::string_view actor, absl::string_view channel);

// A GIVEN consent whose expiry has passed gets its EXPIRED event, dated at
// the expiry, by the broker. Returns whether it changed.
bool RecordExpiry(accord::v1::Consent& c, int64_t now);

// RecordExpiry, with the EXPIRED entry of the audit log added to `ws` when
// it changed `c`. Returns whether it changed.
bool RecordExpiry(accord::v1::Consent& c, int64_t now, store::WriteSet& ws);

// The events a write appended (those without a revision) get the revision
// it committed at.
void StampNewEvents(accord::v1::Consent* c, uint64_t revision);

// Puts the record and its audit event for the change to `state`.
void PutChange(store::WriteSet& ws, const accord::v1::Consent& c,
               accord::v1::ConsentState state, int64_t now);

// Grants still valid that name the subject for the consent's dataset are
// revoked with `cause`: adds the revocation to `ws` when there are any.
absl::Status RevokeSubjectGrants(const Env& env, store::WriteSet& ws,
                                 const accord::v1::Consent& c, int64_t now,
                                 absl::string_view cause);

// Every consent record of `subject`, with its events, read page by page.
absl::StatusOr<std::vector<accord::v1::Consent>> AllConsentsOf(
    const Env& env, const std::string& subject);

// The first of the subject's records for `dataset_id` that `match`es, as
// stored (Store::GetConsentHead): what a change starts from, read in one
// point read whatever the length of the histories.
template <typename Match>
absl::StatusOr<std::optional<accord::v1::Consent>> FindConsent(
    const Env& env, const std::string& subject, const std::string& dataset_id,
    Match match) {
  auto all = env.store->ConsentsForSubjects(dataset_id, {subject});
  if (!all.ok()) return all.status();
  for (accord::v1::Consent& c : *all) {
    if (match(c)) return std::optional<accord::v1::Consent>(std::move(c));
  }
  return std::optional<accord::v1::Consent>();
}

// ABORTED: another change of the same citizen is in flight.
absl::Status ConsentsBusy();

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CONSENT_CHANGES_H_
