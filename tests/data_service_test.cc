// The example data service end to end: the real broker issues a grant, the
// real accord-data-service verifies it over mutual TLS and serves only what
// it covers; a grant replayed with another client certificate, for another
// audience, expired or edited is refused. Also `accord grant verify --cert`.
// With --revocations watch, a grant is refused soon after the consent it
// rests on is withdrawn.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/crypto/signing_key.h"
#include "broker/dev/dev_pki.h"
#include "broker/formats/json.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

constexpr char kPersonal[] = "rennes.energy.household-consumption";
constexpr char kAudience[] = "data.rennes.example";
constexpr char kNobody[] = "bm8tY29uc2VudC1zdWJqZWN0";

// accord-data-service running in the background until destroyed.
class DataService {
 public:
  DataService(std::vector<std::string> args, std::string log_path)
      : log_path_(std::move(log_path)) {
    const std::string program = BinDir() + "/accord-data-service";
    pid_ = fork();
    if (pid_ == 0) {
      int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      dup2(log, 1);
      dup2(log, 2);
      std::vector<char*> argv = {const_cast<char*>(program.c_str())};
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(program.c_str(), argv.data());
      _exit(127);
    }
  }
  ~DataService() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  // Waits until the service says it listens; false when it exited first.
  bool WaitReady() {
    bool listening = false;
    WaitUntil([&] {
      listening = absl::StrContains(log(), "listening on");
      if (listening) return true;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_code_ =
            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return true;
      }
      return false;
    });
    return listening;
  }
  std::string log() const { return ReadAll(log_path_); }
  // The exit status once WaitReady saw the service exit; -1 before.
  int exit_code() const { return exit_code_; }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

std::string GrantToken(const CliResult& r) {
  const formats::JsonValue* grants = r.json.Find("grants");
  if (grants == nullptr || grants->AsArray() == nullptr ||
      grants->AsArray()->size() != 1) {
    return "";
  }
  return grants->AsArray()->at(0).GetString("token").value_or("");
}

// Alice consents to research use of her household's data by partner-demo;
// the CLI's JSON answer.
CliResult AliceConsents(const BrokerProcess& broker) {
  CliResult given =
      broker.Cli({"consent", "give", "--dataset", kPersonal, "--purpose",
                  "research-and-development", "--partner", "partner-demo",
                  "--citizen", "alice", "--output", "json"});
  INFO(given.err);
  REQUIRE(given.exit_code == 0);
  return given;
}

