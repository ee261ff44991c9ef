#include "broker/auditlog/checkpoint.h"

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace accord::auditlog {
namespace {

constexpr size_t kMaxOriginBytes = 256;
// Bodies are a few lines; anything much larger is not ours.
constexpr size_t kMaxBodyBytes = 64 * 1024;

absl::StatusOr<uint64_t> ParseSize(absl::string_view line) {
  if (line.empty() || line.size() > 20) {
    return absl::InvalidArgumentError("checkpoint size line is not a number");
  }
  for (char c : line) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          "checkpoint size has a non-digit character");
    }
  }
  if (line.size() > 1 && line[0] == '0') {
    return absl::InvalidArgumentError("checkpoint size has a leading zero");
  }
  uint64_t size = 0;
  if (!absl::SimpleAtoi(line, &size)) {
    return absl::InvalidArgumentError("checkpoint size overflows 64 bits");
  }
  return size;
}

}  // namespace

absl::Status ValidateOrigin(absl::string_view origin) {
  if (origin.empty()) return absl::InvalidArgumentError("origin is empty");
  if (origin.size() > kMaxOriginBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "origin is ", origin.size(), " bytes, limit ", kMaxOriginBytes));
  }
  for (char c : origin) {
    if (c <= ' ' || c > '~') {
      return absl::InvalidArgumentError(
          "origin has a space, control or non-ASCII character");
    }
  }
  return absl::OkStatus();
}

std::string CheckpointBody(absl::string_view origin, uint64_t size,
                           const Hash& root) {
  return absl::StrCat(origin, "\n", size, "\n",
                      absl::Base64Escape(crypto::AsBytes(root)), "\n");
}

absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view body) {
  if (body.size() > kMaxBodyBytes) {
    return absl::InvalidArgumentError("checkpoint body is too large");
  }
  if (body.empty() || body.back() != '\n') {
    return absl::InvalidArgumentError(
        "checkpoint body does not end in a newline");
  }
  body.remove_suffix(1);
  std::vector<absl::string_view> lines = absl::StrSplit(body, '\n');
  if (lines.size() < 3) {
    return absl::InvalidArgumentError("checkpoint body has fewer than 3 lines");
  }
  Checkpoint cp;
  if (absl::Status s = ValidateOrigin(lines[0]); !s.ok()) return s;
  cp.origin = std::string(lines[0]);
  absl::StatusOr<uint64_t> size = ParseSize(lines[1]);
  if (!size.ok()) return size.status();
  cp.size = *size;
  std::string root;
  if (!absl::Base64Unescape(lines[2], &root) || root.size() != kHashSize ||
      absl::Base64Escape(root) != lines[2]) {
    return absl::InvalidArgumentError(
        "checkpoint root hash is not canonical base64 of 32 bytes");
  }
  std::memcpy(cp.root.data(), root.data(), kHashSize);
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint extension line ", i + 1, " is empty"));
    }
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

absl::StatusOr<std::string> SignCheckpoint(const crypto::NoteSigner& signer,
                                           absl::string_view origin,
                                           uint64_t size, const Hash& root) {
  if (absl::Status s = ValidateOrigin(origin); !s.ok()) return s;
  return signer.Sign(CheckpointBody(origin, size, root));
}

absl::StatusOr<Checkpoint> OpenCheckpoint(absl::string_view note,
                                          absl::string_view origin,
                                          absl::string_view verifier_key) {
  absl::StatusOr<std::string> body = crypto::VerifyNote(note, verifier_key);
  if (!body.ok()) return body.status();
  absl::StatusOr<Checkpoint> cp = ParseCheckpoint(*body);
  if (!cp.ok()) return cp.status();
  if (cp->origin != origin) {
    return absl::FailedPreconditionError(absl::StrCat(
        "checkpoint origin \"", cp->origin, "\" is not \"", origin, "\""));
  }
  return cp;
}

}  // namespace accord::auditlog
