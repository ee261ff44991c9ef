// libFuzzer target over the canonical audit log entry decoder, which reads
// bytes an auditor fetches from the broker (GetEntries) or from an export
// file. Built only with -DACCORD_FUZZ=ON (clang); seeds in fuzz/corpus/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "broker/auditlog/entry.h"
#include "tests/fuzz/quiet_protobuf.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  accord::fuzz::SilenceProtobufLog();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view entry(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<accord::v1::AuditEvent> event =
      accord::auditlog::DecodeEntry(entry);
  // ValidateEntry is DecodeEntry's verdict.
  if (accord::auditlog::ValidateEntry(entry).ok() != event.ok()) std::abort();
  if (!event.ok()) return 0;
  // An accepted entry is canonical: one event, one encoding.
  if (accord::auditlog::EncodeEntry(
          *event, accord::auditlog::EntryVersion(entry)) != entry) {
    std::abort();
  }
  // Writers produce version 2 only: a version 2 entry is what
  // EncodeCheckedEntry gives for its event; a version 1 event is either
  // refused (it names pseudonyms) or given the same body as version 2.
  absl::StatusOr<std::string> checked =
      accord::auditlog::EncodeCheckedEntry(*event);
  if (accord::auditlog::EntryVersion(entry) ==
      accord::auditlog::kEntryVersion) {
    if (!checked.ok() || *checked != entry) std::abort();
  } else if (checked.ok() && checked->substr(1) != entry.substr(1)) {
    std::abort();
  }
  return 0;
}
