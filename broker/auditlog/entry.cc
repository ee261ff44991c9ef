#include "broker/auditlog/entry.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace accord::auditlog {

std::string EncodeEntry(const accord::v1::AuditEvent& event) {
  std::string out(1, static_cast<char>(kEntryVersion));
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    event.SerializeToCodedStream(&coded);
  }  // The streams trim `out` to the bytes written when destroyed.
  return out;
}

absl::StatusOr<std::string> EncodeCheckedEntry(
    const accord::v1::AuditEvent& event) {
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

absl::StatusOr<accord::v1::AuditEvent> DecodeEntry(absl::string_view entry) {
  if (entry.empty()) return absl::InvalidArgumentError("entry is empty");
  if (entry.size() > kMaxEntryBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "entry is ", entry.size(), " bytes, limit ", kMaxEntryBytes));
  }
  if (static_cast<uint8_t>(entry[0]) != kEntryVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "entry version byte is ", static_cast<int>(static_cast<uint8_t>(entry[0])),
        ", want ", kEntryVersion));
  }
  absl::string_view body = entry.substr(1);
  accord::v1::AuditEvent event;
  if (!event.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return absl::InvalidArgumentError("entry body is not an AuditEvent");
  }
  // Unknown fields would survive the round trip below, so drop them first:
  // an entry carrying any then fails the comparison.
  event.DiscardUnknownFields();
  if (EncodeEntry(event) != entry) {
    return absl::InvalidArgumentError(
        "entry is not the canonical encoding of its event");
  }
  return event;
}

absl::Status ValidateEntry(absl::string_view entry) {
  return DecodeEntry(entry).status();
}

}  // namespace accord::auditlog
