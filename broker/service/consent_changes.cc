#include "broker/service/consent_changes.h"

#include "absl/strings/str_cat.h"
#include "broker/service/audit_events.h"
#include "broker/service/config.h"
#include "broker/store/store.h"

namespace accord::service {

using accord::v1::Consent;
using accord::v1::ConsentState;

std::string Channel(const std::string& requested) {
  return requested.empty() ? "grpc" : requested;
}

void AddEvent(Consent& c, ConsentState state, int64_t at,
              absl::string_view actor, absl::string_view channel) {
  c.set_state(state);
  accord::v1::ConsentEvent* event = c.add_events();
  event->set_state(state);
  event->set_at(at);
  event->set_actor(std::string(actor));
  event->set_channel(std::string(channel));
}

// A GIVEN consent whose expiry has passed gets its EXPIRED event, dated at
// the expiry, by the broker. Returns whether it changed.
bool RecordExpiry(Consent& c, int64_t now) {
  if (c.state() != accord::v1::CONSENT_STATE_GIVEN || c.expires_at() == 0 ||
      c.expires_at() > now) {
    return false;
  }
  AddEvent(c, accord::v1::CONSENT_STATE_EXPIRED, c.expires_at(), "broker",
           "expiry");
  return true;
}

bool RecordExpiry(Consent& c, int64_t now, store::WriteSet& ws) {
  if (!RecordExpiry(c, now)) return false;
  ws.AddAuditEvent(
      ConsentChangeEvent(c, accord::v1::CONSENT_STATE_EXPIRED, now));
  return true;
}

void StampNewEvents(Consent* c, uint64_t revision) {
  for (accord::v1::ConsentEvent& e : *c->mutable_events()) {
    if (e.revision() == 0) e.set_revision(revision);
  }
}

void PutChange(store::WriteSet& ws, const Consent& c, ConsentState state,
               int64_t now) {
  ws.PutConsent(c);
  ws.AddAuditEvent(ConsentChangeEvent(c, state, now));
}

// Grants still valid that name the subject for the dataset are revoked:
// adds the revocation to `ws` when there are any.
absl::Status RevokeSubjectGrants(const Env& env, store::WriteSet& ws,
                                 const Consent& c, int64_t now,
                                 absl::string_view cause) {
  // No grant lives longer than max_grant_lifetime_seconds (DecideAccess
  // caps it), so older ones have expired; the skew covers a clock that
  // moved back.
  const int64_t lookback = int64_t{env.config->max_grant_lifetime_seconds} +
                           env.config->clock_skew_seconds;
  auto grant_ids = env.store->GrantIdsForSubjectAndDataset(
      c.subject(), c.dataset_id(), now - lookback);
  if (!grant_ids.ok()) return grant_ids.status();
  if (grant_ids->empty()) return absl::OkStatus();
  accord::v1::Revocation revocation;
  for (const std::string& id : *grant_ids) revocation.add_grant_ids(id);
  revocation.set_cause(std::string(cause));
  ws.AddRevocation(std::move(revocation));
  return absl::OkStatus();
}

// Every consent record of `subject`, with its events, read page by page.
absl::StatusOr<std::vector<Consent>> AllConsentsOf(const Env& env,
                                                   const std::string& subject) {
  std::vector<Consent> all;
  std::string cursor;
  do {
    auto page = env.store->ListConsentsBySubject(subject, "", cursor, 1000);
    if (!page.ok()) return page.status();
    for (Consent& c : page->records) all.push_back(std::move(c));
    cursor = page->next_cursor;
  } while (!cursor.empty());
  return all;
}

absl::Status ConsentsBusy() {
  return absl::AbortedError(
      "another change to this citizen's consents is in progress; retry");
}

}  // namespace accord::service
