#include "broker/auditlog/export_file.h"

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/formats/base64url.h"

namespace accord::auditlog {
namespace {

absl::Status LineError(size_t line, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("export line ", line, ": ", what));
}

bool Decimal(absl::string_view text, uint64_t* out) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(text, out);
}

}  // namespace

std::string EncodeExport(const LogExport& log) {
  std::string out =
      absl::StrCat(kExportHeader, "\n", "checkpoint ",
                   formats::Base64Encode(log.checkpoint_note), "\n");
  for (size_t i = 0; i < log.entries.size(); ++i) {
    absl::StrAppend(&out, "entry ", i, " ",
                    formats::Base64Encode(log.entries[i]), "\n");
  }
  absl::StrAppend(&out, "end ", log.entries.size(), "\n");
  return out;
}

bool IsExport(absl::string_view text) {
  return absl::StartsWith(text, absl::StrCat(kExportHeader, "\n"));
}

absl::StatusOr<LogExport> ParseExport(absl::string_view text) {
  if (!IsExport(text)) return LineError(1, "not an accord audit export");
  if (!absl::EndsWith(text, "\n")) {
    return absl::InvalidArgumentError("export: the last line has no newline");
  }
  text.remove_suffix(1);
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  LogExport log;
  std::optional<std::string> checkpoint;
  bool ended = false;
  for (size_t n = 1; n < lines.size(); ++n) {
    const size_t line = n + 1;
    if (ended) return LineError(line, "records after the end line");
    std::vector<absl::string_view> parts = absl::StrSplit(lines[n], ' ');
    if (parts[0] == "checkpoint" && parts.size() == 2) {
      if (checkpoint.has_value()) return LineError(line, "second checkpoint");
      absl::StatusOr<std::string> note = formats::Base64Decode(parts[1]);
      if (!note.ok()) return LineError(line, "checkpoint is not base64");
      checkpoint = *std::move(note);
    } else if (parts[0] == "entry" && parts.size() == 3) {
      uint64_t index = 0;
      if (!Decimal(parts[1], &index) || index != log.entries.size()) {
        return LineError(line,
                         absl::StrCat("expected entry ", log.entries.size()));
      }
      absl::StatusOr<std::string> entry = formats::Base64Decode(parts[2]);
      if (!entry.ok()) return LineError(line, "entry is not base64");
      log.entries.push_back(*std::move(entry));
    } else if (parts[0] == "end" && parts.size() == 2) {
      uint64_t count = 0;
      if (!Decimal(parts[1], &count) || count != log.entries.size()) {
        return LineError(line, absl::StrCat("end count differs from the ",
                                            log.entries.size(), " entries"));
      }
      ended = true;
    } else {
      return LineError(line, "unknown record");
    }
  }
  if (!checkpoint.has_value()) {
    return absl::InvalidArgumentError("export: no checkpoint line");
  }
  if (!ended) {
    return absl::InvalidArgumentError("export: no end line (truncated file)");
  }
  log.checkpoint_note = *std::move(checkpoint);
  return log;
}

}  // namespace accord::auditlog
