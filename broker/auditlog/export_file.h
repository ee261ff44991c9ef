#ifndef ACCORD_BROKER_AUDITLOG_EXPORT_FILE_H_
#define ACCORD_BROKER_AUDITLOG_EXPORT_FILE_H_

// The file `accord audit export` writes and `accord audit verify --file`
// reads: a whole log with the signed checkpoint over it. Text, one record a
// line, so any tool can read it:
//
//   accord-audit-export v1
//   checkpoint <signed checkpoint note, standard padded base64>
//   entry <index> <canonical entry bytes, standard padded base64>
//   ...                                   (indices 0, 1, 2, ... in order)
//   end <number of entries>
//
// Every line ends in "\n". The checkpoint covers exactly the entries that
// follow (its size is the entry count).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::auditlog {

struct LogExport {
  std::string checkpoint_note;
  std::vector<std::string> entries;
};

// The first line of every export.
inline constexpr absl::string_view kExportHeader = "accord-audit-export v1";

// Returns the file text of `log`.
std::string EncodeExport(const LogExport& log);

// Returns true when `text` starts with kExportHeader and a newline.
bool IsExport(absl::string_view text);

// Returns the log in `text`.
// Errors: InvalidArgument naming the line for a wrong header, an unknown
// record, bad base64, an entry index out of sequence, a missing or repeated
// checkpoint, or an `end` line that is missing, not last, or disagrees with
// the entry count. Signatures and hashes are not checked here (see
// VerifyLog).
absl::StatusOr<LogExport> ParseExport(absl::string_view text);

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_EXPORT_FILE_H_
