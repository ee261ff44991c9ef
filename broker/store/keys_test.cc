#include "broker/store/keys.h"

#include <catch2/catch.hpp>

namespace accord::store::keys {
namespace {

TEST_CASE("big-endian integers sort like numbers") {
  CHECK(BE64(1) < BE64(2));
  CHECK(BE64(255) < BE64(256));
  CHECK(ReadBE64(BE64(0x0102030405060708ull)) == 0x0102030405060708ull);
  CHECK(Policy("d", 2) < Policy("d", 10));
}

TEST_CASE("a subject's grants list newest first") {
  CHECK(GrantBySubject("s", 10, "a") < GrantBySubject("s", 9, "a"));
}

TEST_CASE("prefix ends bound every key of the prefix") {
  CHECK(PrefixEnd("ab") == "ac");
  CHECK(PrefixEnd(std::string("a\xff", 2)) == "b");
  CHECK(PrefixEnd("").empty());
  const std::string p = ConsentByDatasetSubjectPrefix("d", "s");
  CHECK(ConsentByDatasetSubject("d", "s", "zz") < PrefixEnd(p));
  CHECK(ConsentByDatasetSubject("d", "s2", "a") >= PrefixEnd(p));
}

TEST_CASE("index scans stay within the prefix the Bloom filters are built on") {
  // Every scan prefix is exactly the filter prefix of the keys it lists.
  const std::string consents = ConsentByDatasetSubjectPrefix("d", "s");
  CHECK(IndexScanPrefixLength(consents) == consents.size());
  CHECK(IndexScanPrefixLength(ConsentByDatasetSubject("d", "s", "c")) ==
        consents.size());
  const std::string by_subject = ConsentBySubjectPrefix("s");
  CHECK(IndexScanPrefixLength(ConsentBySubject("s", "c")) == by_subject.size());
  const std::string grants = GrantBySubjectPrefix("s");
  CHECK(IndexScanPrefixLength(GrantBySubject("s", 7, "g")) == grants.size());
  CHECK(IndexScanPrefixLength(GrantByPartner("p", 7, "g")) ==
        std::string("Pp").size() + 1);
  // Point-read and other kinds have no filter prefix; neither has a 'D'
  // key cut short (a scan over a whole dataset).
  CHECK(IndexScanPrefixLength(PrincipalByUri("spiffe://x")) == 0);
  CHECK(IndexScanPrefixLength(QuotaUses("p", "d", "r", 0)) == 0);
  CHECK(IndexScanPrefixLength(Revocation(1, 0)) == 0);
  CHECK(IndexScanPrefixLength(std::string("Dd\0", 3)) == 0);
  CHECK(IndexScanPrefixLength("") == 0);
}

}  // namespace
}  // namespace accord::store::keys
