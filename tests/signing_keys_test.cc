// Signing keys against the real broker: receipts signed by keys of their
// own that outlive every rotation and are never taken for grants; the
// broker-wide grant lifetime cap; removing a partner revokes its grants;
// private key files and backups.
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "accord/v1/trust.grpc.pb.h"
#include "broker/formats/base64url.h"
#include "broker/formats/json.h"
#include "tests/broker_harness.h"
#include "tests/cli_refusal.h"
#include "tests/keys_identity_common.h"
#include "tests/tls_callers.h"

namespace accord::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = accord::v1;

constexpr char kHousehold[] = "rennes.energy.household-consumption";
constexpr char kBikes[] = "rennes.mobility.bike-stations";
constexpr char kAudience[] = "data.rennes.example";
constexpr char kReceiptAudience[] = "urn:accord:consent-receipt";

// A JSON number (revisions are numbers, never strings) as decimal text; ""
// when absent or of another type.
std::string Num(const formats::JsonValue& v, absl::string_view key) {
  const formats::JsonValue* at = v.Find(key);
  return at != nullptr && at->AsInt64().has_value()
             ? std::to_string(*at->AsInt64())
             : "";
}

std::string TokenOf(const CliResult& r) {
  const formats::JsonValue* grants = r.json.Find("grants");
  if (grants == nullptr || grants->AsArray() == nullptr ||
      grants->AsArray()->empty()) {
    return "";
  }
  return Str(grants->AsArray()->at(0), {"token"});
}

std::string JwksUrl(const BrokerProcess& broker, absl::string_view path) {
  return absl::StrCat("http://", broker.http_address(), path);
}

