#include "broker/auditlog/entry.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/auditlog/commitment.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace accord::auditlog {

std::string EncodeEntry(const accord::v1::AuditEvent& event, uint8_t version) {
  std::string out(1, static_cast<char>(version));
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    event.SerializeToCodedStream(&coded);
  }  // The streams trim `out` to the bytes written when destroyed.
  return out;
}

absl::Status CheckVersion2(const accord::v1::AuditEvent& event) {
  if (!event.subjects().empty()) {
    return absl::InvalidArgumentError(
        "subjects: a version 2 entry names no pseudonym (commitments only)");
  }
  if (absl::StartsWith(event.actor(), "subject:")) {
    return absl::InvalidArgumentError(
        "actor: a version 2 entry names no pseudonym (a citizen is 'citizen')");
  }
  const int n = event.subject_commitments_size();
  if (event.subject_count() != static_cast<uint32_t>(n)) {
    return absl::InvalidArgumentError(
        absl::StrCat("subject_count: ", event.subject_count(), " for ", n,
                     " subject_commitments"));
  }
  for (int i = 0; i < n; ++i) {
    if (event.subject_commitments(i).size() != kCommitmentBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("subject_commitments: entry ", i, " is not ",
                       kCommitmentBytes, " bytes"));
    }
    if (i > 0 &&
        !(event.subject_commitments(i - 1) < event.subject_commitments(i))) {
      return absl::InvalidArgumentError(
          "subject_commitments: not sorted bytewise without repeats");
    }
  }
  const size_t salt = event.commitment_salt().size();
  if (n > 0 ? salt != kCommitmentSaltBytes : salt != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "commitment_salt: ", salt, " bytes with ", n, " commitments (want ",
        kCommitmentSaltBytes, " with commitments, none without)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> EncodeCheckedEntry(
    const accord::v1::AuditEvent& event) {
  if (absl::Status s = CheckVersion2(event); !s.ok()) return s;
  std::string entry = EncodeEntry(event);
  if (entry.size() > kMaxEntryBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event encodes to ", entry.size(), " bytes, limit ", kMaxEntryBytes));
  }
  // Parsing rejects strings that are not UTF-8. Deterministic serialization
  // is a function of the message's content, so the bytes are canonical
  // unless `event` carried unknown fields, which the parsed copy, once they
  // are dropped, would encode shorter.
  accord::v1::AuditEvent parsed;
  if (!parsed.ParseFromArray(entry.data() + 1,
                             static_cast<int>(entry.size() - 1))) {
    return absl::InvalidArgumentError(
        "event does not encode canonically (a string is not UTF-8?)");
  }
  parsed.DiscardUnknownFields();
  if (parsed.ByteSizeLong() + 1 != entry.size()) {
    return absl::InvalidArgumentError("event carries unknown fields");
  }
  return entry;
}

absl::StatusOr<accord::v1::AuditEvent> ParseEntry(absl::string_view entry) {
  if (entry.empty()) return absl::InvalidArgumentError("entry is empty");
  if (entry.size() > kMaxEntryBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "entry is ", entry.size(), " bytes, limit ", kMaxEntryBytes));
  }
  const uint8_t version = static_cast<uint8_t>(entry[0]);
  if (version != kEntryVersion && version != kEntryVersion1) {
    return absl::InvalidArgumentError(
        absl::StrCat("entry version byte is ", static_cast<int>(version),
                     ", want ", kEntryVersion1, " or ", kEntryVersion));
  }
  absl::string_view body = entry.substr(1);
  accord::v1::AuditEvent event;
  if (!event.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return absl::InvalidArgumentError("entry body is not an AuditEvent");
  }
  return event;
}

absl::StatusOr<accord::v1::AuditEvent> DecodeEntry(absl::string_view entry) {
  absl::StatusOr<accord::v1::AuditEvent> parsed = ParseEntry(entry);
  if (!parsed.ok()) return parsed.status();
  accord::v1::AuditEvent& event = *parsed;
  const uint8_t version = static_cast<uint8_t>(entry[0]);
  // Unknown fields would survive the round trip below, so drop them first:
  // an entry carrying any then fails the comparison.
  event.DiscardUnknownFields();
  if (EncodeEntry(event, version) != entry) {
    return absl::InvalidArgumentError(
        "entry is not the canonical encoding of its event");
  }
  if (version == kEntryVersion) {
    if (absl::Status s = CheckVersion2(event); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("version 2 entry: ", s.message()));
    }
  } else if (!event.commitment_salt().empty() ||
             !event.subject_commitments().empty() ||
             event.subject_count() != 0) {
    return absl::InvalidArgumentError(
        "version 1 entry: carries subject commitments");
  }
  return parsed;
}

absl::Status ValidateEntry(absl::string_view entry) {
  return DecodeEntry(entry).status();
}

uint8_t EntryVersion(absl::string_view entry) {
  return entry.empty() ? 0 : static_cast<uint8_t>(entry[0]);
}

}  // namespace accord::auditlog
