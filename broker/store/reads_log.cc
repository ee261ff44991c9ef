// Reads of the stored audit log: entries, tree nodes, checkpoints.
#include <memory>

#include "absl/strings/str_cat.h"
#include "broker/store/read_util.h"

namespace accord::store {

uint64_t Store::LogSize() const { return db_->log_size(); }

absl::StatusOr<std::string> Store::GetLogEntry(uint64_t index) const {
  auto entry = db_->Get(kAuditLeaves, keys::BE64(index));
  if (absl::IsNotFound(entry.status())) {
    return absl::NotFoundError(absl::StrCat("no log entry ", index));
  }
  return entry;
}

absl::StatusOr<std::string> Store::GetSubjectKey(
    absl::string_view subject) const {
  auto key = db_->Get(kIndex, keys::SubjectKey(subject));
  if (absl::IsNotFound(key.status())) {
    return absl::NotFoundError("the subject has no commitment key");
  }
  if (key.ok() && key->size() != kSubjectKeyBytes) {
    return absl::DataLossError(
        absl::StrCat("the commitment key of a subject is ", key->size(),
                     " bytes, want ", kSubjectKeyBytes));
  }
  return key;
}

absl::StatusOr<std::string> Store::GetTreeNode(uint8_t level,
                                               uint64_t index) const {
  auto node = db_->Get(kAuditHashes, keys::AuditNode(level, index));
  if (absl::IsNotFound(node.status())) {
    return absl::NotFoundError(absl::StrCat(
        "no tree node at level ", static_cast<int>(level), " index ", index));
  }
  return node;
}

absl::StatusOr<std::pair<uint64_t, std::string>> Store::LatestCheckpoint()
    const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->db()->NewIterator(rocksdb::ReadOptions(), db_->cf(kCheckpoints)));
  it->SeekToLast();
  if (!it->Valid()) {
    if (absl::Status s = FromRocks(it->status(), "scan"); !s.ok()) return s;
    return absl::NotFoundError("no checkpoint yet");
  }
  if (it->key().size() != 8)
    return absl::DataLossError("malformed checkpoint key");
  return std::make_pair(keys::ReadBE64(absl::string_view(it->key().data(), 8)),
                        it->value().ToString());
}

}  // namespace accord::store
