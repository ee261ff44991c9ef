#include "broker/auditlog/event_filter.h"

#include <catch2/catch.hpp>

#include "broker/auditlog/commitment.h"

namespace accord::auditlog {
namespace {

accord::v1::AuditEvent Decision() {
  accord::v1::AuditEvent e;
  e.set_type(accord::v1::EVENT_TYPE_DECISION);
  e.set_time(1000);
  e.set_actor("partner-demo");
  e.set_dataset_id("rennes.energy.household-consumption");
  e.set_purpose("research-and-development.academic-research");
  e.set_decision(accord::v1::OUTCOME_PERMIT);
  e.add_subjects("alice");
  e.add_subjects("bob");
  return e;
}

TEST_CASE("an empty query matches every event") {
  CHECK(EventMatches(accord::v1::QueryEventsRequest(), Decision()));
  CHECK(
      EventMatches(accord::v1::QueryEventsRequest(), accord::v1::AuditEvent()));
}

TEST_CASE("each filter keeps matching events and drops the others") {
  const accord::v1::AuditEvent e = Decision();
  accord::v1::QueryEventsRequest q;
  SECTION("partner") {
    q.set_partner("partner-demo");
    CHECK(EventMatches(q, e));
    q.set_partner("partner-other");
    CHECK_FALSE(EventMatches(q, e));
  }
  SECTION("partner named as a consent's recipient") {
    accord::v1::AuditEvent consent;
    consent.set_type(accord::v1::EVENT_TYPE_CONSENT);
    consent.set_actor("subject:alice");
    (*consent.mutable_detail())["recipient"] = "partner-demo";
    q.set_partner("partner-demo");
    CHECK(EventMatches(q, consent));
  }
  SECTION("dataset") {
    q.set_dataset_id("rennes.energy.household-consumption");
    CHECK(EventMatches(q, e));
    q.set_dataset_id("rennes.energy");
    CHECK_FALSE(EventMatches(q, e));
  }
  SECTION("subject of a version 1 event") {
    q.set_subject("bob");
    CHECK(EventMatches(q, e));
    q.set_subject("carol");
    CHECK_FALSE(EventMatches(q, e));
  }
  SECTION("subject of a version 2 event, with the subject's key") {
    const std::string bob_key(32, 'b');
    accord::v1::AuditEvent v2 = e;
    v2.clear_subjects();
    REQUIRE(CommitSubjects({{"alice", std::string(32, 'a')}, {"bob", bob_key}},
                           std::string(16, 's'), &v2)
                .ok());
    q.set_subject("bob");
    CHECK(EventMatches(q, v2, bob_key));
    CHECK_FALSE(EventMatches(q, v2));  // no key: no match
    CHECK_FALSE(EventMatches(q, v2, std::string(32, 'x')));
    q.set_subject("carol");
    CHECK_FALSE(EventMatches(q, v2, bob_key));
  }
  SECTION("purpose matches itself and what is below it, not a prefix") {
    q.set_purpose("research-and-development");
    CHECK(EventMatches(q, e));
    q.set_purpose("research-and-development.academic-research");
    CHECK(EventMatches(q, e));
    q.set_purpose("research-and-dev");
    CHECK_FALSE(EventMatches(q, e));
    q.set_purpose("commercial");
    CHECK_FALSE(EventMatches(q, e));
  }
  SECTION("decision") {
    q.set_decision(accord::v1::OUTCOME_PERMIT);
    CHECK(EventMatches(q, e));
    q.set_decision(accord::v1::OUTCOME_DENY);
    CHECK_FALSE(EventMatches(q, e));
  }
  SECTION("type") {
    q.set_type(accord::v1::EVENT_TYPE_DECISION);
    CHECK(EventMatches(q, e));
    q.set_type(accord::v1::EVENT_TYPE_CONSENT);
    CHECK_FALSE(EventMatches(q, e));
  }
  SECTION("time range is inclusive") {
    q.set_since(1000);
    q.set_until(1000);
    CHECK(EventMatches(q, e));
    q.set_since(1001);
    q.set_until(0);
    CHECK_FALSE(EventMatches(q, e));
    q.set_since(0);
    q.set_until(999);
    CHECK_FALSE(EventMatches(q, e));
  }
  SECTION("filters combine with AND") {
    q.set_partner("partner-demo");
    q.set_decision(accord::v1::OUTCOME_DENY);
    CHECK_FALSE(EventMatches(q, e));
  }
}

TEST_CASE("scan cursors round-trip and reject anything else") {
  CHECK(*DecodeScanCursor("") == 0);
  CHECK(*DecodeScanCursor(EncodeScanCursor(0)) == 0);
  CHECK(*DecodeScanCursor(EncodeScanCursor(123456789)) == 123456789);
  for (const char* bad :
       {"123", "i1.", "i1.-1", "i1.1x", "i2.5", "i1.99999999999999999999"}) {
    CHECK(absl::IsInvalidArgument(DecodeScanCursor(bad).status()));
  }
}

}  // namespace
}  // namespace accord::auditlog
