#include "broker/auditlog/history_check.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/checkpoint.h"
#include "broker/auditlog/entry.h"
#include "broker/auditlog/log_audit.h"
#include "broker/auditlog/merkle.h"

namespace accord::auditlog {
namespace {

absl::Status RecordError(const accord::v1::AccessRecord& r,
                         absl::string_view what) {
  return absl::DataLossError(absl::StrCat("grant ", r.grant_id(),
                                          " (log index ", r.log_index(),
                                          "): ", what));
}

absl::Status CheckRecord(const accord::v1::AccessRecord& r,
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
  const std::vector<std::string> proof(r.inclusion_proof().begin(),
                                       r.inclusion_proof().end());
  absl::Status included =
      VerifyInclusion(HashToBytes(HashLeaf(r.log_entry())), r.log_index(),
                      checkpoint.size, proof, HashToBytes(checkpoint.root));
  if (!included.ok()) {
    return RecordError(r, absl::StrCat("not proven in the checkpoint of size ",
                                       checkpoint.size, ": ",
                                       included.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<uint64_t> VerifyAccessHistoryPage(
    const accord::v1::GetAccessHistoryResponse& page,
    absl::string_view verifier_key) {
  if (page.records().empty()) return 0;
  absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(
      page.checkpoint(), OriginOfVerifierKey(verifier_key), verifier_key);
  if (!checkpoint.ok()) return checkpoint.status();
  for (const accord::v1::AccessRecord& r : page.records()) {
    if (absl::Status s = CheckRecord(r, *checkpoint); !s.ok()) return s;
  }
  return checkpoint->size;
}

}  // namespace accord::auditlog
