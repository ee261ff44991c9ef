#include "clients/examples/record_access.h"

#include <catch2/catch.hpp>

#include "clients/examples/household_records.h"

namespace accord::examples {
namespace {

verifier::Grant HouseholdGrant() {
  verifier::Grant g;
  g.dataset = kHouseholdDataset;
  g.fields = {"subject", "day", "kwh"};
  g.has_subjects = true;
  g.subjects = {"alice", "carol"};
  return g;
}

const std::vector<std::string> kKnown = {"alice", "bob", "carol"};

TEST_CASE("records are deterministic and carry every dataset field") {
  auto a = HouseholdRecordsFor("alice");
  REQUIRE(a.size() == 3);
  CHECK(a == HouseholdRecordsFor("alice"));
  CHECK(a != HouseholdRecordsFor("bob"));
  for (const std::string& f : HouseholdFields()) CHECK(a[0].count(f) == 1);
}

TEST_CASE("only the granted subjects and fields are served") {
  auto served = ServeRecords(HouseholdGrant(), {}, kKnown);
  REQUIRE(served.ok());
  CHECK(served->fields == std::vector<std::string>{"subject", "day", "kwh"});
  REQUIRE(served->records.size() == 6);  // alice and carol, 3 days each
  for (const HouseholdRecord& r : served->records) {
    CHECK(r.size() == 3);
    CHECK(r.count("tariff") == 0);
    CHECK(r.count("household_id") == 0);
    CHECK(r.at("subject") != "bob");
  }
}

TEST_CASE("a narrower request is served narrower") {
  auto served = ServeRecords(HouseholdGrant(), {{"kwh"}, {"carol"}}, kKnown);
  REQUIRE(served.ok());
  CHECK(served->fields == std::vector<std::string>{"kwh"});
  REQUIRE(served->records.size() == 3);
  CHECK(served->records[0].size() == 1);
}

TEST_CASE("a field, subject or dataset outside the grant is refused") {
  auto field = ServeRecords(HouseholdGrant(), {{"kwh", "tariff"}, {}}, kKnown);
  REQUIRE_FALSE(field.ok());
  CHECK(field.status().code() == absl::StatusCode::kPermissionDenied);
  auto subject = ServeRecords(HouseholdGrant(), {{}, {"alice", "bob"}}, kKnown);
  REQUIRE_FALSE(subject.ok());
  CHECK(subject.status().code() == absl::StatusCode::kPermissionDenied);
  verifier::Grant other = HouseholdGrant();
  other.dataset = "rennes.mobility.bike-stations";
  CHECK(ServeRecords(other, {}, kKnown).status().code() ==
        absl::StatusCode::kPermissionDenied);
  verifier::Grant nobody = HouseholdGrant();
  nobody.has_subjects = false;
  nobody.subjects.clear();
  CHECK(ServeRecords(nobody, {}, kKnown).status().code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("granted subjects the service does not hold yield no records") {
  verifier::Grant g = HouseholdGrant();
  g.subjects = {"dave"};
  auto served = ServeRecords(g, {}, kKnown);
  REQUIRE(served.ok());
  CHECK(served->records.empty());
}

}  // namespace
}  // namespace accord::examples
