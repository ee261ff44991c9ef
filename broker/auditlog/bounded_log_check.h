#ifndef ACCORD_BROKER_AUDITLOG_BOUNDED_LOG_CHECK_H_
#define ACCORD_BROKER_AUDITLOG_BOUNDED_LOG_CHECK_H_

// The broker's startup check of its stored log against the last checkpoint
// it signed, in bounded work: it must not grow with the log, or a broker
// holding ten million entries would rehash them all before serving. The
// full recompute (CheckStoredLog, `accord audit verify`) stays available.

#include <cstdint>

#include "absl/status/statusor.h"
#include "broker/auditlog/checkpoint.h"
#include "broker/auditlog/node_source.h"

namespace accord::auditlog {

struct BoundedCheckOptions {
  // The newest entries below the checkpoint size, rehashed from their bytes
  // and bound to the checkpoint root: what a recent edit would touch.
  uint64_t tail_entries = 1024;
  // Older entries picked at random, each rehashed and checked against the
  // checkpoint root with an inclusion proof from the stored nodes. When this
  // is at least the number of older entries, every one is checked.
  uint64_t sampled_entries = 64;
};

// What the check read: entries and stored tree nodes.
struct BoundedCheckStats {
  uint64_t entries_read = 0;
  uint64_t nodes_read = 0;
};

// Checks, with O((tail + samples) * log size) work whatever the log size:
//  - the root computed from the stored tree nodes equals `checkpoint.root`
//    (the nodes the broker resumes appending from and serves proofs from);
//  - the root computed from the stored nodes left of the tail and the
//    rehashed bytes of the tail entries equals `checkpoint.root`;
//  - each sampled older entry is included under `checkpoint.root`.
// Returns what it read when all hold.
// Errors: DataLoss naming the checkpoint size when the source holds fewer
// entries, an entry or node is missing, or a root or proof differs; the read
// error of an entry or node that cannot be read otherwise.
absl::StatusOr<BoundedCheckStats> CheckStoredLogBounded(
    NodeSource& source, const Checkpoint& checkpoint,
    const BoundedCheckOptions& options = {});

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_BOUNDED_LOG_CHECK_H_
