// Signing keys and caller identities against the real broker: receipts
// signed by keys of their own that outlive every rotation and are never
// taken for grants; the broker-wide grant lifetime cap; removing a partner
// revokes its grants; certificate URIs under the trust domain, unique, and
// never identifying an operator or auditor; citizen tokens bound to the app
// they were minted for; private key files and backups.
#include <grpcpp/client_context.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "accord/v1/admin.grpc.pb.h"
#include "accord/v1/trust.grpc.pb.h"
#include "broker/formats/base64url.h"
#include "broker/dev/dev_pki.h"
#include "broker/formats/json.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/signing_key.h"
#include "broker/crypto/x509.h"
#include "tests/broker_harness.h"
#include "tests/cli_refusal.h"
#include "tests/tls_callers.h"

namespace accord::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = accord::v1;

constexpr char kHousehold[] = "rennes.energy.household-consumption";
constexpr char kBikes[] = "rennes.mobility.bike-stations";
constexpr char kAudience[] = "data.rennes.example";
constexpr char kReceiptAudience[] = "urn:accord:consent-receipt";

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string Str(const formats::JsonValue* v, absl::string_view key) {
  if (v == nullptr) return "";
  return v->GetString(key).value_or("");
}

std::string Str(const formats::JsonValue& v,
                std::initializer_list<absl::string_view> path) {
  const formats::JsonValue* at = &v;
  for (absl::string_view key : path) {
    if (at == nullptr) return "";
    at = at->Find(key);
  }
  return at != nullptr && at->AsString() != nullptr ? *at->AsString() : "";
}

// A JSON number (revisions are numbers, never strings) as decimal text; ""
// when absent or of another type.
std::string Num(const formats::JsonValue& v, absl::string_view key) {
  const formats::JsonValue* at = v.Find(key);
  return at != nullptr && at->AsInt64().has_value()
             ? std::to_string(*at->AsInt64())
             : "";
}

// The claims of a compact JWS, unverified.
formats::JsonValue ClaimsOf(const std::string& token) {
  const size_t a = token.find('.');
  const size_t b = token.find('.', a + 1);
  auto payload = formats::Base64UrlDecode(token.substr(a + 1, b - a - 1));
  REQUIRE(payload.ok());
  auto json = formats::ParseJson(*payload);
  REQUIRE(json.ok());
  return *std::move(json);
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

// A certificate of the broker's dev CA with `uris` as SAN URIs, written as
// DIR/NAME.pem + NAME.key (DIR = the dev PKI directory when `into_pki`, so
// `accord --as NAME` presents it). Returns its SHA-256 (lowercase hex).
std::string IssueInto(const std::string& data_dir, const std::string& dir,
                      const std::string& name,
                      const std::vector<std::string>& uris) {
  auto ca = dev::ReadIssuedCertificate(data_dir + "/dev-pki", "ca");
  REQUIRE(ca.ok());
  dev::CertificateSpec spec;
  spec.common_name = name;
  spec.uri_sans = uris;
  spec.usage = dev::CertificateSpec::Usage::kClient;
  spec.not_before = Now() - 60;
  spec.not_after = Now() + 86400;
  auto leaf = dev::IssueCertificate(*ca, spec);
  REQUIRE(leaf.ok());
  REQUIRE(dev::WriteIssuedCertificate(*leaf, dir, name).ok());
  auto info = crypto::ParseCertificatePem(ReadAll(dir + "/" + name + ".pem"));
  REQUIRE(info.ok());
  return info->sha256_hex;
}

ClientIdentity IdentityIn(const std::string& dir, const std::string& name) {
  return {ReadAll(dir + "/" + name + ".pem"),
          ReadAll(dir + "/" + name + ".key")};
}

// GetVerificationKeys as `identity`: its status, and the response.
grpc::StatusCode KeysAs(const BrokerProcess& broker,
                        const ClientIdentity& identity,
                        v1::GetVerificationKeysResponse* response = nullptr) {
  auto ca = DevCaPem(broker.data_dir());
  REQUIRE(ca.ok());
  auto stub = v1::TrustService::NewStub(
      OpenChannel(broker.grpc_address(), *ca, identity));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::GetVerificationKeysResponse local;
  return stub
      ->GetVerificationKeys(&ctx, v1::GetVerificationKeysRequest(),
                            response != nullptr ? response : &local)
      .error_code();
}

grpc::StatusCode ListKeysAs(const BrokerProcess& broker,
                            const ClientIdentity& identity) {
  auto ca = DevCaPem(broker.data_dir());
  REQUIRE(ca.ok());
  auto stub = v1::AdminService::NewStub(
      OpenChannel(broker.grpc_address(), *ca, identity));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::ListKeysResponse response;
  return stub->ListKeys(&ctx, v1::ListKeysRequest(), &response).error_code();
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
  CliResult fresh = broker.Cli({"consent", "show",
                                Str(given.json, {"consent", "id"}),
                                "--receipt", "--citizen", "alice",
                                "--output", "json"});
  INFO(fresh.err);
  REQUIRE(fresh.exit_code == 0);
  const std::string fresh_receipt = Str(fresh.json, {"receipt"});
  auto h_text =
      formats::Base64UrlDecode(fresh_receipt.substr(0, fresh_receipt.find('.')));
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
      CliResult r = broker.Cli({"grant", "verify", receipt, "--jwks", jwks,
                                "--jwks-http", "loopback", "--audience",
                                audience});
      INFO(r.err);
      CHECK(r.exit_code == 1);  // refused, not a usage error
      CHECK(r.err.find("UNAUTHENTICATED") != std::string::npos);
      CHECK(r.err.find("\"typ\" is not the expected type") !=
            std::string::npos);
    }
  }
  CliResult pyjwt = Run("/usr/bin/python3",
                        {SourceDir() + "/tests/verify_grant.py", receipt_jwks,
                         kReceiptAudience, receipt});
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

