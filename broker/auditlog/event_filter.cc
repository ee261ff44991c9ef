#include "broker/auditlog/event_filter.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "broker/auditlog/commitment.h"

namespace accord::auditlog {
namespace {

// Cursors carry a version prefix so their format can change later without
// a stale cursor being read as an index.
constexpr absl::string_view kCursorPrefix = "i1.";

bool PurposeMatches(absl::string_view wanted, absl::string_view purpose) {
  return purpose == wanted ||
         (absl::StartsWith(purpose, wanted) && purpose.size() > wanted.size() &&
          purpose[wanted.size()] == '.');
}

bool PartnerMatches(absl::string_view partner,
                    const accord::v1::AuditEvent& event) {
  if (event.actor() == partner) return true;
  auto it = event.detail().find("recipient");
  return it != event.detail().end() && it->second == partner;
}

}  // namespace

bool EventMatches(const accord::v1::QueryEventsRequest& query,
                  const accord::v1::AuditEvent& event,
                  absl::string_view subject_key) {
  if (!query.partner().empty() && !PartnerMatches(query.partner(), event)) {
    return false;
  }
  if (!query.dataset_id().empty() && event.dataset_id() != query.dataset_id()) {
    return false;
  }
  if (!query.subject().empty() &&
      std::find(event.subjects().begin(), event.subjects().end(),
                query.subject()) == event.subjects().end() &&
      (subject_key.empty() ||
       !HasCommitmentOfKey(event, subject_key, query.subject()))) {
    return false;
  }
  if (!query.purpose().empty() &&
      !PurposeMatches(query.purpose(), event.purpose())) {
    return false;
  }
  if (query.decision() != accord::v1::OUTCOME_UNSPECIFIED &&
      event.decision() != query.decision()) {
    return false;
  }
  if (query.type() != accord::v1::EVENT_TYPE_UNSPECIFIED &&
      event.type() != query.type()) {
    return false;
  }
  if (query.since() != 0 && event.time() < query.since()) return false;
  if (query.until() != 0 && event.time() > query.until()) return false;
  return true;
}

EventTerms TermsOf(const accord::v1::AuditEvent& event) {
  EventTerms terms;
  if (!event.actor().empty()) terms.partners.push_back(event.actor());
  auto recipient = event.detail().find("recipient");
  if (recipient != event.detail().end() && !recipient->second.empty() &&
      recipient->second != event.actor()) {
    terms.partners.push_back(recipient->second);
  }
  terms.dataset_id = event.dataset_id();
  const std::string& purpose = event.purpose();
  for (size_t dot = purpose.find('.'); dot != std::string::npos;
       dot = purpose.find('.', dot + 1)) {
    terms.purposes.push_back(purpose.substr(0, dot));
  }
  if (!purpose.empty()) terms.purposes.push_back(purpose);
  terms.decision = event.decision();
  terms.type = event.type();
  return terms;
}

std::string EncodeScanCursor(uint64_t next_index) {
  return absl::StrCat(kCursorPrefix, next_index);
}

absl::StatusOr<uint64_t> DecodeScanCursor(absl::string_view cursor) {
  if (cursor.empty()) return 0;
  uint64_t index = 0;
  if (!absl::ConsumePrefix(&cursor, kCursorPrefix) || cursor.empty() ||
      !std::all_of(cursor.begin(), cursor.end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(cursor, &index)) {
    return absl::InvalidArgumentError("page_token: not a cursor of this query");
  }
  return index;
}

}  // namespace accord::auditlog
