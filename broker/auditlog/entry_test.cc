#include "broker/auditlog/entry.h"

#include <catch2/catch.hpp>

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
  e.add_subjects("p1");
  e.add_subjects("p2");
  (*e.mutable_detail())["zeta"] = "1";
  (*e.mutable_detail())["alpha"] = "2";
  (*e.mutable_detail())["mid"] = "3";
  e.add_reasons();
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
  CHECK(back->subjects_size() == 2);
  CHECK(EncodeEntry(*back) == bytes);

  const accord::v1::AuditEvent empty;
  absl::StatusOr<accord::v1::AuditEvent> empty_back =
      DecodeEntry(EncodeEntry(empty));
  REQUIRE(empty_back.ok());
  CHECK(EncodeEntry(empty) == std::string(1, '\x01'));
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
  auto code = [](absl::string_view b) { return DecodeEntry(b).status().code(); };
  const auto kBad = absl::StatusCode::kInvalidArgument;

  CHECK(code("") == kBad);
  CHECK(code(std::string("\x02") + good.substr(1)) == kBad);
  CHECK(code(std::string("\x00") + good.substr(1)) == kBad);
  CHECK(code(good.substr(1)) == kBad);                     // no version byte
  CHECK(code(good.substr(0, good.size() - 1)) == kBad);    // truncated
  CHECK(code(good + "\xff\xff\xff") == kBad);              // trailing garbage
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

}  // namespace
}  // namespace accord::auditlog