// The kids of the JWK Set at `url`, via PyJWT's own fetch.
std::vector<std::string> KidsAt(const std::string& url) {
  CliResult r = Run("/usr/bin/python3",
                    {"-c",
                     "import json, sys, urllib.request\n"
                     "keys = json.load(urllib.request.urlopen(sys.argv[1]))\n"
                     "print(json.dumps({'kids': [k['kid'] for k in "
                     "keys['keys']]}))\n",
                     url});
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> kids;
  for (const auto& k : *r.json.Find("kids")->AsArray()) {
    kids.push_back(*k.AsString());
  }
  return kids;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

CliResult GiveConsent(const BrokerProcess& broker, const std::string& citizen) {
  return broker.Cli({"consent", "give", "--citizen", citizen, "--dataset",
                     kHousehold, "--purpose", "research-and-development",
                     "--partner", "partner-demo", "--output", "json"});
}

CliResult RequestBikes(const BrokerProcess& broker, const std::string& as,
                       const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {
      "grant",      "request",   "--dataset",
      kBikes,       "--purpose", "service-provision",
      "--audience", kAudience,   "--as",
      as,           "--output",  "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return broker.Cli(args);
}

// tests/verify_receipt.py (PyJWT) over a receipt against the receipt JWKS,
// requiring its audience.
CliResult PyJwtReceipt(const std::string& jwks_url, const std::string& token) {
  return Run("/usr/bin/python3",
             {SourceDir() + "/tests/verify_receipt.py", jwks_url, token});
}

TEST_CASE("receipts outlive grant key rotation and are never grants",
          "[keys]") {
  TempDir dir;
  // The default schedule (600 s before a key signs, retired grant keys
  // kept 3600 + 60 s), crossed by moving the broker's clock.
  BrokerProcess broker(dir.path() + "/var");
  broker.use_movable_clock();
  REQUIRE(broker.Start().ok());
  const std::string grant_jwks = JwksUrl(broker, "/.well-known/jwks.json");
  const std::string receipt_jwks =
      JwksUrl(broker, "/.well-known/receipt-keys.json");

  CliResult given = GiveConsent(broker, "alice");
  INFO(given.err);
  REQUIRE(given.exit_code == 0);
  const std::string receipt = Str(given.json, {"receipt"});
  REQUIRE(!receipt.empty());
  auto header_text =
      formats::Base64UrlDecode(receipt.substr(0, receipt.find('.')));
  REQUIRE(header_text.ok());
  auto parsed_header = formats::ParseJson(*header_text);
  REQUIRE(parsed_header.ok());
  const formats::JsonValue& header = *parsed_header;
  CHECK(Str(&header, "typ") == "consent-receipt+jwt");
  CHECK(Str(ClaimsOf(receipt), {"aud"}) == kReceiptAudience);
  const std::string receipt_kid = Str(&header, "kid");
  const std::vector<std::string> grant_kids = KidsAt(grant_jwks);
  REQUIRE(grant_kids.size() == 1);
  // A key of its own: not in the grant JWKS, in the receipt JWKS, which is
  // also what TrustService returns.
  CHECK(!Contains(grant_kids, receipt_kid));
  CHECK(Contains(KidsAt(receipt_jwks), receipt_kid));
  auto partner = DevIdentity(broker.data_dir(), "partner-demo");
  REQUIRE(partner.ok());
  v1::GetVerificationKeysResponse keys;
  REQUIRE(KeysAs(broker, *partner, &keys) == grpc::StatusCode::OK);
  CHECK(absl::StrContains(keys.receipt_jwks(), receipt_kid));
  CHECK(!absl::StrContains(keys.jwks(), receipt_kid));

  // Rotate the grant key and move the clock until the old one has left
  // the JWKS.
  CliResult rotated = broker.Cli({"admin", "keys", "rotate", "--alg", "EdDSA",
                                  "--as", "operator", "--output", "json"});
  INFO(rotated.err);
  REQUIRE(rotated.exit_code == 0);
  // Reading the JWKS applies each change the clock has reached.
  REQUIRE(broker.AdvanceClock(absl::Seconds(601)).ok());
  CHECK(Contains(KidsAt(grant_jwks), grant_kids[0]));  // retired, kept
  REQUIRE(broker.AdvanceClock(absl::Seconds(3661)).ok());
  REQUIRE(!Contains(KidsAt(grant_jwks), grant_kids[0]));
  // Back to real time, which PyJWT and the CLI's citizen tokens read.
  REQUIRE(broker.SetClockOffset(absl::ZeroDuration()).ok());

  // The receipt from before still verifies, with PyJWT and with the CLI.
  CliResult verified = PyJwtReceipt(receipt_jwks, receipt);
  INFO(verified.err);
  REQUIRE(verified.exit_code == 0);
  CHECK(Str(verified.json, {"consent_id"}) ==
        Str(given.json, {"consent", "id"}));
  CliResult shown =
      broker.Cli({"consent", "show", Str(given.json, {"consent", "id"}),
                  "--receipt", "--citizen", "alice"});
  INFO(shown.err);
  CHECK(shown.exit_code == 0);

  // Rotating the receipt key: new receipts get the new key, the old key
  // stays published, the old receipt still verifies.
  CliResult receipts_rotated =
      broker.Cli({"admin", "keys", "rotate", "--receipts", "--as", "operator"});
  INFO(receipts_rotated.err);
  REQUIRE(receipts_rotated.exit_code == 0);
  // Past its pre-publication delay the new receipt key signs (the receipt
  // JWKS read applies it); back to real time, a fresh receipt has it.
  REQUIRE(broker.AdvanceClock(absl::Seconds(601)).ok());
  CHECK(Contains(KidsAt(receipt_jwks), receipt_kid));
  REQUIRE(broker.SetClockOffset(absl::ZeroDuration()).ok());
  CliResult fresh =
      broker.Cli({"consent", "show", Str(given.json, {"consent", "id"}),
                  "--receipt", "--citizen", "alice", "--output", "json"});
  INFO(fresh.err);
  REQUIRE(fresh.exit_code == 0);
  const std::string fresh_receipt = Str(fresh.json, {"receipt"});
  auto h_text = formats::Base64UrlDecode(
      fresh_receipt.substr(0, fresh_receipt.find('.')));
  REQUIRE(h_text.ok());
  auto h = formats::ParseJson(*h_text);
  REQUIRE(h.ok());
  const std::string new_receipt_kid = Str(&*h, "kid");
  CHECK(new_receipt_kid != receipt_kid);
  const std::vector<std::string> receipt_kids = KidsAt(receipt_jwks);
  CHECK(Contains(receipt_kids, receipt_kid));
  CHECK(Contains(receipt_kids, new_receipt_kid));
  CHECK(PyJwtReceipt(receipt_jwks, receipt).exit_code == 0);

  // No grant verifier takes a receipt for a grant: not `accord grant
  // verify` against either key set, whatever the audience asked, nor
  // PyJWT checking a grant's claims.
  for (const std::string& jwks : {receipt_jwks, grant_jwks}) {
    for (const std::string& audience :
         {std::string(kReceiptAudience), std::string(kAudience)}) {
      INFO(jwks << " " << audience);
      CliResult r =
          broker.Cli({"grant", "verify", receipt, "--jwks", jwks, "--jwks-http",
                      "loopback", "--audience", audience});
      INFO(r.err);
      CHECK(r.exit_code == 1);  // refused, not a usage error
      CHECK(r.err.find("UNAUTHENTICATED") != std::string::npos);
      CHECK(r.err.find("\"typ\" is not the expected type") !=
            std::string::npos);
    }
  }
  CliResult pyjwt =
      Run("/usr/bin/python3", {SourceDir() + "/tests/verify_grant.py",
                               receipt_jwks, kReceiptAudience, receipt});
  INFO(pyjwt.err);
  CHECK(pyjwt.exit_code == 1);
  CHECK(pyjwt.err.find("rejected:") != std::string::npos);
}

TEST_CASE("max_grant_lifetime_seconds caps every grant whatever the policy",
          "[keys]") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var",
                       {"--max-grant-lifetime-seconds", "120"});
  REQUIRE(broker.Start().ok());
  auto lifetime = [](const CliResult& r) {
    const formats::JsonValue claims = ClaimsOf(TokenOf(r));
    return *claims.Find("exp")->AsInt64() - *claims.Find("iat")->AsInt64();
  };
  // The bike-stations policy allows 300 s; nothing asked: the cap.
  CliResult plain = RequestBikes(broker, "partner-demo");
  INFO(plain.err);
  REQUIRE(plain.exit_code == 0);
  CHECK(lifetime(plain) == 120);
  // Asked for less: what was asked.
  CliResult shorter =
      RequestBikes(broker, "partner-demo", {"--lifetime", "90"});
  REQUIRE(shorter.exit_code == 0);
  CHECK(lifetime(shorter) == 90);
  // Asked for more than the cap: refused, naming the field.
  CliResult longer =
      RequestBikes(broker, "partner-demo", {"--lifetime", "200"});
  CHECK(Refused(longer, "INVALID_ARGUMENT"));
  CHECK(absl::StrContains(longer.err, "lifetime_seconds"));
}

