#ifndef ACCORD_BROKER_AUDITLOG_ENTRY_H_
#define ACCORD_BROKER_AUDITLOG_ENTRY_H_

// The canonical byte encoding of an audit event: the leaf data of the log.
//
// Format version 1:
//
//   entry = 0x01 || body
//
// where `body` is the protobuf wire encoding of accord.v1.AuditEvent
// (proto/accord/v1/audit.proto) produced by deterministic serialization:
// fields in field-number order, fields holding their default value (0, empty
// string, UNSPECIFIED) omitted, repeated fields in their given order,
// `detail` map entries sorted by key, each map entry with its key (field 1)
// then value (field 2), minimal varints, no unknown fields.
//
// An entry is canonical when decoding it and encoding the result again gives
// the same bytes; DecodeEntry accepts only canonical entries, so each event
// has exactly one valid encoding and the leaf hash commits to the event, not
// to an arbitrary representation of it.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "accord/v1/audit.pb.h"

namespace accord::auditlog {

// The format version byte written by EncodeEntry.
inline constexpr uint8_t kEntryVersion = 0x01;

// Entries longer than this are rejected by DecodeEntry and by Log::Append.
inline constexpr size_t kMaxEntryBytes = 1 << 20;

// Returns the canonical version-1 encoding of `event`. Never fails; an event
// that cannot be encoded canonically (e.g. a string field that is not valid
// UTF-8, or an encoding above kMaxEntryBytes) gives bytes that DecodeEntry
// rejects, so writers use EncodeCheckedEntry.
std::string EncodeEntry(const accord::v1::AuditEvent& event);

// Returns EncodeEntry(event) when DecodeEntry would accept it, at the cost
// of one parse instead of DecodeEntry's parse and re-encoding.
// Errors: InvalidArgument if the encoding exceeds kMaxEntryBytes, a string
// field is not UTF-8, or `event` carries unknown fields.
absl::StatusOr<std::string> EncodeCheckedEntry(
    const accord::v1::AuditEvent& event);

// Returns the event encoded in `entry`.
// Errors: InvalidArgument if `entry` is empty, longer than kMaxEntryBytes,
// has a version byte other than kEntryVersion, does not parse as an
// AuditEvent, carries unknown fields, or is not the canonical encoding of the
// event it holds.
absl::StatusOr<accord::v1::AuditEvent> DecodeEntry(absl::string_view entry);

// Returns OK if `entry` is a valid canonical entry; the errors of DecodeEntry
// otherwise.
absl::Status ValidateEntry(absl::string_view entry);

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_ENTRY_H_
