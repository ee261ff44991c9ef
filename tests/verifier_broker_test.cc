// The grant verifier's gRPC side against the real broker in dev mode: the
// JWKS from TrustService.GetVerificationKeys over mutual TLS, and the
// RevocationWatcher following WatchRevocations, resuming after a broken
// stream without losing what was revoked meanwhile.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "broker/dev/dev_pki.h"
#include "clients/verifier/broker_keys.h"
#include "clients/verifier/grant_verifier.h"
#include "clients/verifier/revocation_watcher.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

constexpr char kPersonal[] = "rennes.energy.household-consumption";
constexpr char kPurpose[] = "research-and-development";
constexpr char kAudience[] = "data.rennes.example";

// A TCP relay on 127.0.0.1 towards `upstream_port`, which a test can cut:
// every relayed connection is closed and new ones are refused until Resume.
class TcpProxy {
 public:
  explicit TcpProxy(int upstream_port) : upstream_port_(upstream_port) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(listen_fd_, 16);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~TcpProxy() {
    stop_ = true;
    accept_thread_.join();
    Cut();
    for (std::thread& t : pumps_) t.join();
    close(listen_fd_);
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

  void Cut() {
    absl::MutexLock l(&mu_);
    refusing_ = true;
    for (int fd : open_) shutdown(fd, SHUT_RDWR);
  }
  void Resume() {
    absl::MutexLock l(&mu_);
    refusing_ = false;
  }
  int accepted() const {
    absl::MutexLock l(&mu_);
    return accepted_;
  }

 private:
  void AcceptLoop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      int client = accept(listen_fd_, nullptr, nullptr);
      if (client < 0) continue;
      absl::MutexLock l(&mu_);
      ++accepted_;
      if (refusing_) {
        close(client);
        continue;
      }
      int upstream = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
      if (connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) !=
          0) {
        close(client);
        close(upstream);
        continue;
      }
      open_.push_back(client);
      open_.push_back(upstream);
      pumps_.emplace_back([this, client, upstream] { Pump(client, upstream); });
    }
  }

  void Pump(int a, int b) {
    char buffer[16384];
    pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    bool open = true;
    while (open && !stop_) {
      if (poll(p, 2, 100) <= 0) continue;
      for (int i = 0; i < 2 && open; ++i) {
        if (p[i].revents == 0) continue;
        ssize_t n = read(p[i].fd, buffer, sizeof(buffer));
        if (n <= 0 || write(p[1 - i].fd, buffer, static_cast<size_t>(n)) != n) {
          open = false;
        }
      }
    }
    absl::MutexLock l(&mu_);
    std::erase(open_, a);
    std::erase(open_, b);
    close(a);
    close(b);
  }

  const int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  bool refusing_ ABSL_GUARDED_BY(mu_) = false;
  int accepted_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<int> open_ ABSL_GUARDED_BY(mu_);
  std::thread accept_thread_;
  // Only the accept thread adds; joined by the destructor after it stopped.
  std::vector<std::thread> pumps_;
};

int PortOf(const std::string& address) {
  return std::stoi(address.substr(address.rfind(':') + 1));
}

verifier::BrokerEndpoint Endpoint(const BrokerProcess& broker,
                                  const std::string& principal,
                                  const std::string& target = "") {
  const std::string pki = broker.data_dir() + "/dev-pki";
  verifier::BrokerEndpoint e;
  e.target = target.empty() ? broker.grpc_address() : target;
  e.ca_file = pki + "/ca.pem";
  e.cert_file = pki + "/" + principal + ".pem";
  e.key_file = pki + "/" + principal + ".key";
  return e;
}

const formats::JsonValue* FirstGrant(const CliResult& r) {
  const formats::JsonValue* grants = r.json.Find("grants");
  if (grants == nullptr || grants->AsArray() == nullptr ||
      grants->AsArray()->size() != 1) {
    return nullptr;
  }
  return &grants->AsArray()->at(0);
}

// `citizen` consents; the partner gets a grant naming her. Returns the
// consent id and the grant (empty strings on failure).
struct Consented {
  std::string consent_id;
  std::string grant_id;
  std::string token;
};
Consented ConsentAndGrant(const BrokerProcess& broker,
                          const std::string& citizen) {
  Consented out;
  CliResult given = broker.Cli(
      {"consent", "give", "--dataset", kPersonal, "--purpose", kPurpose,
       "--partner", "partner-demo", "--citizen", citizen, "--output", "json"});
  if (given.exit_code != 0) return out;
  out.consent_id = given.json.Find("consent")->GetString("id").value_or("");
  const std::string subject =
      given.json.Find("consent")->GetString("subject").value_or("");
  CliResult grant =
      broker.Cli({"grant", "request", "--dataset", kPersonal, "--purpose",
                  kPurpose, "--audience", kAudience, "--subjects", subject,
                  "--as", "partner-demo", "--output", "json"});
  const formats::JsonValue* g = FirstGrant(grant);
  if (g == nullptr) return out;
  out.grant_id = g->GetString("id").value_or("");
  out.token = g->GetString("token").value_or("");
  return out;
}

