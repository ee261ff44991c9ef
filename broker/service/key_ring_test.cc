#include "broker/service/key_ring.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/crypto/jwks.h"
#include "broker/crypto/jws.h"
#include "broker/service/receipt.h"
#include "broker/testing/temp_dir.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kStart = 1'700'000'000;

using Dir = ::accord::testing::TempDir;

KeySchedule Schedule() {
  KeySchedule s;
  s.prepublish_seconds = 600;
  s.retention_seconds = 3600;
  return s;
}

accord::v1::Consent SomeConsent() {
  accord::v1::Consent c;
  c.set_id("consent-1");
  c.set_subject("c3ViamVjdA");
  c.set_dataset_id("rennes.energy.household-consumption");
  c.set_purpose("research-and-development");
  c.mutable_recipient()->set_partner("partner-demo");
  c.set_state(accord::v1::CONSENT_STATE_GIVEN);
  return c;
}

std::vector<std::string> Kids(KeyRing& ring) {
  auto jwks = crypto::Jwks::Parse(ring.JwksJson());
  REQUIRE(jwks.ok());
  std::vector<std::string> kids;
  for (const auto& info : ring.List()) {
    if (jwks->Find(info.kid()) != nullptr) kids.push_back(info.kid());
  }
  return kids;
}

// Runs tests/verify_receipt.py (PyJWT) over `token` against the JWK Set in
// `jwks_file`, requiring the receipt audience and consent "consent-1";
// returns the exit status.
int VerifyWithPyJwt(const std::string& jwks_file, const std::string& token) {
  const char* source = std::getenv("ACCORD_SOURCE_DIR");
  const std::string command = absl::StrCat(
      "/usr/bin/python3 ", source != nullptr ? source : ".",
      "/tests/verify_receipt.py ", jwks_file, " ", token, " consent-1");
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_CASE("a receipt verifies after rotations that pruned the grant keys") {
  Dir dir;
  FakeClock clock(absl::FromUnixSeconds(kStart));
  auto grants = KeyRing::Open(dir.path() + "/grants", kGrantKeys, true,
                              Schedule(), &clock);
  auto receipts = KeyRing::Open(dir.path() + "/receipts", kReceiptKeys, true,
                                Schedule(), &clock);
  REQUIRE(grants.ok());
  REQUIRE(receipts.ok());
  const std::string old_grant_kid = (*grants)->Primary()->kid();
  const std::string old_receipt_kid = (*receipts)->Primary()->kid();
  // Receipts and grants never share a key.
  CHECK(old_grant_kid != old_receipt_kid);
  auto receipt = SignReceipt(*(*receipts)->Primary(), "accord", "producer-demo",
                             SomeConsent(), clock.NowSeconds());
  REQUIRE(receipt.ok());

  // Two rotations of each ring, each promoted, then far past retention.
  for (int i = 0; i < 2; ++i) {
    REQUIRE((*grants)->Rotate(crypto::Algorithm::kEdDSA).ok());
    REQUIRE((*receipts)->Rotate(crypto::Algorithm::kEdDSA).ok());
    clock.Advance(absl::Seconds(601));
    REQUIRE((*grants)->Primary()->kid() != old_grant_kid);
  }
  clock.Advance(absl::Hours(24 * 400));
  // The grant ring pruned its retired keys; the receipt ring kept them all.
  CHECK(Kids(**grants).size() == 1);
  CHECK(!fs::exists(
      absl::StrCat(dir.path(), "/grants/grant-", old_grant_kid, ".pem")));
  const std::vector<std::string> receipt_kids = Kids(**receipts);
  CHECK(receipt_kids.size() == 3);
  CHECK(std::find(receipt_kids.begin(), receipt_kids.end(), old_receipt_kid) !=
        receipt_kids.end());
  CHECK((*receipts)->Primary()->kid() != old_receipt_kid);

  // Reopened from disk: still every receipt key, still verifiable.
  receipts->reset();
  auto reopened = KeyRing::Open(dir.path() + "/receipts", kReceiptKeys, false,
                                Schedule(), &clock);
  REQUIRE(reopened.ok());
  const std::string jwks_json = (*reopened)->JwksJson();
  auto jwks = crypto::Jwks::Parse(jwks_json);
  REQUIRE(jwks.ok());
  crypto::JwsPolicy policy;
  policy.expected_typ = "consent-receipt+jwt";
  auto verified = crypto::VerifyJws(*receipt, *jwks, policy);
  REQUIRE(verified.ok());
  CHECK(verified->payload.GetString("aud").value() ==
        "urn:accord:consent-receipt");

  // And by PyJWT, a library Accord did not write.
  const std::string jwks_file = dir.path() + "/receipt-keys.json";
  std::ofstream(jwks_file) << jwks_json;
  CHECK(VerifyWithPyJwt(jwks_file, *receipt) == 0);
  // The same check refuses a receipt signed by a key not in that set.
  auto stranger = KeyRing::Open(dir.path() + "/stranger", kReceiptKeys, true,
                                Schedule(), &clock);
  REQUIRE(stranger.ok());
  auto foreign = SignReceipt(*(*stranger)->Primary(), "accord", "p",
                             SomeConsent(), clock.NowSeconds());
  REQUIRE(foreign.ok());
  CHECK(VerifyWithPyJwt(jwks_file, *foreign) != 0);
}

TEST_CASE("a new key ring directory and its key files are private") {
  Dir dir;
  FakeClock clock(absl::FromUnixSeconds(kStart));
  const std::string ring_dir = dir.path() + "/keys/receipts";
  auto ring = KeyRing::Open(ring_dir, kReceiptKeys, true, Schedule(), &clock);
  REQUIRE(ring.ok());
  struct stat st;
  REQUIRE(stat(ring_dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);
  const std::string key =
      absl::StrCat(ring_dir, "/receipt-", (*ring)->Primary()->kid(), ".pem");
  REQUIRE(stat(key.c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);
  // Not asked to create: a missing ring is NOT_FOUND.
  CHECK(absl::IsNotFound(KeyRing::Open(dir.path() + "/none", kReceiptKeys,
                                       false, Schedule(), &clock)
                             .status()));
  // A key file others may read stops the ring from opening.
  chmod(key.c_str(), 0644);
  ring->reset();
  auto reopened =
      KeyRing::Open(ring_dir, kReceiptKeys, false, Schedule(), &clock);
  CHECK(absl::IsFailedPrecondition(reopened.status()));
  // ring.json is the ring's alone too.
  REQUIRE(stat((ring_dir + "/ring.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);
}

TEST_CASE(
    "key files without their ring.json are a partial ring, never replaced") {
  Dir dir;
  FakeClock clock(absl::FromUnixSeconds(kStart));
  const std::string ring_dir = dir.path() + "/keys";
  std::string kid;
  {
    auto ring = KeyRing::Open(ring_dir, kGrantKeys, true, Schedule(), &clock);
    REQUIRE(ring.ok());
    kid = (*ring)->Primary()->kid();
  }
  REQUIRE(fs::remove(ring_dir + "/ring.json"));
  for (bool create : {false, true}) {
    auto partial =
        KeyRing::Open(ring_dir, kGrantKeys, create, Schedule(), &clock);
    INFO(partial.status());
    CHECK(absl::IsFailedPrecondition(partial.status()));
    CHECK(absl::StrContains(partial.status().message(), "partial"));
    CHECK(absl::StrContains(partial.status().message(), "grant-" + kid));
  }
  CHECK(!fs::exists(ring_dir + "/ring.json"));
  // Key files of another ring kind are not this ring's.
  CHECK(KeyRing::Open(ring_dir, kReceiptKeys, true, Schedule(), &clock).ok());
}

}  // namespace
}  // namespace accord::service
