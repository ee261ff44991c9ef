// Caller identities against the real broker: certificate URIs under the
// trust domain, unique, and never identifying an operator or auditor;
// citizen tokens bound to the app they were minted for.
#include <grpcpp/client_context.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "accord/v1/admin.grpc.pb.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/signing_key.h"
#include "broker/formats/json.h"
#include "tests/broker_harness.h"
#include "tests/cli_refusal.h"
#include "tests/keys_identity_common.h"
#include "tests/tls_callers.h"

namespace accord::testing {
namespace {

namespace v1 = accord::v1;

ClientIdentity IdentityIn(const std::string& dir, const std::string& name) {
  return {ReadAll(dir + "/" + name + ".pem"),
          ReadAll(dir + "/" + name + ".key")};
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
    auto stub =
        v1::AdminService::NewStub(OpenChannel(broker.grpc_address(), *ca, *op));
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

}  // namespace
}  // namespace accord::testing
