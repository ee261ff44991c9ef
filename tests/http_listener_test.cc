// The broker's HTTP listener (health, readiness, metrics, JWKS) against the
// real broker: HTTPS with the configured certificate, refusal to serve plain
// HTTP beyond loopback outside dev mode, and the limits that keep one client
// from stalling the others.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/formats/json.h"
#include "broker/http/client.h"
#include "broker/http/tls.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

namespace fs = std::filesystem;

std::string Loopback() { return absl::StrCat("127.0.0.1:", FreePort()); }

// A raw TCP connection to 127.0.0.1:`port` from the loopback address
// `source`, to hold a connection open or send exact bytes.
class RawConn {
 public:
  RawConn(int port, const std::string& source = "127.0.0.1") {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof(from)) == 0 &&
        connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0;
  }
  ~RawConn() { close(fd_); }
  bool connected() const { return connected_; }

  // Sends a keep-alive GET of `path` and returns the status of the response
  // (-1 when the connection closes or nothing arrives within 10 s).
  int Get(const std::string& path) {
    const std::string request =
        absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: t\r\n\r\n");
    if (send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
      return -1;
    }
    std::string in;
    while (true) {
      const size_t end = in.find("\r\n\r\n");
      if (end != std::string::npos) {
        const size_t cl = in.find("Content-Length: ");
        size_t length = 0;
        if (cl == std::string::npos || cl > end ||
            !absl::SimpleAtoi(in.substr(cl + 16, in.find("\r\n", cl) - cl - 16),
                              &length)) {
          return -1;
        }
        if (in.size() >= end + 4 + length) {
          int status = -1;
          return absl::SimpleAtoi(in.substr(9, 3), &status) ? status : -1;
        }
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 10000) <= 0) return -1;
      char buf[16384];
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return -1;
      in.append(buf, static_cast<size_t>(n));
    }
  }

  // True when the server closes the connection within `wait`.
  bool ClosedWithin(absl::Duration wait) {
    const absl::Time deadline = absl::Now() + wait;
    while (absl::Now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      if (recv(fd_, buf, sizeof(buf), 0) <= 0) return true;
    }
    return false;
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::vector<std::string> HttpsFlags(const std::string& data_dir) {
  return {"--http-tls-cert", data_dir + "/dev-pki/server.pem", "--http-tls-key",
          data_dir + "/dev-pki/server.key"};
}

// `openssl s_client` to the HTTP listener pinned to one TLS version; exit 0
// means a verified handshake.
int Handshake(const BrokerProcess& broker, const std::string& version) {
  return Run("/usr/bin/openssl",
             {"s_client", "-connect", broker.http_address(), version,
              // Lets the client offer TLS 1.0/1.1 at all: the refusal must be
              // the broker's.
              "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", broker.ca_file(),
              "-verify_return_error"})
      .exit_code;
}

TEST_CASE("with http_tls_cert the HTTP listener serves HTTPS only",
          "[http-listener]") {
  TempDir dir;
  const std::string data = dir.path() + "/var";
  BrokerProcess broker(data, HttpsFlags(data));
  REQUIRE(broker.Start().ok());  // /readyz answered over HTTPS

  auto health = broker.Get("/healthz");
  REQUIRE(health.ok());
  CHECK(health->status == 200);
  auto jwks = broker.Get("/.well-known/jwks.json");
  REQUIRE(jwks.ok());
  CHECK(jwks->status == 200);
  auto parsed = formats::ParseJson(jwks->body);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->Find("keys") != nullptr);
  CHECK(!parsed->Find("keys")->AsArray()->empty());

  // Plain HTTP on the same port gets no HTTP response.
  auto plain = http::HttpGet(broker.http_address(), "/.well-known/jwks.json",
                             absl::Seconds(10));
  CHECK_FALSE(plain.ok());
  // A client that does not trust the dev CA does not get through.
  TempDir other;
  BrokerProcess stranger(other.path() + "/var");
  REQUIRE(stranger.Start().ok());
  auto untrusted = http::TlsClientContext::Load(stranger.ca_file());
  REQUIRE(untrusted.ok());
  CHECK(http::HttpsGet(broker.http_address(), "/healthz", **untrusted,
                       absl::Seconds(10))
            .status()
            .code() == absl::StatusCode::kUnavailable);
  // TLS 1.2 is the oldest version spoken.
  CHECK(Handshake(broker, "-tls1_3") == 0);
  CHECK(Handshake(broker, "-tls1_2") == 0);
  CHECK(Handshake(broker, "-tls1_1") != 0);
}

