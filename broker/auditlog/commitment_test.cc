#include "broker/auditlog/commitment.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/escaping.h"
#include "broker/auditlog/entry.h"

namespace accord::auditlog {
namespace {

std::string Hex(absl::string_view bytes) {
  return absl::BytesToHexString(bytes);
}

// A fixed vector, recomputed independently with Python's hmac and hashlib:
//   k = bytes(range(32)); salt = bytes(range(16))
//   o = hmac.new(k, b"accord subject opening v1" + salt, "sha256").digest()
//   c = hashlib.sha256(b"accord subject commitment v1\0" + o +
//   b"alice").digest()
TEST_CASE("commitment: the fixed vector") {
  std::string key;
  for (int i = 0; i < 32; ++i) key.push_back(static_cast<char>(i));
  std::string salt;
  for (int i = 0; i < 16; ++i) salt.push_back(static_cast<char>(i));
  absl::StatusOr<std::string> opening = SubjectOpening(key, salt);
  REQUIRE(opening.ok());
  CHECK(Hex(*opening) ==
        "7fe2ddce55d8f5218da41970a42c046cdd89173932de5205cf2070e8c3af74aa");
  absl::StatusOr<std::string> c = SubjectCommitment(*opening, "alice");
  REQUIRE(c.ok());
  CHECK(Hex(*c) ==
        "ff381affcab3ed748f5c687e35474da3874e01a1fb95f2723300128df02fbdba");
}

TEST_CASE("commitment: sizes are checked, naming the field") {
  const std::string key(32, 'k');
  const std::string salt(16, 's');
  CHECK(absl::IsInvalidArgument(SubjectOpening(key.substr(1), salt).status()));
  absl::Status bad_salt = SubjectOpening(key, salt.substr(1)).status();
  CHECK(absl::IsInvalidArgument(bad_salt));
  CHECK(bad_salt.message().find("commitment_salt") != std::string::npos);
  CHECK(absl::IsInvalidArgument(SubjectCommitment("short", "alice").status()));
  CHECK(absl::IsInvalidArgument(
      SubjectCommitment(std::string(32, 'o'), "").status()));
  CHECK(NewSubjectKey().size() == kSubjectKeyBytes);
  CHECK(NewCommitmentSalt().size() == kCommitmentSaltBytes);
  CHECK(NewSubjectKey() != NewSubjectKey());
}

TEST_CASE(
    "commitment: an entry's commitments are sorted and open per subject") {
  const std::string alice_key(32, 'a');
  const std::string bob_key(32, 'b');
  const std::string salt(16, 's');
  accord::v1::AuditEvent e;
  e.set_type(accord::v1::EVENT_TYPE_DECISION);
  e.add_subjects("alice");  // cleared: the entry names nobody
  REQUIRE(
      CommitSubjects({{"bob", bob_key}, {"alice", alice_key}}, salt, &e).ok());
  CHECK(e.subjects().empty());
  CHECK(e.subject_count() == 2);
  REQUIRE(e.subject_commitments_size() == 2);
  CHECK(e.subject_commitments(0) < e.subject_commitments(1));
  CHECK(e.commitment_salt() == salt);
  CHECK(CheckVersion2(e).ok());

  const std::string alice_opening = *SubjectOpening(alice_key, salt);
  CHECK(HasCommitment(e, alice_opening, "alice"));
  CHECK_FALSE(HasCommitment(e, alice_opening, "bob"));
  CHECK_FALSE(HasCommitment(e, *SubjectOpening(alice_key, std::string(16, 't')),
                            "alice"));
  CHECK(HasCommitmentOfKey(e, bob_key, "bob"));
  CHECK_FALSE(HasCommitmentOfKey(e, bob_key, "alice"));
  CHECK_FALSE(HasCommitmentOfKey(e, std::string(32, 'c'), "carol"));
  // The entry's bytes hold neither pseudonym nor key.
  const std::string entry = EncodeEntry(e);
  for (const std::string& secret : {std::string("alice"), std::string("bob"),
                                    alice_key, bob_key, alice_opening}) {
    CHECK(entry.find(secret) == std::string::npos);
  }

  accord::v1::AuditEvent none;
  REQUIRE(CommitSubjects({}, salt, &none).ok());
  CHECK(none.commitment_salt().empty());
  CHECK(none.subject_count() == 0);
  CHECK(CheckVersion2(none).ok());
}

}  // namespace
}  // namespace accord::auditlog
