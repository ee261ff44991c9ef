#include "clients/verifier/jwks_source.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/crypto/signing_key.h"
#include "broker/http/server.h"

namespace accord::verifier {
namespace {

using crypto::Algorithm;
using crypto::SigningKey;

std::string JwksJson(const SigningKey& key) {
  return crypto::Jwks::FromKeys({&key}).ToJson();
}

TEST_CASE("a JWKS URL is fetched over HTTP") {
  SigningKey key = *SigningKey::Generate(Algorithm::kES256);
  auto hits = std::make_shared<std::atomic<int>>(0);
  http::Router router;
  const std::string body = JwksJson(key);
  router.Get("/.well-known/jwks.json", [body, hits] {
    ++*hits;
    http::Response r;
    r.content_type = "application/json";
    r.body = body;
    return r;
  });
  router.Get("/missing", [] { return http::Response{404, "text/plain", {}, "no"}; });
  auto server = http::HttpServer::Start("127.0.0.1:0", router);
  REQUIRE(server.ok());
  const std::string base = absl::StrCat("http://127.0.0.1:", (*server)->port());

  JwksSource::Options o;
  o.min_refresh_interval = absl::ZeroDuration();
  auto source = JwksSource::Open(base + "/.well-known/jwks.json", o);
  INFO(source.status());
  REQUIRE(source.ok());
  CHECK(*hits == 1);
  REQUIRE((*source)->Current()->Find(key.kid()) != nullptr);
  auto refreshed = (*source)->RefreshAfterUnknownKid();
  REQUIRE(refreshed.ok());
  CHECK(*refreshed);
  CHECK(*hits == 2);

  auto missing = JwksSource::Open(base + "/missing", o);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("a JWKS location that cannot be used is refused") {
  CHECK(JwksSource::Open("https://broker.example/jwks.json").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(JwksSource::Open("").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(JwksSource::Open("/nonexistent/jwks.json").status().code() ==
        absl::StatusCode::kNotFound);
  // A port nothing listens on (the server is shut down at once).
  http::Router router;
  router.Get("/", [] { return http::Response{}; });
  auto server = http::HttpServer::Start("127.0.0.1:0", router);
  REQUIRE(server.ok());
  const int port = (*server)->port();
  (*server)->Shutdown();
  server->reset();
  JwksSource::Options o;
  o.fetch_timeout = absl::Seconds(5);
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
    out << JwksJson(key);
  }
  auto source = JwksSource::Open(path);
  REQUIRE(source.ok());
  CHECK((*source)->Current()->Find(key.kid()) != nullptr);
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
