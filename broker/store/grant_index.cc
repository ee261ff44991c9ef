#include "broker/store/grant_index.h"

#include <algorithm>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/auditlog/entry.h"
#include "broker/store/event_indexer.h"
#include "broker/store/keys.h"
#include "broker/store/read_util.h"

namespace accord::store {
namespace {

using Entry = std::pair<std::string, std::string>;

// The entries under `prefix` after `after` of the grants issued by the log
// entries past the indexer's progress at `snapshot`, sorted by key.
absl::StatusOr<std::vector<Entry>> UnindexedEntries(
    const Db& db, absl::string_view prefix, absl::string_view after,
    const rocksdb::Snapshot* snapshot) {
  absl::StatusOr<EventIndexState> state = ReadEventIndexState(db, snapshot);
  if (!state.ok()) return state.status();
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(
      db.db()->NewIterator(options, db.cf(kAuditLeaves)));
  std::vector<Entry> out;
  for (it->Seek(keys::BE64(state->indexed)); it->Valid(); it->Next()) {
    const uint64_t index =
        keys::ReadBE64(absl::string_view(it->key().data(), it->key().size()));
    absl::StatusOr<accord::v1::AuditEvent> event = auditlog::ParseEntry(
        absl::string_view(it->value().data(), it->value().size()));
    if (!event.ok()) {
      return absl::DataLossError(absl::StrCat(
          "log entry ", index, " does not decode: ", event.status().message()));
    }
    absl::StatusOr<std::optional<GrantRecord>> grant =
        GrantIssuedBy(db, index, *event, snapshot);
    if (!grant.ok()) return grant.status();
    if (!grant->has_value()) continue;
    for (Entry& e : GrantIndexEntries(**grant)) {
      if (absl::StartsWith(e.first, prefix) && e.first > after) {
        out.push_back(std::move(e));
      }
    }
  }
  if (absl::Status s = FromRocks(it->status(), "reading the log's tail");
      !s.ok()) {
    return s;
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<Entry> GrantIndexEntries(const GrantRecord& grant) {
  std::vector<Entry> out;
  out.reserve(grant.subjects_size() + 1);
  for (const std::string& s : grant.subjects()) {
    out.emplace_back(keys::GrantBySubject(s, grant.issued_at(), grant.id()),
                     grant.dataset_id());
  }
  out.emplace_back(
      keys::GrantByPartner(grant.partner(), grant.issued_at(), grant.id()),
      std::string());
  return out;
}

absl::StatusOr<absl::string_view> GrantIdOfEntry(absl::string_view key,
                                                 absl::string_view prefix) {
  if (key.size() < prefix.size() + 8) {
    return absl::DataLossError("malformed grant index entry");
  }
  return key.substr(prefix.size() + 8);
}

absl::StatusOr<std::optional<GrantRecord>> GrantIssuedBy(
    const Db& db, uint64_t index, const accord::v1::AuditEvent& event,
    const rocksdb::Snapshot* snapshot) {
  if (event.grant_id().empty()) return std::nullopt;
  absl::StatusOr<GrantRecord> grant = Parse<GrantRecord>(
      db.Get(kGrants, event.grant_id(), snapshot), "grant", event.grant_id());
  if (absl::IsNotFound(grant.status())) return std::nullopt;
  if (!grant.ok()) return grant.status();
  if (grant->log_index() != index) return std::nullopt;
  return *std::move(grant);
}

absl::Status ScanGrantIndex(
    const Db& db, absl::string_view prefix, absl::string_view after,
    const rocksdb::Snapshot* snapshot,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) {
  std::optional<rocksdb::ManagedSnapshot> own;
  if (snapshot == nullptr) snapshot = own.emplace(db.db()).snapshot();
  absl::StatusOr<std::vector<Entry>> pending =
      UnindexedEntries(db, prefix, after, snapshot);
  if (!pending.ok()) return pending.status();
  auto next = pending->begin();
  bool stopped = false;
  absl::Status s =
      Scan(db, kIndex, prefix, after, snapshot,
           [&](absl::string_view key, absl::string_view value) {
             for (; next != pending->end() && next->first <= key; ++next) {
               if (next->first == key) continue;  // stored already
               if (!visit(next->first, next->second)) {
                 stopped = true;
                 return false;
               }
             }
             if (!visit(key, value)) {
               stopped = true;
               return false;
             }
             return true;
           });
  if (!s.ok()) return s;
  for (; !stopped && next != pending->end(); ++next) {
    if (!visit(next->first, next->second)) break;
  }
  return absl::OkStatus();
}

}  // namespace accord::store
