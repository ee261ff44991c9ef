#ifndef ACCORD_CLIENTS_OUTPUT_H_
#define ACCORD_CLIENTS_OUTPUT_H_

// How the CLI prints results: either exactly one JSON document or text for
// a person (aligned "key: value" lines or a table, timestamps in RFC 3339,
// enums by their short name).
//
// The JSON of a protobuf message (ToJsonValue) is the CLI's one encoding,
// not the protobuf JSON mapping: proto field names (snake_case), every
// scalar and list present (defaults included, unset messages left out);
// times (int64 fields named "*_at", "at", "time", "since", "until" or
// "expires*") as RFC 3339 UTC strings such as "2026-12-03T10:00:00Z", or
// null when unset (0); 64-bit integers as JSON numbers; enums without their
// type prefix, in lower case ("given" for CONSENT_STATE_GIVEN, "permit" for
// OUTCOME_PERMIT); bytes as lowercase hex; maps as objects, keys sorted.

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/formats/json.h"
#include "google/protobuf/message.h"

namespace accord::client {

enum class OutputFormat { kHuman, kJson };

// Parses the --output flag value: "json", "text" or "human". Returns the
// format, or a usage error naming --output.
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view value);

// Returns `message` as one compact JSON document in the encoding above.
// Never fails today; StatusOr kept for callers.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message);

// `message` as a JSON value in the encoding above, for commands that embed
// a message in a document of their own.
formats::JsonValue ToJsonValue(const google::protobuf::Message& message);

// The one JSON encoding of a hash or other bytes outside a message:
// lowercase hex.
std::string HashText(absl::string_view bytes);

// The one line the CLI prints for a failed command: "accord: <CODE NAME>:
// <message>", e.g. "accord: PERMISSION_DENIED: caller may not call
// PutPolicy".
std::string ErrorLine(const absl::Status& status);

// Returns `message` as aligned "key: value" lines, nested fields as dotted
// paths ("decision.outcome"), repeated messages indexed ("events[0].state"),
// repeated scalars joined by ", ". Fields at their default value are left
// out. int64 fields named "*_at", "at", "time", "since" or "until" print as
// RFC 3339; bytes as lowercase hex; enums without their type prefix
// ("GIVEN" for CONSENT_STATE_GIVEN).
std::string FormatHuman(const google::protobuf::Message& message);

// Returns the repeated message field `list_field` of `message` as a table:
// a header of `columns` (field paths such as "recipient.partner", printed in
// upper case), then one row per element, columns aligned. Returns
// "(none)\n" when the list is empty and "" when `list_field` is not a
// repeated message field.
std::string FormatTable(const google::protobuf::Message& message,
                        absl::string_view list_field,
                        const std::vector<std::string>& columns);

// `rows` as aligned columns separated by two spaces, one line each (the
// first row is usually the header). Returns "" for no rows.
std::string FormatRows(const std::vector<std::vector<std::string>>& rows);

// The formatted value at `path` (dotted field names) of `message`, "" when a
// name on the path does not exist. Same value rules as FormatHuman.
std::string FieldText(const google::protobuf::Message& message,
                      absl::string_view path);

// Where a command writes its result, in the chosen format.
class Output {
 public:
  Output(OutputFormat format, std::ostream* out) : format_(format), out_(out) {}

  OutputFormat format() const { return format_; }

  // JSON: `message`; human: FormatHuman(message). Returns OK or INTERNAL.
  absl::Status Show(const google::protobuf::Message& message);
  // JSON: `message`; human: FormatTable(message, list_field, columns).
  absl::Status ShowList(const google::protobuf::Message& message,
                        absl::string_view list_field,
                        const std::vector<std::string>& columns);
  // The result of a command that changed something. JSON: `message`; human:
  // `sentence` (what changed, e.g. "consent C withdrawn") on a line of its
  // own, then FormatHuman(message).
  absl::Status ShowChange(const google::protobuf::Message& message,
                          absl::string_view sentence);
  // JSON: `message`; human: `text` as given.
  absl::Status ShowText(const google::protobuf::Message& message,
                        absl::string_view text);
  // JSON: `json`, which the caller built as one valid JSON document (not
  // from a protobuf message); human: `text` as given.
  absl::Status ShowJson(absl::string_view json, absl::string_view text);

 private:
  absl::Status WriteJson(const google::protobuf::Message& message);

  const OutputFormat format_;
  std::ostream* const out_;
};

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_OUTPUT_H_
