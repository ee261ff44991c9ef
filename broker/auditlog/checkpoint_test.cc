#include "broker/auditlog/checkpoint.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "broker/auditlog/test_note.h"

namespace accord::auditlog {
namespace {

const char kOrigin[] = "accord.example.org/log";

TEST_CASE("Checkpoint bodies follow tlog-checkpoint and parse back",
          "[checkpoint]") {
  const Hash root = HashLeaf("x");
  const std::string body = CheckpointBody(kOrigin, 1234, root);
  CHECK(body == absl::StrCat(kOrigin, "\n1234\n",
                             absl::Base64Escape(crypto::AsBytes(root)), "\n"));
  absl::StatusOr<Checkpoint> cp = ParseCheckpoint(body);
  REQUIRE(cp.ok());
  CHECK(cp->origin == kOrigin);
  CHECK(cp->size == 1234);
  CHECK(cp->root == root);
  CHECK(cp->extensions.empty());

  absl::StatusOr<Checkpoint> ext = ParseCheckpoint(body + "ext one\n");
  REQUIRE(ext.ok());
  CHECK(ext->extensions.size() == 1);

  absl::StatusOr<Checkpoint> zero =
      ParseCheckpoint(CheckpointBody(kOrigin, 0, EmptyRoot()));
  REQUIRE(zero.ok());
  CHECK(zero->size == 0);
  absl::StatusOr<Checkpoint> max =
      ParseCheckpoint(CheckpointBody(kOrigin, UINT64_MAX, root));
  REQUIRE(max.ok());
  CHECK(max->size == UINT64_MAX);
}

TEST_CASE("ParseCheckpoint rejects malformed bodies", "[checkpoint]") {
  const std::string r = absl::Base64Escape(crypto::AsBytes(HashLeaf("x")));
  const std::string o = kOrigin;
  const auto kBad = absl::StatusCode::kInvalidArgument;
  auto code = [](const std::string& b) {
    return ParseCheckpoint(b).status().code();
  };
  CHECK(code("") == kBad);
  CHECK(code(o + "\n12\n" + r) == kBad);     // no final newline
  CHECK(code(o + "\n12\n") == kBad);         // two lines
  CHECK(code("\n12\n" + r + "\n") == kBad);  // empty origin
  CHECK(code("has space\n12\n" + r + "\n") == kBad);
  CHECK(code(o + "\n012\n" + r + "\n") == kBad);  // leading zero
  CHECK(code(o + "\n+12\n" + r + "\n") == kBad);
  CHECK(code(o + "\n 12\n" + r + "\n") == kBad);
  CHECK(code(o + "\n18446744073709551616\n" + r + "\n") == kBad);
  CHECK(code(o + "\n12\n" + r.substr(0, 40) + "\n") == kBad);
  CHECK(code(o + "\n12\n" + r + "=\n") == kBad);
  CHECK(code(o + "\n12\n" + absl::Base64Escape("short") + "\n") == kBad);
  CHECK(code(o + "\n12\n" + absl::WebSafeBase64Escape(std::string(32, '\xff')) +
             "\n") == kBad);
  CHECK(code(o + "\n12\n" + r + "\n\n") == kBad);  // empty extension
  CHECK(code(o + "\r\n12\n" + r + "\n") == kBad);
}

TEST_CASE("Signed checkpoints open with the right key and origin only",
          "[checkpoint]") {
  testing::TestNoteKey key("accord-log");
  testing::TestNoteKey other("accord-log");
  absl::StatusOr<std::string> note =
      SignCheckpoint(key.signer, kOrigin, 7, HashLeaf("x"));
  REQUIRE(note.ok());
  absl::StatusOr<Checkpoint> cp =
      OpenCheckpoint(*note, kOrigin, key.VerifierKey());
  REQUIRE(cp.ok());
  CHECK(cp->size == 7);
  CHECK(cp->root == HashLeaf("x"));
  CHECK(OpenCheckpoint(*note, kOrigin, other.VerifierKey()).status().code() ==
        absl::StatusCode::kUnauthenticated);
  CHECK_FALSE(OpenCheckpoint(*note, kOrigin, "not a key").ok());
  CHECK(OpenCheckpoint(*note, "other.example/log", key.VerifierKey())
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  std::string tampered = *note;
  tampered[tampered.find("\n7\n") + 1] = '8';
  CHECK(OpenCheckpoint(tampered, kOrigin, key.VerifierKey()).status().code() ==
        absl::StatusCode::kUnauthenticated);
  CHECK(SignCheckpoint(key.signer, "bad origin", 7, HashLeaf("x"))
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  // A signed note whose text is not a checkpoint does not open.
  absl::StatusOr<std::string> other_text = key.signer.Sign("hello\n");
  REQUIRE(other_text.ok());
  CHECK(
      OpenCheckpoint(*other_text, kOrigin, key.VerifierKey()).status().code() ==
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::auditlog
