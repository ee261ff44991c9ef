// Citizen identity from a real OpenID provider (tests/oidc: oidc-provider
// over HTTPS): the broker is configured with the provider's issuer URL
// alone, discovers its keys, and knows Alice, signed in on the provider's
// login form with the code flow and PKCE, by the pseudonym of (issuer,
// "alice"). Keys rotated and withdrawn at the provider are followed;
// misconfigured providers and tokens for another audience are refused.
//
// Statuses asserted, as broker/service/citizen_tokens.h documents them: a
// token under a kid the broker does not hold yet (keys not loaded, or a key
// new to it) is UNAVAILABLE and asks for a refresh; a kid the provider has
// withdrawn, or that keys loaded since still lack, is UNAUTHENTICATED.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "broker/crypto/hmac.h"
#include "broker/crypto/sha256.h"
#include "broker/formats/base64url.h"
#include "broker/formats/json.h"
#include "tests/broker_harness.h"
#include "tests/cli_refusal.h"
#include "tests/oidc_provider.h"

namespace accord::testing {
namespace {

// The provider's client for the citizen app: its ID tokens' `aud`.
constexpr char kClient[] = "accord-citizen-web";
// Never fetched: login.mjs takes the code from the redirect.
constexpr char kRedirect[] = "http://127.0.0.1:9/callback";
// The dev broker's app principal.
constexpr char kApp[] = "citizen-app";
// Generous bounds for what the broker does in the background (a refresh
// waits out at most the 10 s floor).
constexpr absl::Duration kBound = absl::Seconds(90);

// Everything one case needs: the provider's TLS material and clients, a
// provider on a fixed port, and a broker whose config names the provider's
// issuer URL alone.
class OidcWorld {
 public:
  OidcWorld() {
    RequireInstalledOrSkip(install_);
    auto tls = MakeOidcTls(dir_.path());
    INFO(tls.status());
    REQUIRE(tls.ok());
    clients_ = dir_.path() + "/clients.json";
    std::ofstream(clients_)
        << R"([{"client_id":")" << kClient
        << R"(","token_endpoint_auth_method":"none",)"
        << R"("redirect_uris":[")" << kRedirect << R"("]}])";
    provider_ =
        std::make_unique<OidcProvider>(dir_.path(), FreePort(), *tls, clients_);
  }

  OidcProvider& provider() { return *provider_; }

  // A key set file with fresh keys for `kids`, the first one signing.
  std::string Keys(const std::string& name, std::vector<std::string> kids) {
    const std::string path = absl::StrCat(dir_.path(), "/", name, ".json");
    REQUIRE(WriteProviderKeys(path, kids).ok());
    return path;
  }
  // The private JWKS of `first` and `second` together, `first` signing.
  std::string Join(const std::string& name, const std::string& first,
                   const std::string& second) {
    const std::string path = absl::StrCat(dir_.path(), "/", name, ".json");
    std::string json = R"({"keys":[)";
    int n = 0;
    for (const std::string& file : {first, second}) {
      auto set = formats::ParseJson(ReadAll(file));
      REQUIRE(set.ok());
      for (const formats::JsonValue& key : *set->Find("keys")->AsArray()) {
        absl::StrAppend(&json, n++ == 0 ? "" : ",", key.Serialize());
      }
    }
    std::ofstream(path) << json << "]}";
    return path;
  }

  // A dev broker that also accepts the provider's ID tokens for
  // `audience` through the dev app principal.
  BrokerProcess& StartBroker(const std::string& audience = kClient) {
    const std::string config = dir_.path() + "/accord.yaml";
    std::ofstream(config) << "citizen_issuers:\n"
                          << "  - issuer: " << provider_->issuer() << "\n"
                          << "    audience: " << audience << "\n"
                          << "    ca_file: " << provider_->tls().ca << "\n"
                          << "    app_principals:\n"
                          << "      " << audience << ": " << kApp << "\n";
    // The broker's log goes to a file in its data directory: made first.
    std::filesystem::create_directories(dir_.path() + "/var");
    broker_ = std::make_unique<BrokerProcess>(
        dir_.path() + "/var", std::vector<std::string>{"--config", config});
    absl::Status started = broker_->Start();
    INFO(started);
    REQUIRE(started.ok());
    return *broker_;
  }

