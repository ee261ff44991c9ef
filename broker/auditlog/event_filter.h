#ifndef ACCORD_BROKER_AUDITLOG_EVENT_FILTER_H_
#define ACCORD_BROKER_AUDITLOG_EVENT_FILTER_H_

// The filters of AuditService.QueryEvents, as a pure predicate over decoded
// events, and the opaque cursor of a scan over the log.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "accord/v1/audit.pb.h"

namespace accord::auditlog {

// Returns true when `event` passes every filter set in `query` (filters
// left at their default are not applied; set ones are combined with AND):
//   partner    the event's actor, or the partner a consent names
//              (detail "recipient");
//   dataset_id exact;
//   subject    one of the event's subjects (a version 1 entry), or one of
//              its commitments is the subject's under `subject_key`, the
//              subject's key k_s (a version 2 entry; commitment.h). With
//              no key (the subject has none), no version 2 event matches;
//   purpose    the event's purpose is the same or below it in the taxonomy
//              ("research-and-development" matches
//              "research-and-development.academic-research");
//   decision   exact (events that are not decisions have none);
//   type       exact;
//   since, until  Unix seconds, inclusive; 0 means unbounded.
// Paging fields are ignored.
bool EventMatches(const accord::v1::QueryEventsRequest& query,
                  const accord::v1::AuditEvent& event,
                  absl::string_view subject_key = {});

// The values under which the query indexes list an event (store's
// FindEventCandidates): for each of the filters partner, dataset_id,
// purpose, decision and type, an event that EventMatches a query setting it
// has the query's value among its terms of that filter. Empty (or 0) where
// the event has none.
struct EventTerms {
  // The actor, and the partner a consent names (detail "recipient") when
  // it is another.
  std::vector<std::string> partners;
  std::string dataset_id;
  // The purpose and each purpose above it in the taxonomy ("a.b.c": "a",
  // "a.b", "a.b.c").
  std::vector<std::string> purposes;
  int decision = 0;
  int type = 0;
};
EventTerms TermsOf(const accord::v1::AuditEvent& event);

// Returns the cursor that resumes a scan at log index `next_index`.
std::string EncodeScanCursor(uint64_t next_index);

// Returns the index a cursor of EncodeScanCursor resumes at; 0 for "".
// Errors: InvalidArgument naming page_token for anything else.
absl::StatusOr<uint64_t> DecodeScanCursor(absl::string_view cursor);

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_EVENT_FILTER_H_
