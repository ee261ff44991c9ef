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