TEST_CASE("certificate URIs: under the trust domain and unique", "[identity]") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  auto add = [&](std::vector<std::string> args) {
    std::vector<std::string> all = {"admin", "principal", "add"};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), {"--as", "operator"});
    return broker.Cli(all);
  };
  // Outside the dev trust domain (urn:accord:principal): refused, naming
  // the field; also a look-alike prefix.
  for (const char* uri :
       {"spiffe://elsewhere.example/partner-x", "urn:accord:principalx:p",
        "urn:accord:principal", "urn:accord:principal:"}) {
    INFO(uri);
    CliResult r = add({"--id", "partner-x", "--role", "partner", "--category",
                       "academic", "--cert-uri", uri});
    CHECK(Refused(r, "INVALID_ARGUMENT"));
    CHECK(absl::StrContains(r.err, "certificate_uri"));
  }
  // A URI of another principal: ALREADY_EXISTS naming the field. The owner
  // may be re-added with it.
  CliResult dup =
      add({"--id", "partner-copy", "--role", "partner", "--category",
           "academic", "--cert-uri", "urn:accord:principal:partner-demo"});
  CHECK(Refused(dup, "ALREADY_EXISTS"));
  CHECK(absl::StrContains(dup.err, "certificate_uri"));
  CHECK(add({"--id", "partner-demo", "--role", "partner", "--category",
             "academic", "--cert-uri", "urn:accord:principal:partner-demo"})
            .exit_code == 0);
  // The same for a fingerprint.
  REQUIRE(add({"--id", "partner-sha", "--role", "partner", "--category",
               "academic", "--cert-sha256", std::string(64, 'b')})
              .exit_code == 0);
  CHECK(Refused(add({"--id", "partner-sha2", "--role", "partner", "--category",
                     "academic", "--cert-sha256", std::string(64, 'b')}),
                "ALREADY_EXISTS"));

  // A certificate of the broker's CA whose URI is outside the trust domain
  // is refused, even when its fingerprint names a principal.
  TempDir certs;
  const std::string sha = IssueInto(broker.data_dir(), certs.path(), "outsider",
                                    {"spiffe://elsewhere.example/outsider"});
  REQUIRE(add({"--id", "outsider", "--role", "partner", "--category",
               "academic", "--cert-sha256", sha})
              .exit_code == 0);
  CHECK(KeysAs(broker, IdentityIn(certs.path(), "outsider")) ==
        grpc::StatusCode::UNAUTHENTICATED);
  // The same principal's certificate without a URI authenticates.
  const std::string plain_sha =
      IssueInto(broker.data_dir(), certs.path(), "plain", {});
  REQUIRE(add({"--id", "plain", "--role", "partner", "--category", "academic",
               "--cert-sha256", plain_sha})
              .exit_code == 0);
  CHECK(KeysAs(broker, IdentityIn(certs.path(), "plain")) ==
        grpc::StatusCode::OK);
  // A second URI outside the domain spoils a good first one.
  IssueInto(broker.data_dir(), certs.path(), "two-uris",
            {"urn:accord:principal:partner-demo", "https://evil.example/x"});
  CHECK(KeysAs(broker, IdentityIn(certs.path(), "two-uris")) ==
        grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("operators and auditors are pinned by certificate fingerprint",
          "[identity]") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  // The dev operator and auditor certificates work.
  for (const char* name : {"operator", "auditor-demo"}) {
    auto id = DevIdentity(broker.data_dir(), name);
    REQUIRE(id.ok());
    CHECK(KeysAs(broker, *id) == grpc::StatusCode::OK);
  }
  auto op = DevIdentity(broker.data_dir(), "operator");
  REQUIRE(op.ok());
  CHECK(ListKeysAs(broker, *op) == grpc::StatusCode::OK);
  // Another certificate of the same CA carrying the operator's or the
  // auditor's URI is no one.
  TempDir certs;
  IssueInto(broker.data_dir(), certs.path(), "fake-operator",
            {"urn:accord:principal:operator"});
  IssueInto(broker.data_dir(), certs.path(), "fake-auditor",
            {"urn:accord:principal:auditor-demo"});
  CHECK(ListKeysAs(broker, IdentityIn(certs.path(), "fake-operator")) ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(KeysAs(broker, IdentityIn(certs.path(), "fake-auditor")) ==
        grpc::StatusCode::UNAUTHENTICATED);
  // AddPrincipal: a pinned role needs a fingerprint and takes no URI.
  auto add = [&](std::vector<std::string> args) {
    std::vector<std::string> all = {"admin", "principal", "add"};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), {"--as", "operator"});
    return broker.Cli(all);
  };
  CliResult by_uri = add({"--id", "auditor-two", "--role", "auditor",
                          "--cert-uri", "urn:accord:principal:auditor-two"});
  CHECK(Refused(by_uri, "INVALID_ARGUMENT"));
  CHECK(absl::StrContains(by_uri.err, "certificate_sha256"));
  CHECK(Refused(add({"--id", "operator-two", "--role", "operator", "--cert-uri",
                     "urn:accord:principal:operator-two", "--cert-sha256",
                     std::string(64, 'c')}),
                "INVALID_ARGUMENT"));
  const std::string sha =
      IssueInto(broker.data_dir(), certs.path(), "auditor-two", {});
  REQUIRE(
      add({"--id", "auditor-two", "--role", "auditor", "--cert-sha256", sha})
          .exit_code == 0);
  CHECK(KeysAs(broker, IdentityIn(certs.path(), "auditor-two")) ==
        grpc::StatusCode::OK);
  // RotateKey refuses an algorithm it cannot sign with, naming it (asked
  // directly: the CLI refuses RS256 itself).
  for (bool receipt_key : {false, true}) {
    auto ca = DevCaPem(broker.data_dir());
    REQUIRE(ca.ok());
    auto stub = v1::AdminService::NewStub(
        OpenChannel(broker.grpc_address(), *ca, *op));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(60));
    v1::RotateKeyRequest request;
    request.set_alg("RS256");
    request.set_receipt_key(receipt_key);
    v1::RotateKeyResponse response;
    grpc::Status rsa = stub->RotateKey(&ctx, request, &response);
    CHECK(rsa.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(absl::StrContains(rsa.error_message(), "alg"));
  }
  CliResult listed = broker.Cli(
      {"admin", "keys", "list", "--as", "operator", "--output", "json"});
  REQUIRE(listed.exit_code == 0);
  CHECK(listed.json.Find("keys")->AsArray()->size() == 1);
  CHECK(listed.json.Find("receipt_keys")->AsArray()->size() == 1);
}