TEST_CASE("the verifier takes the broker's keys over gRPC with mutual TLS") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const std::string pki = broker.data_dir() + "/dev-pki";

  auto loader = verifier::BrokerKeysLoader(Endpoint(broker, "producer-demo"));
  REQUIRE(loader.ok());
  auto keys = verifier::JwksSource::FromLoader(*std::move(loader), {});
  INFO(keys.status());
  REQUIRE(keys.ok());
  // The same set as the HTTP endpoint.
  verifier::JwksSource::Options http;
  http.allow_loopback_http = true;
  auto over_http = verifier::JwksSource::Open(
      absl::StrCat("http://", broker.http_address(), "/.well-known/jwks.json"),
      http);
  REQUIRE(over_http.ok());
  REQUIRE(!(*keys)->Kids().empty());
  CHECK((*keys)->Kids() == (*over_http)->Kids());

  // A real grant verifies with them, bound to the partner's certificate.
  Consented c = ConsentAndGrant(broker, "alice");
  REQUIRE(!c.token.empty());
  verifier::GrantVerifierOptions o;
  o.audience = kAudience;
  verifier::GrantVerifier v(*std::move(keys), o);
  auto grant =
      v.VerifyForCertificate(c.token, ReadAll(pki + "/partner-demo.pem"));
  INFO(grant.status());
  REQUIRE(grant.ok());
  CHECK(grant->id == c.grant_id);

  SECTION("a client certificate from another CA gets no keys") {
    REQUIRE(dev::CreateCertificateAuthority(dir.path(), "rogue-ca").ok());
    auto rogue_ca = dev::ReadIssuedCertificate(dir.path(), "rogue-ca");
    REQUIRE(rogue_ca.ok());
    dev::CertificateSpec spec;
    spec.common_name = "producer-demo";
    spec.uri_sans = {"urn:accord:principal:producer-demo"};
    spec.not_before = absl::ToUnixSeconds(absl::Now()) - 60;
    spec.not_after = spec.not_before + 3600;
    auto rogue = dev::IssueCertificate(*rogue_ca, spec);
    REQUIRE(rogue.ok());
    REQUIRE(dev::WriteIssuedCertificate(*rogue, dir.path(), "rogue").ok());
    verifier::BrokerEndpoint e = Endpoint(broker, "producer-demo");
    e.cert_file = dir.path() + "/rogue.pem";
    e.key_file = dir.path() + "/rogue.key";
    auto rogue_loader = verifier::BrokerKeysLoader(e);
    REQUIRE(rogue_loader.ok());
    auto refused =
        verifier::JwksSource::FromLoader(*std::move(rogue_loader), {});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == absl::StatusCode::kUnavailable);
  }
  SECTION("no call without a client certificate") {
    verifier::BrokerEndpoint e = Endpoint(broker, "producer-demo");
    e.key_file.clear();
    CHECK(verifier::BrokerKeysLoader(e).status().code() ==
          absl::StatusCode::kInvalidArgument);
    e = Endpoint(broker, "producer-demo");
    e.cert_file = dir.path() + "/none.pem";
    CHECK(verifier::BrokerKeysLoader(e).status().code() ==
          absl::StatusCode::kNotFound);
  }
}

TEST_CASE(
    "the revocation watcher resumes after a broken stream without losing "
    "revocations") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  TcpProxy proxy(PortOf(broker.grpc_address()));

  Consented alice = ConsentAndGrant(broker, "alice");
  REQUIRE(!alice.grant_id.empty());
  Consented bob = ConsentAndGrant(broker, "bob");
  REQUIRE(!bob.grant_id.empty());

  verifier::RevocationWatcher::Options o;
  o.initial_backoff = absl::Milliseconds(50);
  o.max_backoff = absl::Milliseconds(400);
  auto watcher = verifier::RevocationWatcher::Start(
      Endpoint(broker, "producer-demo", proxy.address()), o);
  REQUIRE(watcher.ok());
  std::shared_ptr<const verifier::RevokedGrants> revoked =
      (*watcher)->revoked();
  REQUIRE(WaitUntil([&] { return revoked->Check(alice.grant_id).ok(); }));

  CliResult withdrawn = broker.Cli(
      {"consent", "withdraw", alice.consent_id, "--citizen", "alice"});
  REQUIRE(withdrawn.exit_code == 0);
  REQUIRE(WaitUntil([&] {
    return revoked->Check(alice.grant_id).code() ==
           absl::StatusCode::kPermissionDenied;
  }));
  const uint64_t seen = (*watcher)->last_revision();
  CHECK(seen > 0);
  CHECK(revoked->Check(bob.grant_id).ok());

  // The stream breaks; Bob withdraws while the watcher cannot reach the
  // broker; it keeps trying, and once back it catches up.
  proxy.Cut();
  const int accepted = proxy.accepted();
  CliResult bob_withdrawn =
      broker.Cli({"consent", "withdraw", bob.consent_id, "--citizen", "bob"});
  REQUIRE(bob_withdrawn.exit_code == 0);
  REQUIRE(WaitUntil([&] { return proxy.accepted() >= accepted + 2; }));
  CHECK(revoked->Check(bob.grant_id).ok());  // not seen yet
  proxy.Resume();
  REQUIRE(WaitUntil([&] {
    return revoked->Check(bob.grant_id).code() ==
           absl::StatusCode::kPermissionDenied;
  }));
  CHECK((*watcher)->last_revision() > seen);
  CHECK((*watcher)->streams_opened() >= 3);
  // Alice's revocation is still held (it was not lost with the stream).
  CHECK(revoked->Check(alice.grant_id).code() ==
        absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace accord::testing
