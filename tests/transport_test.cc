// Transport security: the broker refuses to start without sound TLS
// material, dev mode stays on loopback, TLS 1.2 is the oldest version it
// speaks, and client certificates must chain to the configured CA.
#include <grpcpp/client_context.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "accord/v1/trust.grpc.pb.h"
#include "broker/dev/dev_pki.h"
#include "tests/broker_harness.h"
#include "tests/tls_callers.h"

namespace accord::testing {
namespace {

namespace fs = std::filesystem;

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string Loopback() { return absl::StrCat("127.0.0.1:", FreePort()); }

// Runs accord-broker with `args`; a broker that starts anyway is stopped
// by `timeout` (exit 124), which fails the caller's expectations.
CliResult RunBroker(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"120", BinDir() + "/accord-broker"};
  all.insert(all.end(), args.begin(), args.end());
  return Run("/usr/bin/timeout", all);
}

// A data directory with dev PKI, keys and secret, made by one dev run.
struct DataDir {
  TempDir dir;
  std::string pki;
  DataDir() {
    REQUIRE(MakeDevMaterial(dir.path()).ok());
    pki = dir.path() + "/dev-pki";
  }
  // Flags of a production (non-dev) start with this directory's material.
  std::vector<std::string> Flags(const std::string& ca, const std::string& cert,
                                 const std::string& key) const {
    return {"--data-dir",  dir.path(), "--grpc-addr", Loopback(),
            "--http-addr", Loopback(), "--tls-ca",    ca,
            "--tls-cert",  cert,       "--tls-key",   key};
  }
  std::vector<std::string> Flags() const {
    return Flags(pki + "/ca.pem", pki + "/server.pem", pki + "/server.key");
  }
};

// Refused: the broker's start error (exit 1, not a hang's 124 nor a
// crash) whose message names `path`.
void ExpectRefused(const CliResult& r, const std::string& path) {
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(absl::StrContains(r.err, path));
}

TEST_CASE("outside dev mode the broker refuses to start without TLS material",
          "[transport]") {
  TempDir dir;
  CliResult none = RunBroker({"--data-dir", dir.path(), "--grpc-addr",
                              Loopback(), "--http-addr", Loopback()});
  INFO(none.err);
  CHECK(none.exit_code == 1);
  CHECK(absl::StrContains(none.err, "tls_key"));
}

TEST_CASE("dev mode refuses an address that is not a loopback literal",
          "[transport]") {
  TempDir dir;
  for (const std::string& addr :
       {std::string("0.0.0.0:7443"), std::string("127.attacker.example:7443"),
        std::string("[::]:7443")}) {
    CliResult r = RunBroker(
        {"--dev", dir.path(), "--grpc-addr", addr, "--http-addr", Loopback()});
    INFO(addr << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(absl::StrContains(r.err, addr));
  }
}

TEST_CASE(
    "TLS material that is missing, unreadable, expired or not what it "
    "claims stops the start",
    "[transport]") {
  DataDir data;
  const std::string& pki = data.pki;
  const std::string bad = data.dir.path() + "/bad";
  fs::create_directories(bad);
  std::ofstream(bad + "/garbage.pem") << "not a PEM file\n";
  fs::create_directories(bad + "/a-directory");
  const std::string missing = bad + "/missing.pem";

  // The server certificate expired yesterday (the broker's own CA).
  auto ca = dev::ReadIssuedCertificate(pki, "ca");
  REQUIRE(ca.ok());
  dev::CertificateSpec spec;
  spec.common_name = "localhost";
  spec.dns_sans = {"localhost"};
  spec.ip_sans = {"127.0.0.1"};
  spec.usage = dev::CertificateSpec::Usage::kServer;
  spec.not_before = Now() - 2 * 86400;
  spec.not_after = Now() - 86400;
  auto expired = dev::IssueCertificate(*ca, spec);
  REQUIRE(expired.ok());
  REQUIRE(dev::WriteIssuedCertificate(*expired, bad, "expired").ok());

  const std::string ca_pem = pki + "/ca.pem";
  const std::string cert = pki + "/server.pem";
  const std::string key = pki + "/server.key";
  ExpectRefused(
      RunBroker(data.Flags(ca_pem, bad + "/expired.pem", bad + "/expired.key")),
      bad + "/expired.pem");
  for (const std::string& k :
       {missing, bad + "/a-directory", bad + "/garbage.pem"}) {
    ExpectRefused(RunBroker(data.Flags(ca_pem, cert, k)), k);
  }
  for (const std::string& c :
       {missing, bad + "/a-directory", bad + "/garbage.pem"}) {
    ExpectRefused(RunBroker(data.Flags(c, cert, key)), c);
  }
  for (const std::string& c : {missing, bad + "/garbage.pem"}) {
    ExpectRefused(RunBroker(data.Flags(ca_pem, c, key)), c);
  }
}

TEST_CASE("a grant key file that is missing or unreadable stops the start",
          "[transport]") {
  DataDir data;
  std::string grant_key;
  for (const auto& entry : fs::directory_iterator(data.dir.path() + "/keys")) {
    if (absl::StartsWith(entry.path().filename().string(), "grant-")) {
      grant_key = entry.path().string();
    }
  }
  REQUIRE(!grant_key.empty());
  // Garbage, then gone; in both cases outside and inside dev mode.
  std::ofstream(grant_key, std::ios::trunc) << "not a key\n";
  fs::permissions(grant_key, fs::perms::owner_read | fs::perms::owner_write);
  ExpectRefused(RunBroker(data.Flags()), grant_key);
  ExpectRefused(RunBroker({"--dev", data.dir.path(), "--grpc-addr", Loopback(),
                           "--http-addr", Loopback()}),
                grant_key);
  fs::remove(grant_key);
  ExpectRefused(RunBroker(data.Flags()), grant_key);
  ExpectRefused(RunBroker({"--dev", data.dir.path(), "--grpc-addr", Loopback(),
                           "--http-addr", Loopback()}),
                grant_key);
}

// `openssl s_client` pinned to one protocol version; exit 0 = handshake.
int Handshake(const BrokerProcess& broker, const std::string& version,
              const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"s_client", "-connect",
                                   broker.grpc_address(), version,
                                   // Lets the client offer TLS 1.0/1.1 at all:
                                   // the refusal must be the broker's.
                                   "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile",
                                   broker.data_dir() + "/dev-pki/ca.pem",
                                   "-verify_return_error", "-alpn", "h2"};
  args.insert(args.end(), extra.begin(), extra.end());
  return Run("/usr/bin/openssl", args).exit_code;
}

TEST_CASE("the broker speaks TLS 1.2 and 1.3 and refuses 1.0 and 1.1",
          "[transport]") {
  TempDir dir;
  BrokerProcess broker(dir.path());
  REQUIRE(broker.Start().ok());
  CHECK(Handshake(broker, "-tls1_3") == 0);
  CHECK(Handshake(broker, "-tls1_2") == 0);
  CHECK(Handshake(broker, "-tls1_1") != 0);
  CHECK(Handshake(broker, "-tls1") != 0);
}

TEST_CASE("a client certificate must chain to the configured CA",
          "[transport]") {
  TempDir dir;
  BrokerProcess broker(dir.path());
  REQUIRE(broker.Start().ok());
  auto ca = DevCaPem(dir.path());
  REQUIRE(ca.ok());
  const int64_t now = Now();
  auto partner = DevIdentity(dir.path(), "partner-demo");
  auto foreign = IssueIdentity(dir.path(), "partner-demo", now - 60,
                               now + 86400, /*foreign=*/true);
  REQUIRE(partner.ok());
  REQUIRE(foreign.ok());
  auto keys_as = [&](const ClientIdentity& id) {
    auto stub = accord::v1::TrustService::NewStub(
        OpenChannel(broker.grpc_address(), *ca, id));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(60));
    accord::v1::GetVerificationKeysResponse resp;
    return stub
        ->GetVerificationKeys(&ctx, accord::v1::GetVerificationKeysRequest(),
                              &resp)
        .error_code();
  };
  CHECK(keys_as(*partner) == grpc::StatusCode::OK);
  CHECK(keys_as(ClientIdentity{}) == grpc::StatusCode::UNAUTHENTICATED);
  // Same principal URI, another CA: refused in the handshake.
  CHECK(keys_as(*foreign) == grpc::StatusCode::UNAVAILABLE);

  // And at the TLS level (TLS 1.2 verifies the client inside the handshake).
  TempDir files;
  std::ofstream(files.path() + "/f.pem") << foreign->cert_pem;
  std::ofstream(files.path() + "/f.key") << foreign->key_pem;
  std::ofstream(files.path() + "/p.pem") << partner->cert_pem;
  std::ofstream(files.path() + "/p.key") << partner->key_pem;
  CHECK(Handshake(broker, "-tls1_2",
                  {"-cert", files.path() + "/p.pem", "-key",
                   files.path() + "/p.key"}) == 0);
  CHECK(Handshake(broker, "-tls1_2",
                  {"-cert", files.path() + "/f.pem", "-key",
                   files.path() + "/f.key"}) != 0);
}

}  // namespace
}  // namespace accord::testing
