#include "clients/portal/portal_config.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace accord::portal {
namespace {

const std::vector<std::string> kRequired = {
    "--oidc-issuer", "https://idp.example", "--client-id",
    "portal",        "--checkpoint-key",    "accord.local/log+01234567+AQ=="};

std::vector<std::string> With(std::vector<std::string> more) {
  std::vector<std::string> args = kRequired;
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST_CASE(
    "portal config: dev mode takes the dev files and plain HTTP on loopback") {
  absl::StatusOr<PortalConfig> c = LoadPortalConfig(
      With({"--dev", "/tmp/var", "--listen", "127.0.0.1:9000"}));
  REQUIRE(c.ok());
  CHECK(c->dev);
  CHECK(c->public_url == "http://127.0.0.1:9000");
  CHECK(c->broker_ca_file == "/tmp/var/dev-pki/ca.pem");
  CHECK(c->app_cert_file == "/tmp/var/dev-pki/citizen-app.pem");
  CHECK(c->app_key_file == "/tmp/var/dev-pki/citizen-app.key");
}

TEST_CASE("portal config: dev mode refuses a non-loopback address") {
  absl::StatusOr<PortalConfig> c =
      LoadPortalConfig(With({"--dev", "/tmp/var", "--listen", "0.0.0.0:9000"}));
  REQUIRE(absl::IsInvalidArgument(c.status()));
  CHECK(c.status().message().find("loopback") != std::string::npos);
}

TEST_CASE(
    "portal config: outside dev mode TLS is required and the URL is https") {
  const std::vector<std::string> files = {
      "--broker-ca", "ca.pem", "--app-cert", "app.pem", "--app-key", "app.key"};
  std::vector<std::string> args = With(files);
  CHECK(absl::IsInvalidArgument(LoadPortalConfig(args).status()));
  args.insert(args.end(), {"--tls-cert", "c.pem", "--tls-key", "k.pem"});
  absl::StatusOr<PortalConfig> c = LoadPortalConfig(args);
  REQUIRE(c.ok());
  CHECK(c->public_url == "https://127.0.0.1:8480");
  args.insert(args.end(), {"--public-url", "http://portal.example"});
  CHECK(absl::IsInvalidArgument(LoadPortalConfig(args).status()));
}

TEST_CASE("portal config: the issuer must be https and the key pinned") {
  CHECK(absl::IsInvalidArgument(
      LoadPortalConfig({"--dev", "/tmp/var", "--oidc-issuer", "http://idp",
                        "--client-id", "p", "--checkpoint-key",
                        "a+01234567+AQ=="})
          .status()));
  CHECK(absl::IsInvalidArgument(
      LoadPortalConfig({"--dev", "/tmp/var", "--oidc-issuer", "https://idp",
                        "--client-id", "p"})
          .status()));
}

TEST_CASE("portal config: a YAML file, flags over it, unknown keys refused") {
  char path[] = "/tmp/portal-config-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "dev: /tmp/var\n"
           "oidc_issuer: https://idp.example\n"
           "client_id: from-file\n"
           "checkpoint_key: accord.local/log+01234567+AQ+/=\n"
           "session_seconds: 600\n";
  }
  absl::StatusOr<PortalConfig> c =
      LoadPortalConfig({"--config", path, "--client-id", "from-flag"});
  REQUIRE(c.ok());
  CHECK(c->client_id == "from-flag");
  CHECK(c->session_seconds == 600);
  CHECK(c->checkpoint_key == "accord.local/log+01234567+AQ+/=");
  {
    std::ofstream out(path, std::ios::app);
    out << "colour: blue\n";
  }
  absl::StatusOr<PortalConfig> bad = LoadPortalConfig({"--config", path});
  CHECK(absl::IsInvalidArgument(bad.status()));
  CHECK(bad.status().message().find("colour") != std::string::npos);
  std::remove(path);
}

TEST_CASE("portal config: loopback addresses") {
  CHECK(IsLoopbackListen("127.0.0.1:80"));
  CHECK(IsLoopbackListen("127.1.2.3:80"));
  CHECK(IsLoopbackListen("[::1]:80"));
  CHECK(IsLoopbackListen("localhost:80"));
  CHECK_FALSE(IsLoopbackListen("0.0.0.0:80"));
  CHECK_FALSE(IsLoopbackListen("127.example.org:80"));
}

}  // namespace
}  // namespace accord::portal