TEST_CASE("the example data service serves only what a bound grant covers") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  broker.use_movable_clock();
  REQUIRE(broker.Start().ok());
  const std::string pki = broker.data_dir() + "/dev-pki";
  const std::string jwks_url =
      absl::StrCat("http://", broker.http_address(), "/.well-known/jwks.json");

  // Alice consents; the grant names her, not the household without consent.
  const CliResult given = AliceConsents(broker);
  const std::string alice =
      given.json.Find("consent")->GetString("subject").value_or("");
  REQUIRE(!alice.empty());
  auto request = [&](const std::string& audience, const std::string& lifetime) {
    CliResult r = broker.Cli(
        {"grant", "request", "--dataset", kPersonal, "--purpose",
         "research-and-development", "--audience", audience, "--subjects",
         absl::StrCat(alice, ",", kNobody), "--lifetime", lifetime, "--as",
         "partner-demo", "--output", "json"});
    INFO(r.err << r.out);
    REQUIRE(r.exit_code == 0);
    return GrantToken(r);
  };
  const std::string token = request(kAudience, "300");
  REQUIRE(!token.empty());

  // Another client certificate from the same (trusted) dev CA.
  auto ca = dev::ReadIssuedCertificate(pki, "ca");
  REQUIRE(ca.ok());
  dev::CertificateSpec spec;
  spec.common_name = "intruder";
  spec.uri_sans = {"urn:accord:principal:intruder"};
  spec.not_before = absl::ToUnixSeconds(absl::Now()) - 60;
  spec.not_after = spec.not_before + 3600;
  auto intruder = dev::IssueCertificate(*ca, spec);
  REQUIRE(intruder.ok());
  REQUIRE(dev::WriteIssuedCertificate(*intruder, dir.path(), "intruder").ok());

  const std::string address = absl::StrCat("127.0.0.1:", FreePort());
  DataService service(
      {"--listen", address, "--jwks", jwks_url, "--jwks-http", "loopback",
       "--audience", kAudience, "--tls-cert", pki + "/server.pem", "--tls-key",
       pki + "/server.key", "--client-ca", pki + "/ca.pem", "--subjects",
       absl::StrCat(alice, ",", kNobody), "--skew-seconds", "0"},
      dir.path() + "/data-service.log");
  REQUIRE(service.WaitReady());
  INFO(service.log());

  auto read = [&](const std::string& grant, const std::string& who,
                  std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "--server", address,
        "--grant",  grant,
        "--cert",   (who == "intruder" ? dir.path() : pki) + "/" + who + ".pem",
        "--key",    (who == "intruder" ? dir.path() : pki) + "/" + who + ".key",
        "--ca",     pki + "/ca.pem"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(BinDir() + "/accord-data-client", args);
  };

  SECTION("the partner reads the granted subject's granted fields") {
    CliResult ok = read(token, "partner-demo");
    INFO(ok.err);
    REQUIRE(ok.exit_code == 0);
    const formats::JsonValue* records = ok.json.Find("records");
    REQUIRE(records != nullptr);
    REQUIRE(records->AsArray()->size() == 3);  // alice only, three days
    for (const formats::JsonValue& r : *records->AsArray()) {
      CHECK(r.GetString("subject").value_or("") == alice);
      const formats::JsonValue* values = r.Find("values");
      REQUIRE(values != nullptr);
      CHECK(values->Find("kwh") != nullptr);
      CHECK(values->Find("tariff") == nullptr);
      CHECK(values->Find("household_id") == nullptr);
    }
    // Narrower is fine.
    CliResult narrow = read(token, "partner-demo", {"--fields", "kwh"});
    REQUIRE(narrow.exit_code == 0);
    CHECK(narrow.json.Find("fields")->AsArray()->size() == 1);
  }
  SECTION("a field or a subject outside the grant is refused") {
    CliResult field = read(token, "partner-demo", {"--fields", "kwh,tariff"});
    CHECK(field.exit_code == 1);
    CHECK(absl::StartsWith(field.err, "PERMISSION_DENIED"));
    CHECK(absl::StrContains(field.err, "tariff"));
    CliResult subject = read(token, "partner-demo", {"--subjects", kNobody});
    CHECK(subject.exit_code == 1);
    CHECK(absl::StartsWith(subject.err, "PERMISSION_DENIED"));
  }
  SECTION("a grant replayed with another client certificate is refused") {
    CliResult replay = read(token, "intruder");
    CHECK(replay.exit_code == 1);
    CHECK(absl::StartsWith(replay.err, "UNAUTHENTICATED: cnf"));
    // The broker's own principal certificates do not help either.
    CliResult other = read(token, "auditor-demo");
    CHECK(other.exit_code == 1);
    CHECK(absl::StartsWith(other.err, "UNAUTHENTICATED: cnf"));
  }
  SECTION("a grant for another audience is refused") {
    CliResult r = read(request("other.service.example", "300"), "partner-demo");
    CHECK(r.exit_code == 1);
    CHECK(absl::StartsWith(r.err, "UNAUTHENTICATED: aud"));
  }
  SECTION("an edited grant is refused") {
    std::string edited = token;
    edited[edited.find('.') + 5] ^= 1;
    CliResult r = read(edited, "partner-demo");
    CHECK(r.exit_code == 1);
  }
  SECTION("an expired grant is refused") {
    // Issued with the broker's clock an hour back: long expired for the
    // data service, which reads real time.
    REQUIRE(broker.SetClockOffset(absl::Hours(-1)).ok());
    const std::string short_lived = request(kAudience, "1");
    REQUIRE(broker.SetClockOffset(absl::ZeroDuration()).ok());
    CliResult r = read(short_lived, "partner-demo");
    CHECK(r.exit_code == 1);
    CHECK(absl::StartsWith(r.err, "UNAUTHENTICATED: lifetime"));
  }
  SECTION("accord grant verify checks cnf against --cert") {
    CliResult mine =
        broker.Cli({"grant", "verify", token, "--jwks", jwks_url, "--jwks-http",
                    "loopback", "--audience", kAudience, "--cert",
                    pki + "/partner-demo.pem", "--output", "json"});
    INFO(mine.err);
    REQUIRE(mine.exit_code == 0);
    CHECK(mine.json.GetBool("certificate_checked").value_or(false));
    CHECK(mine.json.Find("claims")->GetString("sub").value_or("") ==
          "partner-demo");
    CliResult theirs =
        broker.Cli({"grant", "verify", token, "--jwks", jwks_url, "--jwks-http",
                    "loopback", "--audience", kAudience, "--cert",
                    dir.path() + "/intruder.pem"});
    CHECK(theirs.exit_code == 1);
    CHECK(absl::StrContains(theirs.err, "cnf"));
    CliResult wrong_aud =
        broker.Cli({"grant", "verify", token, "--jwks", jwks_url, "--jwks-http",
                    "loopback", "--audience", "elsewhere"});
    CHECK(wrong_aud.exit_code == 1);
    // Plain http without --jwks-http loopback: a usage error.
    CHECK(broker
              .Cli({"grant", "verify", token, "--jwks", jwks_url, "--audience",
                    kAudience})
              .exit_code == 2);
    // A JWKS file works as well as the URL.
    CliResult jwks =
        Run("/usr/bin/python3", {"-c",
                                 "import sys,urllib.request;"
                                 "open(sys.argv[2],'wb').write(urllib.request."
                                 "urlopen(sys.argv[1]).read())",
                                 jwks_url, dir.path() + "/jwks.json"});
    REQUIRE(jwks.exit_code == 0);
    CliResult from_file =
        broker.Cli({"grant", "verify", token, "--jwks",
                    dir.path() + "/jwks.json", "--audience", kAudience});
    CHECK(from_file.exit_code == 0);
    // No --jwks: a usage error.
    CHECK(broker.Cli({"grant", "verify", token}).exit_code == 2);
  }
}

