#include <httplib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "broker/crypto/jwks.h"
#include "broker/crypto/signing_key.h"
#include "broker/dev/dev_pki.h"
#include "broker/testing/wait.h"
#include "clients/verifier/grant_verifier.h"
#include "clients/verifier/key_source.h"
#include "clients/verifier/test_grants.h"

namespace accord::verifier {
namespace {

using crypto::Algorithm;
using crypto::SigningKey;

std::string JwksJson(const std::vector<const SigningKey*>& keys) {
  return crypto::Jwks::FromKeys(keys).ToJson();
}

// A fresh directory, removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "accord-jwks-XXXXXX")
            .string();
    path_ = mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A JWKS server on 127.0.0.1 made with cpp-httplib: HTTPS when given a
// certificate, plain HTTP otherwise. Serves /.well-known/jwks.json (what
// Publish set), /missing (404) and /stall (answers once released).
class JwksServer {
 public:
  JwksServer(const std::string& cert_path = "",
             const std::string& key_path = "") {
    if (cert_path.empty()) {
      server_ = std::make_unique<httplib::Server>();
    } else {
      server_ = std::make_unique<httplib::SSLServer>(cert_path.c_str(),
                                                     key_path.c_str());
    }
    server_->Get("/.well-known/jwks.json",
                 [this](const httplib::Request&, httplib::Response& res) {
                   absl::MutexLock l(&mu_);
                   ++hits_;
                   res.set_content(body_, "application/json");
                   if (!cache_control_.empty()) {
                     res.set_header("Cache-Control", cache_control_);
                   }
                 });
    server_->Get("/missing", [](const httplib::Request&,
                                httplib::Response& res) { res.status = 404; });
    server_->Get("/stall",
                 [this](const httplib::Request&, httplib::Response& res) {
                   release_.WaitForNotification();
                   res.set_content("{\"keys\":[]}", "application/json");
                 });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() is a no-op before the loop runs, so wait for it.
    running_ = port_ > 0 && ::accord::testing::WaitUntil(
                                [this] { return server_->is_running(); });
  }
  ~JwksServer() {
    if (!release_.HasBeenNotified()) release_.Notify();
    server_->stop();
    thread_.join();
  }

