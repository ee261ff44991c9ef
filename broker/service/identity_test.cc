#include "broker/service/identity.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/service/config.h"
#include "broker/testing/temp_dir.h"

namespace accord::service {
namespace {

TEST_CASE("a URI is under a trust domain only past its boundary") {
  const std::string spiffe = "spiffe://accord.example";
  CHECK(UnderTrustDomain("spiffe://accord.example/partner/a", spiffe));
  CHECK(UnderTrustDomain("spiffe://accord.example/x", spiffe));
  CHECK_FALSE(UnderTrustDomain("spiffe://accord.example", spiffe));
  CHECK_FALSE(UnderTrustDomain("spiffe://accord.example/", spiffe));
  CHECK_FALSE(UnderTrustDomain("spiffe://accord.example.evil/x", spiffe));
  CHECK_FALSE(UnderTrustDomain("spiffe://accord.examplex/x", spiffe));
  CHECK_FALSE(UnderTrustDomain("spiffe://accord.example:8443/x", spiffe));
  CHECK_FALSE(UnderTrustDomain("https://accord.example/x", spiffe));
  const std::string urn = "urn:accord:principal";
  CHECK(UnderTrustDomain("urn:accord:principal:partner-demo", urn));
  CHECK_FALSE(UnderTrustDomain("urn:accord:principal:", urn));
  CHECK_FALSE(UnderTrustDomain("urn:accord:principalx:a", urn));
  CHECK_FALSE(UnderTrustDomain("urn:accord:principal/a", urn));
  // No trust domain: no URI at all.
  CHECK_FALSE(UnderTrustDomain("urn:accord:principal:a", ""));
  CHECK_FALSE(UnderTrustDomain("", ""));
}

TEST_CASE("trust domains are checked when configured") {
  for (const char* good :
       {"", "spiffe://accord.example", "urn:accord:principal",
        "https://id.example-metropole.fr"}) {
    INFO(good);
    CHECK(CheckTrustDomain(good).ok());
  }
  for (const char* bad :
       {"spiffe://accord.example/", "spiffe://accord.example/path", "spiffe://",
        "urn:accord:", "urn:", "accord.example", "spiffe://a b",
        "urn:accord:\x7f"}) {
    INFO(bad);
    CHECK(absl::IsInvalidArgument(CheckTrustDomain(bad)));
  }
}

TEST_CASE("operators and auditors are the pinned roles") {
  CHECK(IsPinnedRole(accord::v1::ROLE_OPERATOR));
  CHECK(IsPinnedRole(accord::v1::ROLE_AUDITOR));
  CHECK_FALSE(IsPinnedRole(accord::v1::ROLE_PARTNER));
  CHECK_FALSE(IsPinnedRole(accord::v1::ROLE_PRODUCER));
  CHECK_FALSE(IsPinnedRole(accord::v1::ROLE_APP));
}

absl::StatusOr<BrokerConfig> LoadFile(const std::string& yaml) {
  // A directory of its own: ctest runs the cases of this file in parallel.
  testing::TempDir dir;
  const std::string path = dir.sub("identity.yaml");
  std::ofstream(path) << yaml;
  std::vector<std::string> args = {"accord-broker", "--config", path};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  auto config = LoadConfig(static_cast<int>(argv.size()), argv.data());
  std::remove(path.c_str());
  return config;
}

TEST_CASE("identity config keys: trust domain, receipt keys, app principals") {
  auto defaults = LoadFile("{}\n");
  REQUIRE(defaults.ok());
  CHECK(defaults->trust_domain.empty());
  CHECK_FALSE(defaults->create_receipt_keys);
  CHECK(defaults->max_grant_lifetime_seconds == 3600);

  auto set = LoadFile(
      "trust_domain: spiffe://accord.example\n"
      "create_receipt_keys: true\n"
      "citizen_issuers:\n"
      "  - issuer: https://idp.example\n"
      "    audience: accord\n"
      "    jwks_file: /etc/idp.json\n"
      "    app_principals:\n"
      "      portal: citizen-portal\n"
      "      kiosk: [kiosk-a, kiosk-b]\n");
  REQUIRE(set.ok());
  CHECK(set->trust_domain == "spiffe://accord.example");
  CHECK(set->create_receipt_keys);
  REQUIRE(set->citizen_issuers.size() == 1);
  const auto& apps = set->citizen_issuers[0].app_principals;
  CHECK(apps.at("portal") == std::vector<std::string>{"citizen-portal"});
  CHECK(apps.at("kiosk") == std::vector<std::string>{"kiosk-a", "kiosk-b"});

  CHECK(absl::IsInvalidArgument(
      LoadFile("trust_domain: spiffe://accord.example/x\n").status()));
  CHECK(
      absl::IsInvalidArgument(LoadFile("create_receipt_keys: yes\n").status()));
  // An issuer without app_principals binds its tokens to no app: refused.
  auto unbound = LoadFile(
      "citizen_issuers:\n"
      "  - issuer: https://idp.example\n"
      "    audience: accord\n"
      "    jwks_file: /etc/idp.json\n");
  CHECK(absl::IsInvalidArgument(unbound.status()));
  CHECK(unbound.status().message().find("app_principals") != std::string::npos);
  CHECK(absl::IsInvalidArgument(LoadFile("citizen_issuers:\n"
                                         "  - issuer: https://idp.example\n"
                                         "    audience: accord\n"
                                         "    jwks_file: /etc/idp.json\n"
                                         "    app_principals: {portal: []}\n")
                                    .status()));
}

TEST_CASE(
    "a citizen issuer without jwks_file is discovered from its https URL") {
  auto by_url = LoadFile(
      "citizen_issuers:\n"
      "  - issuer: https://idp.example/realms/citizens\n"
      "    audience: portal\n"
      "    ca_file: /etc/idp-ca.pem\n"
      "    app_principals: {portal: citizen-portal}\n");
  REQUIRE(by_url.ok());
  REQUIRE(by_url->citizen_issuers.size() == 1);
  CHECK(by_url->citizen_issuers[0].jwks_file.empty());
  CHECK(by_url->citizen_issuers[0].ca_file == "/etc/idp-ca.pem");

  const struct {
    const char* name;
    const char* issuer_lines;
    const char* key;
  } bad[] = {
      {"plain http", "    issuer: http://idp.example\n", "issuer"},
      {"not a URL", "    issuer: idp.example\n", "issuer"},
      {"a query", "    issuer: https://idp.example/?x=1\n", "issuer"},
      {"ca_file beside jwks_file",
       "    issuer: https://idp.example\n"
       "    jwks_file: /etc/idp.json\n"
       "    ca_file: /etc/idp-ca.pem\n",
       "ca_file"},
  };
  for (const auto& c : bad) {
    INFO(c.name);
    auto refused = LoadFile(
        absl::StrCat("citizen_issuers:\n  - audience: portal\n", c.issuer_lines,
                     "    app_principals: {portal: p}\n"));
    REQUIRE(absl::IsInvalidArgument(refused.status()));
    INFO(refused.status().message());
    CHECK(refused.status().message().find(absl::StrCat(c.key, ":")) !=
          std::string::npos);
  }
}

}  // namespace
}  // namespace accord::service
