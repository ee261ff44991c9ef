#include "broker/auditlog/entry.h"

#include <catch2/catch.hpp>

#include "broker/auditlog/commitment.h"
#include "google/protobuf/util/message_differencer.h"

namespace accord::auditlog {
namespace {

accord::v1::AuditEvent SampleEvent() {
  accord::v1::AuditEvent e;
  e.set_type(accord::v1::EVENT_TYPE_DECISION);
  e.set_time(1726500000);
  e.set_actor("partner:univ-rennes");
  e.set_dataset_id("rennes.mobility.bike-trips");
  e.set_purpose("research-and-development.academic-research");
  e.set_grant_id("g-0001");
  e.set_revision(42);
  (*e.mutable_detail())["zeta"] = "1";
  (*e.mutable_detail())["alpha"] = "2";
  (*e.mutable_detail())["mid"] = "3";
  e.add_reasons();
  const std::string salt(kCommitmentSaltBytes, 's');
  if (!CommitSubjects(
           {{"p1", std::string(32, '1')}, {"p2", std::string(32, '2')}}, salt,
           &e)
           .ok()) {
    FAIL("CommitSubjects");
  }
  return e;
}

// The same event as written before subject commitments (version 1).
accord::v1::AuditEvent SampleV1Event() {
  accord::v1::AuditEvent e = SampleEvent();
  e.clear_commitment_salt();
  e.clear_subject_commitments();
  e.clear_subject_count();
  e.set_actor("subject:p1");
  e.add_subjects("p1");
  e.add_subjects("p2");
  return e;
}

TEST_CASE("Entries round trip and start with the version byte", "[entry]") {
  const accord::v1::AuditEvent e = SampleEvent();
  const std::string bytes = EncodeEntry(e);
  REQUIRE(!bytes.empty());
  CHECK(static_cast<uint8_t>(bytes[0]) == kEntryVersion);
  absl::StatusOr<accord::v1::AuditEvent> back = DecodeEntry(bytes);
  REQUIRE(back.ok());
  CHECK(google::protobuf::util::MessageDifferencer::Equals(*back, e));
  CHECK(back->detail().at("alpha") == "2");
  CHECK(back->subjects_size() == 0);
  CHECK(back->subject_count() == 2);
  CHECK(EncodeEntry(*back) == bytes);

  const accord::v1::AuditEvent empty;
  absl::StatusOr<accord::v1::AuditEvent> empty_back =
      DecodeEntry(EncodeEntry(empty));
  REQUIRE(empty_back.ok());
  CHECK(EncodeEntry(empty) == std::string(1, '\x02'));
}

TEST_CASE("The encoding does not depend on map insertion order", "[entry]") {
  for (int round = 0; round < 5; ++round) {
    accord::v1::AuditEvent a;
    accord::v1::AuditEvent b;
    for (int i = 0; i < 20; ++i) {
      (*a.mutable_detail())["k" + std::to_string(i)] = std::to_string(i);
      (*b.mutable_detail())["k" + std::to_string(19 - i)] =
          std::to_string(19 - i);
    }
    CHECK(EncodeEntry(a) == EncodeEntry(b));
  }
}

TEST_CASE("DecodeEntry rejects garbage and non-canonical bytes", "[entry]") {
  const std::string good = EncodeEntry(SampleEvent());
  auto code = [](absl::string_view b) {
    return DecodeEntry(b).status().code();
  };
  const auto kBad = absl::StatusCode::kInvalidArgument;

  CHECK(code("") == kBad);
  CHECK(code(std::string("\x03") + good.substr(1)) == kBad);
  // Commitments in a version 1 entry.
  CHECK(code(std::string("\x01") + good.substr(1)) == kBad);
  CHECK(code(std::string("\x00") + good.substr(1)) == kBad);
  CHECK(code(good.substr(1)) == kBad);                   // no version byte
  CHECK(code(good.substr(0, good.size() - 1)) == kBad);  // truncated
  CHECK(code(good + "\xff\xff\xff") == kBad);            // trailing garbage
  // An unknown field (number 99, varint 1) is not canonical.
  CHECK(code(good + std::string("\x98\x06\x01", 3)) == kBad);
  // A default value written explicitly: type = 0.
  CHECK(code(std::string("\x01\x08\x00", 3)) == kBad);
  // Fields out of order: time (2) before type (1).
  CHECK(code(std::string("\x01\x10\x05\x08\x01", 5)) == kBad);
  // The same fields in order are canonical.
  CHECK(DecodeEntry(std::string("\x01\x08\x01\x10\x05", 5)).ok());
  // A non-minimal varint: time = 5 written in two bytes.
  CHECK(code(std::string("\x01\x10\x85\x00", 4)) == kBad);
  // Too large.
  accord::v1::AuditEvent big;
  big.set_actor(std::string(kMaxEntryBytes, 'a'));
  CHECK(code(EncodeEntry(big)) == kBad);
  CHECK(code(std::string(kMaxEntryBytes + 1, '\x01')) == kBad);
}

TEST_CASE("EncodeCheckedEntry accepts exactly what DecodeEntry accepts",
          "[entry]") {
  const accord::v1::AuditEvent e = SampleEvent();
  absl::StatusOr<std::string> checked = EncodeCheckedEntry(e);
  REQUIRE(checked.ok());
  CHECK(*checked == EncodeEntry(e));
  CHECK(DecodeEntry(*checked).ok());

  // An event parsed from bytes with an unknown field keeps it.
  accord::v1::AuditEvent with_unknown;
  REQUIRE(with_unknown.ParseFromString(std::string("\x08\x01\x98\x06\x01", 5)));
  CHECK(EncodeCheckedEntry(with_unknown).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(DecodeEntry(EncodeEntry(with_unknown)).ok());

  accord::v1::AuditEvent bad_utf8;
  bad_utf8.set_purpose("\xc3\x28");
  CHECK(EncodeCheckedEntry(bad_utf8).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(DecodeEntry(EncodeEntry(bad_utf8)).ok());

  accord::v1::AuditEvent big;
  big.set_actor(std::string(kMaxEntryBytes, 'a'));
  CHECK(EncodeCheckedEntry(big).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Version 1 entries still decode and keep their bytes", "[entry]") {
  const accord::v1::AuditEvent old = SampleV1Event();
  const std::string bytes = EncodeEntry(old, kEntryVersion1);
  CHECK(EntryVersion(bytes) == kEntryVersion1);
  absl::StatusOr<accord::v1::AuditEvent> back = DecodeEntry(bytes);
  REQUIRE(back.ok());
  CHECK(back->subjects_size() == 2);
  CHECK(back->actor() == "subject:p1");
  CHECK(EncodeEntry(*back, kEntryVersion1) == bytes);
  // The same body is not a valid version 2 entry: it names pseudonyms.
  CHECK_FALSE(DecodeEntry(EncodeEntry(old)).ok());
  // New entries cannot be written the old way.
  CHECK(absl::IsInvalidArgument(EncodeCheckedEntry(old).status()));
}

TEST_CASE("A version 2 entry naming a pseudonym is rejected", "[entry]") {
  auto rejected = [](const accord::v1::AuditEvent& e, absl::string_view field) {
    absl::Status checked = EncodeCheckedEntry(e).status();
    CHECK(absl::IsInvalidArgument(checked));
    CHECK(checked.message().find(field) != absl::string_view::npos);
    absl::Status decoded = DecodeEntry(EncodeEntry(e)).status();
    CHECK(absl::IsInvalidArgument(decoded));
    CHECK(decoded.message().find(field) != absl::string_view::npos);
  };
  accord::v1::AuditEvent e = SampleEvent();
  SECTION("in subjects") {
    e.add_subjects("p1");
    rejected(e, "subjects");
  }
  SECTION("as a subject actor") {
    e.set_actor("subject:p1");
    rejected(e, "actor");
  }
  SECTION("a count that differs") {
    e.set_subject_count(3);
    rejected(e, "subject_count");
  }
  SECTION("unsorted commitments") {
    e.mutable_subject_commitments()->SwapElements(0, 1);
    rejected(e, "subject_commitments");
  }
  SECTION("a short commitment") {
    e.set_subject_commitments(0, "short");
    rejected(e, "subject_commitments");
  }
  SECTION("a salt without commitments") {
    e.clear_subject_commitments();
    e.set_subject_count(0);
    rejected(e, "commitment_salt");
  }
  SECTION("commitments without their salt") {
    e.clear_commitment_salt();
    rejected(e, "commitment_salt");
  }
}

}  // namespace
}  // namespace accord::auditlog
