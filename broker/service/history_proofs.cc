#include "broker/service/history_proofs.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/checkpointer.h"
#include "broker/auditlog/commitment.h"
#include "broker/auditlog/entry.h"
#include "broker/auditlog/log.h"
#include "broker/service/store_node_source.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

// What the caller may be given of one record's entry.
struct Served {
  std::string entry;    // empty: not served
  std::string opening;  // empty for a version 1 entry
};

absl::StatusOr<Served> ServeEntry(const Env& env, const std::string& subject,
                                  std::optional<std::string>& key,
                                  const accord::v1::AccessRecord& r) {
  absl::StatusOr<std::string> entry = env.store->GetLogEntry(r.log_index());
  if (!entry.ok()) return entry.status();
  absl::StatusOr<accord::v1::AuditEvent> event = auditlog::DecodeEntry(*entry);
  if (!event.ok()) {
    return absl::DataLossError(absl::StrCat("log entry ", r.log_index(), ": ",
                                            event.status().message()));
  }
  Served out;
  if (auditlog::EntryVersion(*entry) == auditlog::kEntryVersion1) {
    // Written before commitments: served only when it names nobody else.
    const bool only_caller =
        std::all_of(event->subjects().begin(), event->subjects().end(),
                    [&](const std::string& s) { return s == subject; });
    if (only_caller) out.entry = *std::move(entry);
    return out;
  }
  if (!key.has_value()) {
    absl::StatusOr<std::string> stored = env.store->GetSubjectKey(subject);
    if (!stored.ok()) return stored.status();
    key = *std::move(stored);
  }
  absl::StatusOr<std::string> opening =
      auditlog::SubjectOpening(*key, event->commitment_salt());
  if (!opening.ok() || !auditlog::HasCommitment(*event, *opening, subject)) {
    return absl::DataLossError(absl::StrCat("log entry ", r.log_index(),
                                            " does not commit to the caller"));
  }
  out.entry = *std::move(entry);
  out.opening = *std::move(opening);
  return out;
}

}  // namespace

absl::Status AttachHistoryProofs(
    const Env& env, accord::v1::GetAccessHistoryResponse* response) {
  if (response->records().empty()) return absl::OkStatus();
  const std::string& subject = response->subject();
  std::optional<std::string> key;
  std::vector<Served> served;
  served.reserve(response->records_size());
  uint64_t needed = 0;
  for (const accord::v1::AccessRecord& r : response->records()) {
    absl::StatusOr<Served> s = ServeEntry(env, subject, key, r);
    if (!s.ok()) return s.status();
    if (!s->entry.empty()) needed = std::max(needed, r.log_index() + 1);
    served.push_back(*std::move(s));
  }
  if (needed == 0) {
    // Nothing to prove: every record predates commitments.
    for (accord::v1::AccessRecord& r : *response->mutable_records()) {
      r.set_recorded_before_commitments(true);
    }
    return absl::OkStatus();
  }
  std::optional<auditlog::SignedCheckpoint> checkpoint =
      env.checkpointer->Latest();
  if (!checkpoint.has_value() || checkpoint->checkpoint.size < needed) {
    // Only when a record is newer than the last published checkpoint:
    // checkpoints are published within a second anyway.
    absl::StatusOr<auditlog::SignedCheckpoint> now =
        env.checkpointer->CheckpointNow();
    if (!now.ok()) return now.status();
    checkpoint = *std::move(now);
  }
  const uint64_t size = checkpoint->checkpoint.size;
  if (size < needed) {
    return absl::DataLossError(absl::StrCat(
        "log entry ", needed - 1, " is past the log's committed size ", size));
  }
  StoreNodeSource nodes(env.store);
  for (int i = 0; i < response->records_size(); ++i) {
    accord::v1::AccessRecord& r = *response->mutable_records(i);
    Served& s = served[i];
    if (s.entry.empty()) {
      r.set_recorded_before_commitments(true);
      continue;
    }
    absl::StatusOr<auditlog::Proof> proof =
        env.log->InclusionProof(nodes, r.log_index(), size);
    if (!proof.ok()) return proof.status();
    r.set_log_entry(std::move(s.entry));
    r.set_subject_opening(std::move(s.opening));
    for (std::string& h : *proof) r.add_inclusion_proof(std::move(h));
  }
  response->set_checkpoint(checkpoint->note);
  return absl::OkStatus();
}

}  // namespace accord::service
