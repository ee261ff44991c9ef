#ifndef ACCORD_BROKER_AUDITLOG_VERIFY_H_
#define ACCORD_BROKER_AUDITLOG_VERIFY_H_

// Offline verification of a whole log (`accord audit verify`): recompute the
// tree from the entries and compare it with signed checkpoints.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "broker/auditlog/checkpoint.h"
#include "broker/auditlog/frontier.h"
#include "broker/auditlog/merkle.h"

namespace accord::auditlog {

// The outcome of a verification.
struct VerifyReport {
  // Entries read and the root recomputed over them.
  uint64_t size = 0;
  Hash root{};
  // Set when a problem is found: every entry below it is proven intact (it
  // decodes and the trusted checkpoints up to there match) and the problem
  // lies in [first_bad_index, bad_range_end). A root alone cannot say which
  // leaf changed, so the range is as narrow as the trusted checkpoints make
  // it: exact (width 1) for an undecodable entry, and for any change,
  // drop, swap or truncation when a checkpoint of every size of the
  // original is given (the checkpoint history the broker persists); for a
  // revision going backwards it is the pair of entries involved.
  std::optional<uint64_t> first_bad_index;
  uint64_t bad_range_end = 0;
  // Empty when the log verifies; otherwise what is wrong, naming the index
  // or checkpoint.
  std::string problem;

  bool ok() const { return problem.empty(); }
};

// Streams entries (index order) through a Frontier, so memory stays
// O(log n) however long the log is, and checks them against trusted
// checkpoints as the tree reaches their sizes. Not thread-safe.
class LogVerifier {
 public:
  struct Options {
    // Also decode every entry (entry.h: canonical, known version) and check
    // that event revisions never decrease. Costs a protobuf parse per entry.
    bool decode_entries = true;
  };

  // `trusted`: checkpoints whose signatures were already checked (see
  // VerifyLog), in any order; the largest is the one the log must reach.
  // Errors: InvalidArgument if it is empty, or two checkpoints of the same
  // size have different roots (the log equivocated: the report names them).
  static absl::StatusOr<LogVerifier> Create(std::vector<Checkpoint> trusted,
                                            Options options);

  // Adds the next entry. After the first problem further entries only
  // count towards the size.
  void Add(absl::string_view entry);

  // Returns the report over the entries added so far against every trusted
  // checkpoint: a checkpoint larger than the entries read means entries are
  // missing.
  VerifyReport Finish() const;

 private:
  LogVerifier(std::vector<Checkpoint> trusted, Options options);
  void Fail(uint64_t first_bad, uint64_t range_end, std::string problem);

  std::vector<Checkpoint> trusted_;  // ascending size
  size_t next_checkpoint_ = 0;       // first not yet reached
  uint64_t last_matched_ = 0;        // size of the last matching checkpoint
  Options options_;
  Frontier frontier_;
  uint64_t last_revision_ = 0;
  VerifyReport failure_;
};

// Verifies `entries` (the whole log, index order) against the signed
// checkpoint note `checkpoint_note` and, if non-empty, the earlier saved
// signed checkpoint notes `earlier_notes` (the recomputed tree's prefix of
// each earlier size must have its root). Every note is opened with
// OpenCheckpoint(note, origin, verifier_key), which checks its Ed25519
// signature. Returns the report; a note that does not open is reported as a
// problem with no bad index.
VerifyReport VerifyLog(absl::Span<const std::string> entries,
                       absl::string_view checkpoint_note,
                       absl::Span<const std::string> earlier_notes,
                       absl::string_view origin, absl::string_view verifier_key,
                       LogVerifier::Options options = {});

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_VERIFY_H_
