#ifndef ACCORD_BROKER_STORE_ERASE_H_
#define ACCORD_BROKER_STORE_ERASE_H_

// The writer's side of erasure and retention: the storage operations of
// WriteSet::EraseSubjectOp and WriteSet::PurgeOp, added to the batch under
// construction. Only store/*.cc include this header.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/store/db.h"
#include "broker/store/write_set.h"

namespace accord::store {

// Adds to `state`'s batch the erasure of `op.subject`, read from the
// committed store:
//  - every consent record of the subject ('S' index) is deleted with its
//    events, its 'S' entry, its consent request answer ('R') and the
//    subject's consent list of its dataset ('D');
//  - every grant record naming the subject ('G' index) is rewritten
//    without the subject (GrantRecord.erased_subjects counts it) and its
//    'G' entry deleted;
//  - a consent of the subject that one of those grants relied on leaves a
//    ConsentTombstone ('T' consent id) that names nobody;
//  - the subject's commitment key ('C') is deleted;
//  - meta's compaction_pending is set (Store::CompactErased clears it).
// Returns OK, or the storage error of a read (DATA_LOSS for a record that
// does not parse); the batch must then be dropped.
absl::Status ApplyErasure(BatchState& state,
                          const WriteSet::EraseSubjectOp& op);

// Adds to `state`'s batch the deletion of the records of `op` with every
// index entry that points at them: consents with their events, 'S', 'R'
// and their place in the subject's 'D' list; grants with their 'G' and
// 'P' entries; tombstones. Records already gone are skipped. Errors as for
// ApplyErasure.
absl::Status ApplyPurge(BatchState& state, const WriteSet::PurgeOp& op);

// The time of the last stored event of consent `id` (when it was
// withdrawn, expired or refused), or `fallback` when it has none. Errors:
// DATA_LOSS for an event that does not parse, or the scan's.
absl::StatusOr<int64_t> LastEventAt(const Db& db, absl::string_view id,
                                    int64_t fallback);

}  // namespace accord::store

#endif  // ACCORD_BROKER_STORE_ERASE_H_