TEST_CASE("removing a partner revokes its live grants in the same commit",
          "[keys]") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const std::string pki = broker.data_dir() + "/dev-pki";
  IssueInto(broker.data_dir(), pki, "partner-two",
            {"urn:accord:principal:partner-two"});
  CliResult added =
      broker.Cli({"admin", "principal", "add", "--id", "partner-two", "--role",
                  "partner", "--category", "academic", "--cert-uri",
                  "urn:accord:principal:partner-two", "--as", "operator"});
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  CliResult first = RequestBikes(broker, "partner-two");
  CliResult second = RequestBikes(broker, "partner-two");
  CliResult released = RequestBikes(broker, "partner-two");
  CliResult other = RequestBikes(broker, "partner-demo");
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  REQUIRE(second.exit_code == 0);
  REQUIRE(released.exit_code == 0);
  REQUIRE(other.exit_code == 0);
  auto id_of = [](const CliResult& r) {
    const formats::JsonValue* grants = r.json.Find("grants");
    REQUIRE(grants != nullptr);
    REQUIRE(grants->AsArray() != nullptr);
    REQUIRE(!grants->AsArray()->empty());
    return Str(grants->AsArray()->at(0), {"id"});
  };
  REQUIRE(
      broker.Cli({"grant", "release", id_of(released), "--as", "partner-two"})
          .exit_code == 0);

  CliResult removed = broker.Cli({"admin", "principal", "remove", "partner-two",
                                  "--as", "operator", "--output", "json"});
  INFO(removed.err);
  REQUIRE(removed.exit_code == 0);
  const std::string revision = Num(removed.json, "revision");
  REQUIRE(!revision.empty());
  // The revocation was committed at the removal's revision (an auditor
  // sees every revocation; partner-demo would see none of partner-two's).
  const std::string before = absl::StrCat(std::stoull(revision) - 1);
  CliResult watched = broker.Cli({"revocations", "watch", "--after", before,
                                  "--count", "1", "--timeout", "30", "--as",
                                  "auditor-demo", "--output", "json"});
  INFO(watched.err);
  REQUIRE(watched.exit_code == 0);
  CHECK(Str(watched.json, {"cause"}) == "principal_removed");
  CHECK(Num(watched.json, "revision") == revision);
  std::vector<std::string> ids;
  for (const auto& id : *watched.json.Find("grant_ids")->AsArray()) {
    ids.push_back(*id.AsString());
  }
  CHECK(ids.size() == 2);
  CHECK(Contains(ids, id_of(first)));
  CHECK(Contains(ids, id_of(second)));
  CHECK(!Contains(ids, id_of(other)));
  // And the removed partner is no one any more.
  CHECK(Refused(RequestBikes(broker, "partner-two"), "UNAUTHENTICATED"));
}

