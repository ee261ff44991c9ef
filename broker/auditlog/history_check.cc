#include "broker/auditlog/history_check.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/checkpoint.h"
#include "broker/auditlog/commitment.h"
#include "broker/auditlog/entry.h"
#include "broker/auditlog/log_audit.h"
#include "broker/auditlog/merkle.h"

namespace accord::auditlog {
namespace {

absl::Status RecordError(const accord::v1::AccessRecord& r,
                         absl::string_view what) {
  return absl::DataLossError(absl::StrCat(
      "grant ", r.grant_id(), " (log index ", r.log_index(), "): ", what));
}

absl::Status CheckRecord(const accord::v1::AccessRecord& r,
                         absl::string_view subject,
                         const Checkpoint& checkpoint) {
  absl::StatusOr<accord::v1::AuditEvent> event = DecodeEntry(r.log_entry());
  if (!event.ok()) {
    return RecordError(r, absl::StrCat("log entry does not decode: ",
                                       event.status().message()));
  }
  if (event->type() != accord::v1::EVENT_TYPE_DECISION ||
      event->grant_id() != r.grant_id() ||
      event->dataset_id() != r.dataset_id() ||
      event->purpose() != r.purpose() || event->actor() != r.partner()) {
    return RecordError(r, "log entry describes another decision");
  }
  if (subject.empty()) return RecordError(r, "the page names no subject");
  if (EntryVersion(r.log_entry()) == kEntryVersion1) {
    if (std::find(event->subjects().begin(), event->subjects().end(),
                  subject) == event->subjects().end()) {
      return RecordError(r, "log entry does not name the caller");
    }
  } else if (!HasCommitment(*event, r.subject_opening(), subject)) {
    return RecordError(
        r,
        "log entry does not hold the caller's commitment under the "
        "opening given");
  }
  const std::vector<std::string> proof(r.inclusion_proof().begin(),
                                       r.inclusion_proof().end());
  absl::Status included =
      VerifyInclusion(HashToBytes(HashLeaf(r.log_entry())), r.log_index(),
                      checkpoint.size, proof, HashToBytes(checkpoint.root));
  if (!included.ok()) {
    return RecordError(r,
                       absl::StrCat("not proven in the checkpoint of size ",
                                    checkpoint.size, ": ", included.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<uint64_t> VerifyAccessHistoryPage(
    const accord::v1::GetAccessHistoryResponse& page,
    absl::string_view verifier_key) {
  if (page.records_size() == static_cast<int>(UnverifiableRecords(page))) {
    return 0;
  }
  absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(
      page.checkpoint(), OriginOfVerifierKey(verifier_key), verifier_key);
  if (!checkpoint.ok()) return checkpoint.status();
  for (const accord::v1::AccessRecord& r : page.records()) {
    if (r.recorded_before_commitments()) continue;
    if (absl::Status s = CheckRecord(r, page.subject(), *checkpoint); !s.ok()) {
      return s;
    }
  }
  return checkpoint->size;
}

size_t UnverifiableRecords(const accord::v1::GetAccessHistoryResponse& page) {
  return static_cast<size_t>(
      std::count_if(page.records().begin(), page.records().end(),
                    [](const accord::v1::AccessRecord& r) {
                      return r.recorded_before_commitments();
                    }));
}

}  // namespace accord::auditlog