  std::string Login(const std::string& user) {
    auto token = provider_->Login(kClient, kRedirect, user, user + "-password");
    INFO(token.status());
    REQUIRE(token.ok());
    return *token;
  }

  // The pseudonym the broker derives for `sub` at the provider.
  std::string PseudonymOf(const std::string& sub) const {
    const std::string secret =
        ReadAll(dir_.path() + "/var/keys/pseudonym.secret");
    REQUIRE(secret.size() >= 32);
    return formats::Base64UrlEncode(crypto::AsBytes(crypto::HmacSha256(
        secret,
        absl::StrCat(provider_->issuer(), absl::string_view("\0", 1), sub))));
  }

 private:
  OidcInstall install_;  // holds the install lock for the whole case
  TempDir dir_;
  std::string clients_;
  std::unique_ptr<OidcProvider> provider_;
  std::unique_ptr<BrokerProcess> broker_;
};

CliResult List(const BrokerProcess& broker, const std::string& token) {
  return broker.Cli(
      {"consent", "list", "--as", kApp, "--token", token, "--output", "json"});
}

// Retried ("retry in a few seconds") as the broker asks.
Refusal SaysRetry(const CliResult& r) {
  return Refused(r, "UNAVAILABLE", "retry in a few seconds");
}

// Lists with `token` until the broker accepts it, every refusal meanwhile
// being the documented retry. Returns the last result.
CliResult ListOnceKeysLoad(const BrokerProcess& broker,
                           const std::string& token) {
  CliResult r;
  const bool answered = WaitUntil(
      [&] {
        r = List(broker, token);
        return r.exit_code == 0 || !SaysRetry(r);
      },
      kBound);
  INFO(r.err);
  // Every refusal was the retry, the last one too unless it was accepted.
  REQUIRE((r.exit_code == 0 || SaysRetry(r)));
  if (!answered) FAIL_CHECK("the broker still asked to retry after " << kBound);
  return r;
}

// Waits for a line of the broker's log holding `text`.
bool LogSays(const BrokerProcess& broker, const std::string& text) {
  return WaitUntil([&] { return broker.log().find(text) != std::string::npos; },
                   kBound);
}

std::string KidOf(const std::string& token) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  REQUIRE(parts.size() == 3);
  auto header = formats::ParseJson(*formats::Base64UrlDecode(parts[0]));
  REQUIRE(header.ok());
  return header->GetString("kid").value_or("");
}

// `token` with its header's kid replaced (its signature no longer fits).
std::string WithKid(const std::string& token, const std::string& kid) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  REQUIRE(parts.size() == 3);
  auto header = formats::ParseJson(*formats::Base64UrlDecode(parts[0]));
  REQUIRE(header.ok());
  header->Set("kid", kid);
  return absl::StrCat(formats::Base64UrlEncode(header->Serialize()), ".",
                      parts[1], ".", parts[2]);
}

