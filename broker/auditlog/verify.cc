#include "broker/auditlog/verify.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/entry.h"

namespace accord::auditlog {

absl::StatusOr<LogVerifier> LogVerifier::Create(std::vector<Checkpoint> trusted,
                                                Options options) {
  if (trusted.empty()) {
    return absl::InvalidArgumentError("no trusted checkpoint given");
  }
  std::sort(
      trusted.begin(), trusted.end(),
      [](const Checkpoint& a, const Checkpoint& b) { return a.size < b.size; });
  for (size_t i = 1; i < trusted.size(); ++i) {
    if (trusted[i].size == trusted[i - 1].size &&
        trusted[i].root != trusted[i - 1].root) {
      return absl::InvalidArgumentError(
          absl::StrCat("two trusted checkpoints of size ", trusted[i].size,
                       " have different roots: the log equivocated"));
    }
  }
  LogVerifier v(std::move(trusted), options);
  // Checkpoints of the empty tree are reached before any entry.
  while (v.next_checkpoint_ < v.trusted_.size() &&
         v.trusted_[v.next_checkpoint_].size == 0) {
    if (v.trusted_[v.next_checkpoint_].root != EmptyRoot()) {
      v.Fail(0, 0, "checkpoint of size 0 does not have the empty root");
      break;
    }
    ++v.next_checkpoint_;
  }
  return v;
}

LogVerifier::LogVerifier(std::vector<Checkpoint> trusted, Options options)
    : trusted_(std::move(trusted)), options_(options) {}

void LogVerifier::Fail(uint64_t first_bad, uint64_t range_end,
                       std::string problem) {
  failure_.first_bad_index = first_bad;
  failure_.bad_range_end = range_end;
  failure_.problem = std::move(problem);
}

void LogVerifier::Add(absl::string_view entry) {
  const uint64_t index = frontier_.Size();
  const bool checking = failure_.ok();
  if (checking && options_.decode_entries) {
    absl::StatusOr<accord::v1::AuditEvent> event = DecodeEntry(entry);
    if (!event.ok()) {
      Fail(index, index + 1,
           absl::StrCat("entry ", index,
                        " does not decode: ", event.status().message()));
    } else if (event->revision() < last_revision_) {
      // Either this entry or the one before it is out of place, unless a
      // checkpoint already vouches for the one before.
      Fail(std::max(index - 1, last_matched_), index + 1,
           absl::StrCat("entry ", index, " has revision ", event->revision(),
                        ", below revision ", last_revision_, " of entry ",
                        index - 1));
    } else {
      last_revision_ = event->revision();
    }
  }
  frontier_.Append(HashLeaf(entry));
  if (!failure_.ok()) return;
  const uint64_t size = index + 1;
  while (next_checkpoint_ < trusted_.size() &&
         trusted_[next_checkpoint_].size == size) {
    if (trusted_[next_checkpoint_].root != frontier_.Root()) {
      Fail(last_matched_, size,
           absl::StrCat("root of the first ", size,
                        " entries differs from the checkpoint of size ", size,
                        "; the first changed entry is in [", last_matched_,
                        ", ", size, ")"));
      return;
    }
    last_matched_ = size;
    ++next_checkpoint_;
  }
}

VerifyReport LogVerifier::Finish() const {
  VerifyReport report = failure_;
  report.size = frontier_.Size();
  report.root = frontier_.Root();
  if (!report.ok()) return report;
  if (next_checkpoint_ < trusted_.size()) {
    // Entries are missing; they may have been dropped anywhere after the
    // last checkpoint the log still matches.
    const uint64_t want = trusted_[next_checkpoint_].size;
    report.first_bad_index = last_matched_;
    report.bad_range_end = want;
    report.problem =
        absl::StrCat("log has ", report.size, " entries but a checkpoint has ",
                     want, "; entries are missing or dropped in [",
                     last_matched_, ", ", want, ")");
  }
  return report;
}

VerifyReport VerifyLog(absl::Span<const std::string> entries,
                       absl::string_view checkpoint_note,
                       absl::Span<const std::string> earlier_notes,
                       absl::string_view origin, absl::string_view verifier_key,
                       LogVerifier::Options options) {
  VerifyReport report;
  std::vector<Checkpoint> trusted;
  absl::StatusOr<Checkpoint> latest =
      OpenCheckpoint(checkpoint_note, origin, verifier_key);
  if (!latest.ok()) {
    report.problem = absl::StrCat("checkpoint: ", latest.status().message());
    return report;
  }
  trusted.push_back(*std::move(latest));
  for (size_t i = 0; i < earlier_notes.size(); ++i) {
    absl::StatusOr<Checkpoint> cp =
        OpenCheckpoint(earlier_notes[i], origin, verifier_key);
    if (!cp.ok()) {
      report.problem =
          absl::StrCat("earlier checkpoint ", i, ": ", cp.status().message());
      return report;
    }
    trusted.push_back(*std::move(cp));
  }
  absl::StatusOr<LogVerifier> verifier =
      LogVerifier::Create(std::move(trusted), options);
  if (!verifier.ok()) {
    report.problem = std::string(verifier.status().message());
    return report;
  }
  for (const std::string& e : entries) verifier->Add(e);
  return verifier->Finish();
}

}  // namespace accord::auditlog
