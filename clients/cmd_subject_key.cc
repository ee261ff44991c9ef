#include "clients/cmd_subject_key.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "accord/v1/admin.grpc.pb.h"
#include "accord/v1/audit.grpc.pb.h"
#include "broker/auditlog/commitment.h"
#include "broker/auditlog/entry.h"
#include "broker/cmdline/usage_error.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;

constexpr uint32_t kEntriesPerCall = 1000;

// Writes `data` to a new file at `path`, readable by its owner only.
absl::Status WriteSecretFile(const std::string& path, absl::string_view data) {
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return errno == EEXIST
               ? absl::AlreadyExistsError(absl::StrCat(path, ": exists"))
               : absl::UnavailableError(absl::StrCat(path, ": cannot create"));
  }
  const bool written =
      write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  const bool closed = close(fd) == 0;
  if (!written || !closed) {
    return absl::UnavailableError(absl::StrCat(path, ": cannot write"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return cmdline::UsageError(
        absl::StrCat("--subject-key-file: cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  const std::string hex(absl::StripAsciiWhitespace(text.str()));
  if (hex.size() != 2 * auditlog::kSubjectKeyBytes ||
      !std::all_of(hex.begin(), hex.end(),
                   [](char c) { return absl::ascii_isxdigit(c); })) {
    return cmdline::UsageError(
        absl::StrCat("--subject-key-file: ", path, " holds no ",
                     2 * auditlog::kSubjectKeyBytes, "-digit hex key"));
  }
  return absl::HexStringToBytes(hex);
}

}  // namespace

absl::Status ExportSubjectKeyCommand(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  const std::string out = args.GetOr("out", "");
  if (out.empty())
    return cmdline::UsageError("--out FILE: required (the key is a secret)");
  v1::ExportSubjectKeyRequest request;
  request.set_subject(args.GetOr("subject", ""));
  request.set_legal_reference(args.GetOr("legal-reference", ""));
  v1::ExportSubjectKeyResponse response;
  absl::Status s =
      ctx.Call(&v1::AdminService::Stub::ExportSubjectKey, request, &response);
  if (!s.ok()) return s;
  s = WriteSecretFile(
      out, absl::StrCat(absl::BytesToHexString(response.subject_key()), "\n"));
  if (!s.ok()) return s;
  // The key itself is never shown: only where it went.
  response.clear_subject_key();
  return ctx.output().ShowText(
      response, absl::StrCat("subject key written to ", out,
                             "; the export is recorded at revision ",
                             response.revision(), "\n"));
}

absl::Status TraceCommand(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  const std::string subject = args.GetOr("subject", "");
  if (subject.empty()) return cmdline::UsageError("--subject P: required");
  const std::string key_file = args.GetOr("subject-key-file", "");
  if (key_file.empty())
    return cmdline::UsageError("--subject-key-file F: required");
  absl::StatusOr<std::string> key = ReadKeyFile(key_file);
  if (!key.ok()) return key.status();
  v1::GetCheckpointResponse head;
  absl::Status s = ctx.Call(&v1::AuditService::Stub::GetCheckpoint,
                            v1::GetCheckpointRequest(), &head);
  if (!s.ok()) return s;
  v1::GetEntriesResponse found;
  for (uint64_t next = 0; next < head.tree_size();) {
    v1::GetEntriesRequest request;
    request.set_start(next);
    request.set_count(static_cast<uint32_t>(
        std::min<uint64_t>(kEntriesPerCall, head.tree_size() - next)));
    v1::GetEntriesResponse page;
    s = ctx.Call(&v1::AuditService::Stub::GetEntries, request, &page);
    if (!s.ok()) return s;
    if (page.entries().empty()) {
      return absl::DataLossError(
          absl::StrCat("entries: the broker returned none from index ", next));
    }
    for (v1::LogEntry& e : *page.mutable_entries()) {
      next = e.index() + 1;
      // The event is decoded here from the raw bytes, not taken from the
      // broker's decoding.
      absl::StatusOr<v1::AuditEvent> event = auditlog::DecodeEntry(e.raw());
      if (!event.ok()) {
        return absl::DataLossError(
            absl::StrCat("entry ", e.index(), ": ", event.status().message()));
      }
      const bool named =
          std::find(event->subjects().begin(), event->subjects().end(),
                    subject) != event->subjects().end();
      if (!named && !auditlog::HasCommitmentOfKey(*event, *key, subject)) {
        continue;
      }
      *e.mutable_event() = *std::move(event);
      *found.add_entries() = std::move(e);
    }
  }
  return ctx.output().ShowList(
      found, "entries",
      {"index", "event.type", "event.time", "event.actor", "event.dataset_id",
       "event.purpose", "event.decision", "event.grant_id"});
}

}  // namespace accord::client