TEST_CASE(
    "a citizen signed in at a real OpenID provider is known by the pseudonym "
    "of (issuer, sub), across key rotation and withdrawal") {
  OidcWorld world;
  const std::string k1 = world.Keys("k1", {"k1"});
  const std::string k2 = world.Keys("k2", {"k2"});
  const std::string k3 = world.Keys("k3", {"k3"});

  // The broker starts while the provider is not there yet: it serves, and
  // refuses the provider's tokens with the retry until the keys load.
  BrokerProcess& broker = world.StartBroker();
  REQUIRE(LogSays(broker, "citizen issuer keys not loaded"));
  // A long max-age: the broker learns new keys only by the unknown-kid
  // refresh, so the first use of a new kid is refused with the retry.
  const std::vector<std::string> cached = {"--jwks-max-age", "86400"};
  REQUIRE(world.provider().Start(k1, cached).ok());

  const std::string alice1 = world.Login("alice");
  CHECK(KidOf(alice1) == "k1");
  CliResult listed = ListOnceKeysLoad(broker, alice1);
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  CliResult given = broker.Cli(
      {"consent", "give", "--dataset", "rennes.energy.household-consumption",
       "--purpose", "research-and-development", "--partner", "partner-demo",
       "--as", kApp, "--token", alice1, "--output", "json"});
  INFO(given.err);
  REQUIRE(given.exit_code == 0);
  const formats::JsonValue* consent = given.json.Find("consent");
  REQUIRE(consent != nullptr);
  const std::string alice = world.PseudonymOf("alice");
  CHECK(consent->GetString("subject").value_or("") == alice);
  // Bob is someone else.
  const std::string bob1 = world.Login("bob");
  REQUIRE(List(broker, bob1).exit_code == 0);
  CHECK(world.PseudonymOf("bob") != alice);

  SECTION(
      "a new key published first signs tokens accepted after the refresh, and "
      "a withdrawn key's tokens are refused") {
    REQUIRE(world.provider().Start(world.Join("k2k1", k2, k1), cached).ok());
    const std::string alice2 = world.Login("alice");
    REQUIRE(KidOf(alice2) == "k2");
    CliResult first = List(broker, alice2);
    INFO(first.err);
    CHECK(SaysRetry(first));
    CliResult after = ListOnceKeysLoad(broker, alice2);
    INFO(after.err);
    REQUIRE(after.exit_code == 0);
    // The same citizen, the same consent.
    REQUIRE(after.json.Find("consents") != nullptr);
    CHECK(after.json.Find("consents")->AsArray()->size() == 1);
    // The old key is still published: its token still works.
    CHECK(List(broker, alice1).exit_code == 0);

    // k1 withdrawn, k3 new: once the broker has loaded the new set (k3's
    // token accepted), k1's token is refused, though it verified before.
    REQUIRE(world.provider().Start(world.Join("k3k2", k3, k2), cached).ok());
    const std::string alice3 = world.Login("alice");
    REQUIRE(KidOf(alice3) == "k3");
    CliResult third = ListOnceKeysLoad(broker, alice3);
    INFO(third.err);
    REQUIRE(third.exit_code == 0);
    CliResult withdrawn = List(broker, alice1);
    INFO(withdrawn.err);
    CHECK(
        Refused(withdrawn, "UNAUTHENTICATED", "no longer publishes this key"));
    CHECK(List(broker, alice2).exit_code == 0);
    // Bob's k1 token too, though the broker had remembered it verified.
    CHECK(Refused(List(broker, bob1), "UNAUTHENTICATED",
                  "no longer publishes this key"));

    // A kid the provider never published: the retry until the broker has
    // loaded the keys once since, then refused.
    const std::string made_up = WithKid(alice3, "never-published");
    CliResult r = List(broker, made_up);
    WaitUntil(
        [&] {
          if (!SaysRetry(r)) return true;
          r = List(broker, made_up);
          return false;
        },
        kBound);
    INFO(r.err);
    CHECK(Refused(r, "UNAUTHENTICATED", "does not publish this key"));
  }
}

TEST_CASE("a provider whose discovery names another issuer is not trusted") {
  OidcWorld world;
  REQUIRE(world.provider()
              .Start(world.Keys("k1", {"k1"}),
                     {"--discovery-set", "issuer=https://elsewhere.example"})
              .ok());
  BrokerProcess& broker = world.StartBroker();
  CHECK(LogSays(broker, "is not the configured issuer"));
  CliResult r = List(broker, world.Login("alice"));
  INFO(r.err);
  CHECK(Refused(r, "UNAVAILABLE", "are not loaded yet"));
}

TEST_CASE("a provider whose jwks_uri is not https is not trusted") {
  OidcWorld world;
  const std::string http_jwks =
      absl::StrCat("jwks_uri=http://127.0.0.1:",
                   world.provider().issuer().substr(
                       world.provider().issuer().rfind(':') + 1),
                   "/jwks");
  REQUIRE(world.provider()
              .Start(world.Keys("k1", {"k1"}), {"--discovery-set", http_jwks})
              .ok());
  BrokerProcess& broker = world.StartBroker();
  CHECK(LogSays(broker, "is not an https URL"));
  CliResult r = List(broker, world.Login("alice"));
  INFO(r.err);
  CHECK(Refused(r, "UNAVAILABLE", "are not loaded yet"));
}

TEST_CASE("an ID token of the provider for another audience is refused") {
  OidcWorld world;
  REQUIRE(world.provider().Start(world.Keys("k1", {"k1"})).ok());
  BrokerProcess& broker = world.StartBroker("another-client");
  REQUIRE(LogSays(broker, "citizen issuer keys loaded"));
  CliResult r = List(broker, world.Login("alice"));
  INFO(r.err);
  CHECK(Refused(r, "UNAUTHENTICATED", "aud"));
}

}  // namespace
}  // namespace accord::testing