TEST_CASE(
    "backups are private, and a readable TLS key or a missing receipt "
    "ring stops the start",
    "[keys]") {
  TempDir dir;
  const std::string data = dir.path() + "/var";
  {
    BrokerProcess broker(data);
    REQUIRE(broker.Start().ok());
    const std::string backup = dir.path() + "/backup";
    CliResult r = broker.Cli({"admin", "backup", backup, "--as", "operator"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    struct stat st;
    REQUIRE(stat(backup.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    int files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(backup)) {
      REQUIRE(stat(entry.path().c_str(), &st) == 0);
      INFO(entry.path());
      CHECK((st.st_mode & 0777) == (entry.is_directory() ? 0700 : 0600));
      ++files;
    }
    CHECK(files > 0);
    REQUIRE(broker.Stop() == 0);
  }
  auto start = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "120",         BinDir() + "/accord-broker",
        "--dev",       data,
        "--grpc-addr", absl::StrCat("127.0.0.1:", FreePort()),
        "--http-addr", absl::StrCat("127.0.0.1:", FreePort())};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run("/usr/bin/timeout", args);
  };
  // A TLS key others may read: refused, in dev mode too, naming the file.
  const std::string tls_key = data + "/dev-pki/server.key";
  fs::permissions(tls_key, fs::perms::group_read | fs::perms::others_read,
                  fs::perm_options::add);
  CliResult readable = start({});
  CHECK(readable.exit_code == 1);  // refused, not hung (124) nor crashed
  CHECK(absl::StrContains(readable.err, tls_key));
  fs::permissions(tls_key, fs::perms::owner_read | fs::perms::owner_write);

  // Keys made before receipts had their own: outside dev mode the start is
  // refused saying how to create them; dev mode creates them.
  fs::remove_all(data + "/keys/receipts");
  const std::string pki = data + "/dev-pki";
  CliResult production = Run(
      "/usr/bin/timeout",
      {"120", BinDir() + "/accord-broker", "--data-dir", data, "--grpc-addr",
       absl::StrCat("127.0.0.1:", FreePort()), "--http-addr",
       absl::StrCat("127.0.0.1:", FreePort()), "--tls-ca", pki + "/ca.pem",
       "--tls-cert", pki + "/server.pem", "--tls-key", pki + "/server.key"});
  CHECK(production.exit_code == 1);  // refused, not hung nor crashed
  CHECK(absl::StrContains(production.err, "create-receipt-keys"));
  CHECK(!fs::exists(data + "/keys/receipts"));
  BrokerProcess again(data);
  REQUIRE(again.Start().ok());
  CHECK(KidsAt(JwksUrl(again, "/.well-known/receipt-keys.json")).size() == 1);
}

}  // namespace
}  // namespace accord::testing