TEST_CASE(
    "the example data service refuses a grant soon after the consent is "
    "withdrawn") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const std::string pki = broker.data_dir() + "/dev-pki";

  const CliResult given = AliceConsents(broker);
  const std::string consent_id =
      given.json.Find("consent")->GetString("id").value_or("");
  const std::string alice =
      given.json.Find("consent")->GetString("subject").value_or("");
  CliResult granted = broker.Cli({"grant", "request", "--dataset", kPersonal,
                                  "--purpose", "research-and-development",
                                  "--audience", kAudience, "--subjects", alice,
                                  "--as", "partner-demo", "--output", "json"});
  INFO(granted.err << granted.out);
  REQUIRE(granted.exit_code == 0);
  const std::string token = GrantToken(granted);
  REQUIRE(!token.empty());

  // Keys and revocations both from the broker's TrustService, as the
  // producer of the dataset.
  const std::string address = absl::StrCat("127.0.0.1:", FreePort());
  DataService service({"--listen",      address,
                       "--jwks",        "broker",
                       "--audience",    kAudience,
                       "--tls-cert",    pki + "/server.pem",
                       "--tls-key",     pki + "/server.key",
                       "--client-ca",   pki + "/ca.pem",
                       "--subjects",    alice,
                       "--broker",      broker.grpc_address(),
                       "--broker-ca",   pki + "/ca.pem",
                       "--broker-cert", pki + "/producer-demo.pem",
                       "--broker-key",  pki + "/producer-demo.key",
                       "--revocations", "watch"},
                      dir.path() + "/data-service.log");
  REQUIRE(service.WaitReady());
  INFO(service.log());
  auto read = [&] {
    return Run(BinDir() + "/accord-data-client",
               {"--server", address, "--grant", token, "--cert",
                pki + "/partner-demo.pem", "--key", pki + "/partner-demo.key",
                "--ca", pki + "/ca.pem"});
  };
  // Served once the revocation stream is up (refused before: fail closed).
  CliResult served;
  WaitUntil([&] {
    served = read();
    return served.exit_code == 0;
  });
  INFO(served.err);
  REQUIRE(served.exit_code == 0);
  CHECK(served.json.Find("records")->AsArray()->size() == 3);

  const auto withdraw_started = std::chrono::steady_clock::now();
  CliResult withdrawn =
      broker.Cli({"consent", "withdraw", consent_id, "--citizen", "alice"});
  const auto acknowledged = std::chrono::steady_clock::now();
  INFO(withdrawn.err);
  REQUIRE(withdrawn.exit_code == 0);

  // The same, already issued grant: refused as revoked.
  CliResult refused;
  int reads = 0;
  do {
    refused = read();
    ++reads;
  } while (refused.exit_code == 0 &&
           std::chrono::steady_clock::now() - acknowledged <
               std::chrono::seconds(30));
  const auto refused_at = std::chrono::steady_clock::now();
  INFO(refused.err);
  CHECK(refused.exit_code == 1);
  CHECK(absl::StartsWith(refused.err, "PERMISSION_DENIED: revoked"));
  auto ms = [](std::chrono::steady_clock::duration d) {
    return static_cast<long long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  };
  const long long after_ack = ms(refused_at - acknowledged);
  std::cout << "revocation to data service: first refusal " << after_ack
            << " ms after the withdraw's acknowledgement ("
            << ms(refused_at - withdraw_started)
            << " ms after the withdraw started; " << reads << " reads)"
            << std::endl;
  CHECK(after_ack < 5000);
}

