#ifndef ACCORD_BROKER_STORE_GRANT_INDEX_H_
#define ACCORD_BROKER_STORE_GRANT_INDEX_H_

// The grant indexes (keys::GrantBySubject 'G', keys::GrantByPartner 'P'),
// kept off the commit path. Only store/*.cc include this header.
//
// A grant's index entries follow from its record alone, so the writer
// stores the record and the indexer (store/event_indexer.h) writes the
// entries when it reaches the log entry that issued the grant. A reader
// must not miss a grant committed before it asks, so every read of these
// indexes goes through ScanGrantIndex: the stored entries, merged at one
// snapshot with the entries of the grants issued past the indexer's
// progress. Erasure and retention rewrite or delete records while they
// hold the indexer's batch lock (EventIndexer::batch_mutex), so the
// indexer never writes an entry from a record read before they changed it.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "accord/v1/audit.pb.h"
#include "broker/store/db.h"

namespace accord::store {

// The index entries (key, value) of `grant`: one 'G' per subject it still
// names, one 'P'.
std::vector<std::pair<std::string, std::string>> GrantIndexEntries(
    const GrantRecord& grant);

// The grant id of the entry `key` of the list `prefix` (a subject's or a
// partner's, without the time); DATA_LOSS for a key too short.
absl::StatusOr<absl::string_view> GrantIdOfEntry(absl::string_view key,
                                                 absl::string_view prefix);

// The grant the log entry `event` at `index` issued, read at `snapshot`
// (if not null): nullopt when the entry issued none (no grant id, or the
// record is another entry's: a release) or the record is gone (purged).
// DATA_LOSS for a record that does not parse.
absl::StatusOr<std::optional<GrantRecord>> GrantIssuedBy(
    const Db& db, uint64_t index, const accord::v1::AuditEvent& event,
    const rocksdb::Snapshot* snapshot);

// Visits the grant index entries under `prefix` that come after `after`
// (all when empty), in key order, each once: those stored and those of the
// grants issued past the indexer's progress, all at `snapshot` (one of its
// own when null). `visit(key, value)` returns false to stop.
absl::Status ScanGrantIndex(
    const Db& db, absl::string_view prefix, absl::string_view after,
    const rocksdb::Snapshot* snapshot,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit);

}  // namespace accord::store

#endif  // ACCORD_BROKER_STORE_GRANT_INDEX_H_
