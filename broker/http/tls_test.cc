#include "broker/http/tls.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/dev/dev_pki.h"
#include "broker/http/client.h"
#include "broker/http/server.h"

namespace accord::http {
namespace {

namespace fs = std::filesystem;

// A development PKI (CA, server certificate for localhost and 127.0.0.1) in
// a temporary directory.
struct Pki {
  std::string dir;
  Pki() {
    std::signal(SIGPIPE, SIG_IGN);  // as the broker does (see server.h)
    std::string pattern =
        (fs::temp_directory_path() / "accord-tls-test-XXXXXX").string();
    dir = mkdtemp(pattern.data());
    REQUIRE(dev::EnsureDevPki(dir, {}).ok());
  }
  ~Pki() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string Path(const char* name) const { return dir + "/" + name; }
};

std::unique_ptr<HttpServer> StartTls(const Pki& pki, Router router) {
  auto tls =
      TlsServerContext::Load(pki.Path("server.pem"), pki.Path("server.key"));
  REQUIRE(tls.ok());
  HttpServer::Options options;
  options.tls = *tls;
  auto server = HttpServer::Start("127.0.0.1:0", std::move(router), options);
  REQUIRE(server.ok());
  return *std::move(server);
}

TEST_CASE("The listener serves HTTPS to clients that trust its CA",
          "[http][tls]") {
  Pki pki;
  const std::string big(1 << 20, 'b');  // many TLS records, partial writes
  Router router;
  router.Get("/x", [] { return Response{200, "text/plain", {}, "hello"}; });
  router.Get("/big", [big] { return Response{200, "text/plain", {}, big}; });
  auto server = StartTls(pki, std::move(router));
  auto client = TlsClientContext::Load(pki.Path("ca.pem"));
  REQUIRE(client.ok());

  for (const char* host : {"127.0.0.1", "localhost"}) {
    INFO(host);
    auto r = HttpsGet(absl::StrCat(host, ":", server->port()), "/x", **client,
                      absl::Seconds(10));
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(r->body == "hello");
  }
  auto r = HttpsGet(absl::StrCat("127.0.0.1:", server->port()), "/big",
                    **client, absl::Seconds(30));
  REQUIRE(r.ok());
  CHECK(r->body == big);
}

TEST_CASE("A TLS listener gives plain HTTP nothing", "[http][tls]") {
  Pki pki;
  Router router;
  router.Get("/x", [] { return Response{200, "text/plain", {}, "hello"}; });
  auto server = StartTls(pki, std::move(router));
  auto r = HttpGet(absl::StrCat("127.0.0.1:", server->port()), "/x",
                   absl::Seconds(10));
  CHECK_FALSE(r.ok());
  // The listener still serves TLS clients afterwards.
  auto client = TlsClientContext::Load(pki.Path("ca.pem"));
  REQUIRE(client.ok());
  auto good = HttpsGet(absl::StrCat("127.0.0.1:", server->port()), "/x",
                       **client, absl::Seconds(10));
  REQUIRE(good.ok());
  CHECK(good->status == 200);
}

TEST_CASE("A client that does not trust the server's CA fails the handshake",
          "[http][tls]") {
  Pki pki;
  Pki other;
  Router router;
  router.Get("/x", [] { return Response{200, "text/plain", {}, "hello"}; });
  auto server = StartTls(pki, std::move(router));
  auto client = TlsClientContext::Load(other.Path("ca.pem"));
  REQUIRE(client.ok());
  auto r = HttpsGet(absl::StrCat("127.0.0.1:", server->port()), "/x", **client,
                    absl::Seconds(10));
  CHECK(r.status().code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("TLS material that is missing or mismatched is refused",
          "[http][tls]") {
  Pki pki;
  Pki other;
  CHECK(TlsServerContext::Load(pki.Path("missing.pem"), pki.Path("server.key"))
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  CHECK(TlsServerContext::Load(pki.Path("server.pem"), pki.Path("missing.key"))
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  // A key that belongs to another certificate.
  CHECK(TlsServerContext::Load(pki.Path("server.pem"), other.Path("server.key"))
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  // A key where the certificate should be.
  CHECK(TlsServerContext::Load(pki.Path("server.key"), pki.Path("server.key"))
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  CHECK(TlsClientContext::Load(pki.Path("missing.pem")).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace accord::http