TEST_CASE(
    "a second data service on the port of a running one exits naming the "
    "address") {
  TempDir dir;
  const std::string pki = dir.path() + "/pki";
  REQUIRE(dev::EnsureDevPki(pki, {"partner"}).ok());
  auto key = crypto::SigningKey::Generate(crypto::Algorithm::kES256);
  REQUIRE(key.ok());
  formats::JsonValue keys = formats::JsonValue::Array();
  keys.Push(key->PublicJwk());
  formats::JsonValue jwks = formats::JsonValue::Object();
  jwks.Set("keys", std::move(keys));
  std::ofstream(dir.path() + "/jwks.json") << jwks.Serialize();
  const std::string address = absl::StrCat("127.0.0.1:", FreePort());
  const std::vector<std::string> args = {
      "--listen",    address,
      "--jwks",      dir.path() + "/jwks.json",
      "--audience",  kAudience,
      "--tls-cert",  pki + "/server.pem",
      "--tls-key",   pki + "/server.key",
      "--client-ca", pki + "/ca.pem",
      "--subjects",  kNobody};
  DataService first(args, dir.path() + "/first.log");
  REQUIRE(first.WaitReady());

  DataService second(args, dir.path() + "/second.log");
  INFO(second.log());
  CHECK(!second.WaitReady());
  CHECK(second.exit_code() == 2);  // accord-data-service's only failure code
  CHECK(absl::StrContains(second.log(), "Address already in use"));
  CHECK(absl::StrContains(second.log(), address));

  // The first answers every call over TLS (its verifier refuses the
  // token): no connection goes to a second listener.
  for (int i = 0; i < 5; ++i) {
    CliResult r = Run(BinDir() + "/accord-data-client",
                      {"--server", address, "--grant", "not-a-grant", "--cert",
                       pki + "/partner.pem", "--key", pki + "/partner.key",
                       "--ca", pki + "/ca.pem"});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(absl::StartsWith(r.err, "INVALID_ARGUMENT: format: jws"));
  }
}

}  // namespace
}  // namespace accord::testing
