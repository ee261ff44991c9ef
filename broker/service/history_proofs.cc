#include "broker/service/history_proofs.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/checkpointer.h"
#include "broker/auditlog/log.h"
#include "broker/service/store_node_source.h"
#include "broker/store/store.h"

namespace accord::service {

absl::Status AttachHistoryProofs(
    const Env& env, accord::v1::GetAccessHistoryResponse* response) {
  if (response->records().empty()) return absl::OkStatus();
  uint64_t needed = 0;
  for (const accord::v1::AccessRecord& r : response->records()) {
    needed = std::max(needed, r.log_index() + 1);
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
  for (accord::v1::AccessRecord& r : *response->mutable_records()) {
    absl::StatusOr<std::string> entry = env.store->GetLogEntry(r.log_index());
    if (!entry.ok()) return entry.status();
    absl::StatusOr<auditlog::Proof> proof =
        env.log->InclusionProof(nodes, r.log_index(), size);
    if (!proof.ok()) return proof.status();
    r.set_log_entry(*std::move(entry));
    for (std::string& h : *proof) r.add_inclusion_proof(std::move(h));
  }
  response->set_checkpoint(checkpoint->note);
  return absl::OkStatus();
}

}  // namespace accord::service