TEST_CASE("a citizen token works only through the app it was minted for",
          "[identity]") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const std::string pki = broker.data_dir() + "/dev-pki";
  IssueInto(broker.data_dir(), pki, "citizen-app-2",
            {"urn:accord:principal:citizen-app-2"});
  REQUIRE(broker
              .Cli({"admin", "principal", "add", "--id", "citizen-app-2",
                    "--role", "app", "--cert-uri",
                    "urn:accord:principal:citizen-app-2", "--as", "operator"})
              .exit_code == 0);
  CliResult minted = broker.Cli({"dev", "citizen-token", "alice"});
  INFO(minted.err);
  REQUIRE(minted.exit_code == 0);
  std::string token = minted.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) {
    token.pop_back();
  }
  CHECK(Str(ClaimsOf(token), {"azp"}) == "accord-dev-citizen-app");
  auto list_as = [&](const std::string& app, const std::string& t) {
    return broker.Cli(
        {"consent", "list", "--as", app, "--token", t, "--output", "json"});
  };
  CliResult through_own = list_as("citizen-app", token);
  INFO(through_own.err);
  CHECK(through_own.exit_code == 0);
  CHECK(Refused(list_as("citizen-app-2", token), "UNAUTHENTICATED"));

  // The dev issuer's own key signing something that is not a citizen's
  // token (typ) or for an unknown client (azp) is refused too.
  auto issuer = crypto::SigningKey::ReadPemFile(pki + "/citizen-issuer.key");
  REQUIRE(issuer.ok());
  auto sign = [&](absl::string_view typ, absl::string_view azp) {
    formats::JsonValue p = formats::JsonValue::Object();
    p.Set("iss", "https://idp.dev.accord.local")
        .Set("aud", "accord")
        .Set("azp", azp)
        .Set("sub", "alice")
        .Set("iat", static_cast<long long>(Now()))
        .Set("exp", static_cast<long long>(Now() + 600));
    auto t = crypto::SignJws(*issuer, typ, p.Serialize());
    REQUIRE(t.ok());
    return *t;
  };
  CHECK(list_as("citizen-app", sign("at+jwt", "accord-dev-citizen-app"))
            .exit_code == 0);
  CHECK(Refused(
      list_as("citizen-app", sign("grant+jwt", "accord-dev-citizen-app")),
      "UNAUTHENTICATED"));
  CHECK(Refused(list_as("citizen-app", sign("JWT", "another-client")),
                "UNAUTHENTICATED"));
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
