#ifndef ACCORD_BROKER_AUDITLOG_ENTRY_H_
#define ACCORD_BROKER_AUDITLOG_ENTRY_H_

// The canonical byte encoding of an audit event: the leaf data of the log.
//
//   entry = version || body
//
// Version 2 (every entry written today) names no subject: the subjects an
// event concerns appear only as commitments (commitment_salt,
// subject_commitments, subject_count; auditlog/commitment.h), `subjects` is
// empty and a citizen actor is `citizen`. Version 1 (entries written before
// subject commitments, which stay in the log unchanged: rewriting them would
// break every checkpoint since) names the subjects' pseudonyms in `subjects`
// and a citizen actor as `subject:<pseudonym>`, and has no commitment field.
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
inline constexpr uint8_t kEntryVersion = 0x02;
// The version of entries written before subject commitments; still decoded.
inline constexpr uint8_t kEntryVersion1 = 0x01;

// The actor of an event done by a citizen (version 2).
inline constexpr char kCitizenActor[] = "citizen";

// Entries longer than this are rejected by DecodeEntry and by Log::Append.
inline constexpr size_t kMaxEntryBytes = 1 << 20;

// Returns the canonical encoding of `event` with version byte `version`
// (kEntryVersion unless told). Never fails; an event that cannot be encoded
// canonically (e.g. a string field that is not valid UTF-8, an encoding
// above kMaxEntryBytes, or a version 2 event naming a pseudonym) gives bytes
// that DecodeEntry rejects, so writers use EncodeCheckedEntry.
std::string EncodeEntry(const accord::v1::AuditEvent& event,
                        uint8_t version = kEntryVersion);

// Returns EncodeEntry(event) (version 2) when DecodeEntry would accept it,
// at the cost of one parse instead of DecodeEntry's parse and re-encoding.
// Errors: InvalidArgument if the encoding exceeds kMaxEntryBytes, a string
// field is not UTF-8, `event` carries unknown fields, or breaks a rule of
// version 2 (CheckVersion2).
absl::StatusOr<std::string> EncodeCheckedEntry(
    const accord::v1::AuditEvent& event);

// Returns OK when `event` may be the body of a version 2 entry: no
// `subjects`, no `subject:` actor, subject_count equal to the number of
// subject_commitments, each of kCommitmentBytes and sorted bytewise (no
// repeats), and a commitment_salt of kCommitmentSaltBytes exactly when
// there are commitments.
// Errors: InvalidArgument naming the first field that breaks a rule.
absl::Status CheckVersion2(const accord::v1::AuditEvent& event);

// Returns the event encoded in `entry`, of version 1 or 2.
// Errors: InvalidArgument if `entry` is empty, longer than kMaxEntryBytes,
// has a version byte other than 1 or 2, does not parse as an AuditEvent,
// carries unknown fields, is not the canonical encoding of the event it
// holds, is of version 2 and breaks a rule of CheckVersion2, or is of
// version 1 and carries a commitment field.
absl::StatusOr<accord::v1::AuditEvent> DecodeEntry(absl::string_view entry);

// Returns the event of an entry of version 1 or 2 without checking that
// `entry` is canonical or follows the rules of its version: for entries the
// log wrote and a reader re-checks anyway (the query indexes). Errors:
// InvalidArgument if `entry` is empty, longer than kMaxEntryBytes, has
// another version byte, or does not parse as an AuditEvent.
absl::StatusOr<accord::v1::AuditEvent> ParseEntry(absl::string_view entry);

// Returns the version byte of `entry` (0 for an empty entry). Does not
// validate it.
uint8_t EntryVersion(absl::string_view entry);

// Returns OK if `entry` is a valid canonical entry; the errors of DecodeEntry
// otherwise.
absl::Status ValidateEntry(absl::string_view entry);

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_ENTRY_H_
