#include "broker/auditlog/log_audit.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/checkpoint.h"
#include "broker/auditlog/frontier.h"
#include "broker/auditlog/memory_node_source.h"

namespace accord::auditlog {
namespace {

void Narrow(VerifyReport& report, uint64_t index, std::string why) {
  report.first_bad_index = index;
  report.bad_range_end = index + 1;
  absl::StrAppend(&report.problem, report.problem.empty() ? "" : "; ", why);
}

// The entries in a MemoryNodeSource, so prefix roots cost O(log n).
std::unique_ptr<MemoryNodeSource> Tree(absl::Span<const std::string> entries) {
  auto source = std::make_unique<MemoryNodeSource>();
  Frontier frontier;
  for (size_t i = 0; i < entries.size(); ++i) {
    store::LogAppend append;
    append.index = i;
    append.entry = entries[i];
    for (const Node& n : frontier.Append(HashLeaf(entries[i]))) {
      append.nodes.push_back({n.level, n.index, HashToBytes(n.hash)});
    }
    if (!source->Add(append).ok()) return nullptr;
  }
  return source;
}

// Whether the first `m` entries are the first `m` leaves of the tree whose
// head is `head`, by the server's consistency proof.
bool PrefixMatches(MemoryNodeSource& tree, const Checkpoint& head, uint64_t m,
                   const LogAuditInput& input) {
  if (m == 0) return true;
  absl::StatusOr<Hash> root = RootFromNodes(tree, m);
  if (!root.ok()) return false;
  if (m == head.size) return *root == head.root;
  absl::StatusOr<Proof> proof = input.consistency(m, head.size);
  if (!proof.ok()) return false;
  return VerifyConsistency(m, head.size, *proof, HashToBytes(*root),
                           HashToBytes(head.root))
      .ok();
}

void NarrowByConsistency(const LogAuditInput& input, VerifyReport& report) {
  absl::StatusOr<Checkpoint> head = OpenCheckpoint(
      input.checkpoint_note, OriginOfVerifierKey(input.verifier_key),
      input.verifier_key);
  if (!head.ok()) return;
  std::unique_ptr<MemoryNodeSource> tree = Tree(input.entries);
  if (tree == nullptr) return;
  const uint64_t top = std::min<uint64_t>(input.entries.size(), head->size);
  if (PrefixMatches(*tree, *head, top, input)) {
    if (top < head->size) {
      Narrow(
          report, top,
          absl::StrCat("entries from ", top,
                       " are missing: the checkpoint has size ", head->size));
    }
    return;  // otherwise the mismatch is with the saved checkpoint
  }
  // Invariant: the prefix of `good` entries matches, that of `bad` not.
  uint64_t good = 0;
  uint64_t bad = top;
  if (report.first_bad_index.has_value()) {
    good = std::min(*report.first_bad_index, top);
  }
  while (bad - good > 1) {
    const uint64_t mid = good + (bad - good) / 2;
    if (PrefixMatches(*tree, *head, mid, input)) {
      good = mid;
    } else {
      bad = mid;
    }
  }
  Narrow(report, good,
         absl::StrCat("entry ", good, " is not the one the checkpoint of size ",
                      head->size, " committed to"));
}

}  // namespace

std::string OriginOfVerifierKey(absl::string_view verifier_key) {
  return std::string(verifier_key.substr(0, verifier_key.find('+')));
}

VerifyReport AuditLogEntries(const LogAuditInput& input) {
  const std::string origin = OriginOfVerifierKey(input.verifier_key);
  std::vector<std::string> earlier;
  if (input.saved_note.has_value()) earlier.push_back(*input.saved_note);
  if (input.saved_entries != nullptr && input.saved_note.has_value()) {
    VerifyReport saved = VerifyLog(*input.saved_entries, *input.saved_note, {},
                                   origin, input.verifier_key);
    if (!saved.ok()) {
      VerifyReport report;
      report.problem =
          absl::StrCat("the earlier export does not verify: ", saved.problem);
      return report;
    }
  }
  VerifyReport report = VerifyLog(input.entries, input.checkpoint_note, earlier,
                                  origin, input.verifier_key);
  if (report.ok()) return report;
  if (report.first_bad_index.has_value() &&
      report.bad_range_end == *report.first_bad_index + 1) {
    return report;  // already exact
  }
  if (input.saved_entries != nullptr) {
    const std::vector<std::string>& saved = *input.saved_entries;
    const size_t common = std::min(saved.size(), input.entries.size());
    for (size_t i = 0; i < common; ++i) {
      if (saved[i] != input.entries[i]) {
        Narrow(report, i,
               absl::StrCat("entry ", i, " differs from the earlier export"));
        return report;
      }
    }
    if (input.entries.size() < saved.size()) {
      Narrow(report, input.entries.size(),
             absl::StrCat("entries from ", input.entries.size(),
                          " of the earlier export are missing"));
      return report;
    }
  }
  if (input.consistency) NarrowByConsistency(input, report);
  return report;
}

}  // namespace accord::auditlog