  // Bound and serving.
  bool valid() const { return server_->is_valid() && port_ > 0 && running_; }
  int port() const { return port_; }
  std::string Url(const std::string& scheme, const std::string& host,
                  const std::string& path = "/.well-known/jwks.json") const {
    return absl::StrCat(scheme, "://", host, ":", port_, path);
  }
  void Publish(std::string body, std::string cache_control = "") {
    absl::MutexLock l(&mu_);
    body_ = std::move(body);
    cache_control_ = std::move(cache_control);
  }
  int hits() const {
    absl::MutexLock l(&mu_);
    return hits_;
  }
  void Release() { release_.Notify(); }

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  bool running_ = false;
  std::thread thread_;
  absl::Notification release_;
  mutable absl::Mutex mu_;
  std::string body_ ABSL_GUARDED_BY(mu_);
  std::string cache_control_ ABSL_GUARDED_BY(mu_);
  int hits_ ABSL_GUARDED_BY(mu_) = 0;
};

// The dev PKI (CA, server certificate for localhost/127.0.0.1/::1) in a
// scratch directory, and a second CA that signed nothing of it.
struct Pki {
  ScratchDir dir;
  Pki() {
    REQUIRE(dev::EnsureDevPki(dir.path() + "/pki", {}).ok());
    REQUIRE(dev::CreateCertificateAuthority(dir.path(), "other-ca").ok());
  }
  std::string ca() const { return dir.path() + "/pki/ca.pem"; }
  std::string other_ca() const { return dir.path() + "/other-ca.pem"; }
  std::string cert() const { return dir.path() + "/pki/server.pem"; }
  std::string key() const { return dir.path() + "/pki/server.key"; }
};

TEST_CASE("a JWKS URL is fetched over HTTPS with the pinned CA") {
  Pki pki;
  SigningKey key = *SigningKey::Generate(Algorithm::kES256);
  JwksServer server(pki.cert(), pki.key());
  REQUIRE(server.valid());
  server.Publish(JwksJson({&key}));

  JwksSource::Options o;
  o.ca_file = pki.ca();
  o.min_refresh_interval = absl::ZeroDuration();
  for (const char* host : {"127.0.0.1", "localhost"}) {
    INFO(host);
    auto source = JwksSource::Open(server.Url("https", host), o);
    INFO(source.status());
    REQUIRE(source.ok());
    CHECK((*source)->HasKey(key.kid()));
    auto refreshed = (*source)->RefreshAfterUnknownKid();
    REQUIRE(refreshed.ok());
    CHECK(*refreshed);
  }
  CHECK(server.hits() == 4);

  SECTION("a certificate from another CA is refused") {
    o.ca_file = pki.other_ca();
    auto other = JwksSource::Open(server.Url("https", "127.0.0.1"), o);
    REQUIRE_FALSE(other.ok());
    CHECK(other.status().code() == absl::StatusCode::kUnauthenticated);
  }
  SECTION("the system store is not trusted unless asked, and then alone") {
    o.ca_file.clear();
    auto none = JwksSource::Open(server.Url("https", "127.0.0.1"), o);
    REQUIRE_FALSE(none.ok());
    CHECK(none.status().code() == absl::StatusCode::kInvalidArgument);
    o.use_system_roots = true;  // the dev CA is not in it
    auto system = JwksSource::Open(server.Url("https", "127.0.0.1"), o);
    REQUIRE_FALSE(system.ok());
    CHECK(system.status().code() == absl::StatusCode::kUnauthenticated);
  }
  SECTION("a missing CA file is NOT_FOUND") {
    o.ca_file = pki.dir.path() + "/nope.pem";
    CHECK(
        JwksSource::Open(server.Url("https", "127.0.0.1"), o).status().code() ==
        absl::StatusCode::kNotFound);
  }
  SECTION("an HTTP status other than 200 is FAILED_PRECONDITION") {
    auto missing =
        JwksSource::Open(server.Url("https", "127.0.0.1", "/missing"), o);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.status().code() == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("plain HTTP to an HTTPS server fails") {
    o.allow_loopback_http = true;
    CHECK_FALSE(JwksSource::Open(server.Url("http", "127.0.0.1"), o).ok());
  }
}

TEST_CASE("a JWKS server certificate for another host is refused") {
  Pki pki;
  auto ca = dev::ReadIssuedCertificate(pki.dir.path() + "/pki", "ca");
  REQUIRE(ca.ok());
  dev::CertificateSpec spec;
  spec.common_name = "elsewhere.example";
  spec.dns_sans = {"elsewhere.example"};
  spec.usage = dev::CertificateSpec::Usage::kServer;
  spec.not_before = absl::ToUnixSeconds(absl::Now()) - 60;
  spec.not_after = spec.not_before + 3600;
  auto elsewhere = dev::IssueCertificate(*ca, spec);
  REQUIRE(elsewhere.ok());
  REQUIRE(dev::WriteIssuedCertificate(*elsewhere, pki.dir.path(), "elsewhere")
              .ok());
  JwksServer server(pki.dir.path() + "/elsewhere.pem",
                    pki.dir.path() + "/elsewhere.key");
  REQUIRE(server.valid());
  SigningKey key = *SigningKey::Generate(Algorithm::kES256);
  server.Publish(JwksJson({&key}));
  JwksSource::Options o;
  o.ca_file = pki.ca();
  auto source = JwksSource::Open(server.Url("https", "127.0.0.1"), o);
  REQUIRE_FALSE(source.ok());
  CHECK(source.status().code() == absl::StatusCode::kUnauthenticated);
}

TEST_CASE(
    "plain HTTP JWKS URLs are refused unless allowed, and then on loopback "
    "only") {
  SigningKey key = *SigningKey::Generate(Algorithm::kEdDSA);
  JwksServer server;
  REQUIRE(server.valid());
  server.Publish(JwksJson({&key}));
  JwksSource::Options o;
  auto refused = JwksSource::Open(server.Url("http", "127.0.0.1"), o);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(server.hits() == 0);

  o.allow_loopback_http = true;
  auto allowed = JwksSource::Open(server.Url("http", "127.0.0.1"), o);
  INFO(allowed.status());
  REQUIRE(allowed.ok());
  CHECK((*allowed)->HasKey(key.kid()));
  // Not loopback: refused before any connection.
  CHECK(JwksSource::Open("http://192.0.2.1/jwks.json", o).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(
      JwksSource::Open("http://broker.example/jwks.json", o).status().code() ==
      absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a JWKS fetch is bounded by the fetch timeout") {
  JwksServer server;
  REQUIRE(server.valid());
  JwksSource::Options o;
  o.allow_loopback_http = true;
  o.fetch_timeout = absl::Milliseconds(300);
  // The server answers only once released, after the fetch gave up.
  auto stalled = JwksSource::Open(server.Url("http", "127.0.0.1", "/stall"), o);
  server.Release();
  REQUIRE_FALSE(stalled.ok());
  CHECK(stalled.status().code() == absl::StatusCode::kUnavailable);
}

TEST_CASE(
    "a JWKS is loaded again once older than its max-age, and withdrawn keys "
    "are dropped") {
  Pki pki;
  SigningKey old_key = *SigningKey::Generate(Algorithm::kES256);
  SigningKey new_key = *SigningKey::Generate(Algorithm::kES256);
  JwksServer server(pki.cert(), pki.key());
  REQUIRE(server.valid());
  server.Publish(JwksJson({&old_key}), "public, max-age=60");
  testing::TestClock clock(testing::kNow);
  JwksSource::Options o;
  o.ca_file = pki.ca();
  o.min_refresh_interval = absl::Seconds(10);
  o.now = [&clock] { return clock.Now(); };
  auto opened = JwksSource::Open(server.Url("https", "127.0.0.1"), o);
  INFO(opened.status());
  REQUIRE(opened.ok());
  std::shared_ptr<JwksSource> source = *std::move(opened);
  GrantVerifierOptions vo;
  vo.audience = testing::kAudience;
  vo.now = o.now;
  GrantVerifier verifier(source, vo);
  const std::string old_token =
      testing::Sign(old_key, testing::GrantClaims(testing::kNow, "x5t"));
  REQUIRE(verifier.VerifyUnbound(old_token).ok());

  // The broker withdraws the old key.
  server.Publish(JwksJson({&new_key}), "public, max-age=60");
  clock.Advance(59);
  auto early = source->RefreshIfStale();
  REQUIRE(early.ok());
  CHECK_FALSE(*early);
  CHECK(source->HasKey(old_key.kid()));
  CHECK(server.hits() == 1);

  clock.Advance(2);
  auto due = source->RefreshIfStale();
  REQUIRE(due.ok());
  CHECK(*due);
  CHECK(server.hits() == 2);
  CHECK(source->Kids() == std::vector<std::string>{new_key.kid()});

  // Through the verifier: past max-age it loads before checking, and the
  // withdrawn key no longer verifies.
  server.Publish(JwksJson({&new_key}), "max-age=0");
  clock.Advance(61);
  auto refused = verifier.VerifyUnbound(old_token);
  REQUIRE_FALSE(refused.ok());
  CHECK(FailedCheck(refused.status()) == GrantCheck::kKey);
  CHECK(server.hits() >= 3);
  // max-age=0 does not defeat the floor.
  const int hits = server.hits();
  clock.Advance(5);
  CHECK_FALSE(*source->RefreshIfStale());
  CHECK(server.hits() == hits);
  clock.Advance(6);
  CHECK(*source->RefreshIfStale());

  // Without Cache-Control the set is kept until an unknown kid.
  server.Publish(JwksJson({&old_key}));
  clock.Advance(11);
  CHECK(*source->RefreshIfStale());
  clock.Advance(100000);
  CHECK_FALSE(*source->RefreshIfStale());
}

TEST_CASE(
    "a deferred JWKS source loads nothing until refreshed, then retries a "
    "failed load after the floor") {
  SigningKey key = *SigningKey::Generate(Algorithm::kES256);
  testing::TestClock clock(testing::kNow);
  int calls = 0;
  bool up = false;
  JwksSource::Options o;
  o.min_refresh_interval = absl::Seconds(10);
  o.now = [&clock] { return clock.Now(); };
  auto deferred = JwksSource::Deferred(
      [&]() -> absl::StatusOr<JwksDocument> {
        ++calls;
        if (!up) return absl::UnavailableError("provider down");
        return JwksDocument(JwksJson({&key}), absl::Seconds(60));
      },
      o);
  REQUIRE(deferred.ok());
  std::unique_ptr<JwksSource> source = *std::move(deferred);
  CHECK(calls == 0);
  CHECK_FALSE(source->loaded());
  CHECK(source->Keys()->empty());
  // The first refresh loads at once; its failure leaves the set empty.
  CHECK(absl::IsUnavailable(source->RefreshIfStale().status()));
  CHECK(calls == 1);
  up = true;
  CHECK_FALSE(*source->RefreshIfStale());  // held back by the floor
  CHECK(calls == 1);
  clock.Advance(10);
  CHECK(*source->RefreshIfStale());
  CHECK(source->loaded());
  CHECK(source->Keys()->Find(key.kid()) != nullptr);
  CHECK(JwksSource::Deferred(nullptr, o).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a JWKS location that cannot be used is refused") {
  CHECK(JwksSource::Open("ftp://broker.example/jwks.json").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(JwksSource::Open("").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(JwksSource::Open("/nonexistent/jwks.json").status().code() ==
        absl::StatusCode::kNotFound);
  // A port nothing listens on.
  int port = 0;
  {
    JwksServer gone;
    REQUIRE(gone.valid());
    port = gone.port();
  }
  JwksSource::Options o;
  o.allow_loopback_http = true;
  auto down = JwksSource::Open(absl::StrCat("http://127.0.0.1:", port, "/"), o);
  REQUIRE_FALSE(down.ok());
  CHECK(down.status().code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("a JWKS file is read, and a bad one refused") {
  SigningKey key = *SigningKey::Generate(Algorithm::kEdDSA);
  char path[] = "/tmp/accord-jwks-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  {
    std::ofstream out(path);
    out << JwksJson({&key});
  }
  auto source = JwksSource::Open(path);
  REQUIRE(source.ok());
  CHECK((*source)->HasKey(key.kid()));
  {
    std::ofstream out(path);
    out << R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})";
  }
  auto symmetric = JwksSource::Open(path);
  REQUIRE_FALSE(symmetric.ok());
  CHECK(symmetric.status().code() == absl::StatusCode::kInvalidArgument);
  std::remove(path);
}

}  // namespace
}  // namespace accord::verifier