// Runs accord-broker with `args` until it exits or `ready` holds (then stops
// it with SIGTERM); returns its exit code (0 after a stop once ready, -1 when
// it neither exited nor got ready within two minutes) and its stderr.
std::pair<int, std::string> RunUntil(const std::vector<std::string>& args,
                                     const std::function<bool()>& ready) {
  TempDir tmp;
  const std::string log = tmp.path() + "/log";
  const pid_t pid = fork();
  if (pid == 0) {
    FILE* out = std::freopen(log.c_str(), "w", stderr);
    (void)out;
    std::vector<char*> argv;
    const std::string program = BinDir() + "/accord-broker";
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  bool exited = false;
  const bool ended = WaitUntil(
      [&] {
        exited = waitpid(pid, &status, WNOHANG) == pid;
        return exited || ready();
      },
      absl::Minutes(2));
  if (exited) {
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128, ReadAll(log)};
  }
  if (ended) {
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    return {0, ReadAll(log)};
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return {-1, absl::StrCat("accord-broker neither exited nor got ready in 2 "
                           "minutes; its log:\n",
                           ReadAll(log))};
}

TEST_CASE(
    "outside dev mode plain HTTP is served on loopback only, and the "
    "HTTPS key must be private",
    "[http-listener]") {
  // Production material made by one dev run.
  TempDir dir;
  REQUIRE(MakeDevMaterial(dir.path()).ok());
  const std::string pki = dir.path() + "/dev-pki";
  const int http_port = FreePort();
  auto flags = [&](const std::string& http_addr) {
    return std::vector<std::string>{
        "--data-dir",  dir.path(),          "--grpc-addr", Loopback(),
        "--http-addr", http_addr,           "--tls-ca",    pki + "/ca.pem",
        "--tls-cert",  pki + "/server.pem", "--tls-key",   pki + "/server.key"};
  };
  const std::string wildcard = absl::StrCat("0.0.0.0:", http_port);
  auto never = [] { return false; };

  auto [plain_code, plain_err] = RunUntil(flags(wildcard), never);
  INFO(plain_err);
  CHECK(plain_code == 1);
  CHECK(absl::StrContains(plain_err, "FAILED_PRECONDITION"));
  CHECK(absl::StrContains(plain_err, "http_tls_cert"));

  // A key readable by its group is refused.
  const std::string shared_key = dir.path() + "/http.key";
  fs::copy_file(pki + "/server.key", shared_key);
  chmod(shared_key.c_str(), 0640);
  std::vector<std::string> https = flags(wildcard);
  https.insert(https.end(), {"--http-tls-cert", pki + "/server.pem",
                             "--http-tls-key", shared_key});
  auto [shared_code, shared_err] = RunUntil(https, never);
  INFO(shared_err);
  CHECK(shared_code == 1);
  CHECK(absl::StrContains(shared_err, "FAILED_PRECONDITION"));
  CHECK(absl::StrContains(shared_err, "http_tls_key"));

  // With the key private the broker starts and serves HTTPS.
  chmod(shared_key.c_str(), 0600);
  auto ca = http::TlsClientContext::Load(pki + "/ca.pem");
  REQUIRE(ca.ok());
  const std::string local = absl::StrCat("127.0.0.1:", http_port);
  auto [tls_code, tls_err] = RunUntil(https, [&] {
    auto r = http::HttpsGet(local, "/healthz", **ca, absl::Seconds(2));
    return r.ok() && r->status == 200;
  });
  INFO(tls_err);
  CHECK(tls_code == 0);

  // Plain HTTP on a loopback address is still allowed.
  auto [loop_code, loop_err] = RunUntil(flags(local), [&] {
    auto r = http::HttpGet(local, "/healthz", absl::Seconds(2));
    return r.ok() && r->status == 200;
  });
  INFO(loop_err);
  CHECK(loop_code == 0);
}

TEST_CASE("health and keys answer while /metrics is flooded",
          "[http-listener]") {
  TempDir dir;
  BrokerProcess broker(
      dir.path() + "/var",
      {"--http-max-connections", "8", "--http-reserved-connections", "4",
       "--http-max-connections-per-ip", "1000", "--http-idle-timeout-seconds",
       "120", "--http-request-timeout-seconds", "120"});
  REQUIRE(broker.Start().ok());
  const int port = std::stoi(broker.http_address().substr(10));

  // Eight clients hold every shared slot; sixteen more hammer /metrics.
  std::vector<std::unique_ptr<RawConn>> holders;
  for (int i = 0; i < 8; ++i) {
    holders.push_back(std::make_unique<RawConn>(port));
    REQUIRE(holders.back()->connected());
    REQUIRE(holders.back()->Get("/metrics") == 200);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> metrics_ok{0}, metrics_busy{0};
  std::vector<std::thread> hammer;
  for (int t = 0; t < 16; ++t) {
    hammer.emplace_back([&] {
      while (!stop.load()) {
        auto r =
            http::HttpGet(broker.http_address(), "/metrics", absl::Seconds(10));
        if (r.ok() && r->status == 200) ++metrics_ok;
        if (r.ok() && r->status == 503) ++metrics_busy;
      }
    });
  }
  int health_ok = 0, jwks_ok = 0;
  for (int i = 0; i < 20; ++i) {
    auto h = broker.Get("/healthz", absl::Seconds(10));
    if (h.ok() && h->status == 200) ++health_ok;
    auto k = broker.Get("/.well-known/jwks.json", absl::Seconds(10));
    if (k.ok() && k->status == 200) ++jwks_ok;
  }
  stop = true;
  for (auto& t : hammer) t.join();
  CHECK(health_ok == 20);
  CHECK(jwks_ok == 20);
  // The flood really met full shared slots: /metrics was turned away.
  CHECK(metrics_busy.load() > 0);
  // The holders keep their slots.
  for (auto& h : holders) CHECK(h->Get("/healthz") == 200);
}

TEST_CASE("connections over the per-address cap are refused",
          "[http-listener]") {
  TempDir dir;
  BrokerProcess broker(
      dir.path() + "/var",
      {"--http-max-connections-per-ip", "3", "--http-idle-timeout-seconds",
       "120", "--http-request-timeout-seconds", "120"});
  REQUIRE(broker.Start().ok());
  const int port = std::stoi(broker.http_address().substr(10));
  std::vector<std::unique_ptr<RawConn>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawConn>(port));
    REQUIRE(held.back()->connected());
    REQUIRE(held.back()->Get("/healthz") == 200);
  }
  RawConn over(port);
  CHECK(over.Get("/healthz") == -1);
  CHECK(over.ClosedWithin(absl::Seconds(30)));
  // Another client address is served; the held connections still are.
  RawConn other(port, "127.0.0.2");
  REQUIRE(other.connected());
  CHECK(other.Get("/healthz") == 200);
  for (auto& h : held) CHECK(h->Get("/healthz") == 200);
}

TEST_CASE("an idle connection is closed after http_idle_timeout_seconds",
          "[http-listener]") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var",
                       {"--http-idle-timeout-seconds", "1",
                        "--http-request-timeout-seconds", "600"});
  REQUIRE(broker.Start().ok());
  const int port = std::stoi(broker.http_address().substr(10));
  RawConn kept(port);
  REQUIRE(kept.connected());
  REQUIRE(kept.Get("/healthz") == 200);
  CHECK(kept.ClosedWithin(absl::Seconds(60)));
  RawConn silent(port);
  REQUIRE(silent.connected());
  CHECK(silent.ClosedWithin(absl::Seconds(60)));
}

}  // namespace
}  // namespace accord::testing
