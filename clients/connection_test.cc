#include "clients/connection.h"

#include <catch2/catch.hpp>
#include <map>

#include "broker/cmdline/usage_error.h"

namespace accord::client {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

absl::StatusOr<ConnectionSettings> Resolve(
    const std::vector<std::string>& args,
    std::map<std::string, std::string> env = {}) {
  auto parsed = cmdline::ParseFlags(args, ConnectionFlagSpecs());
  if (!parsed.ok()) return parsed.status();
  return ResolveConnection(*parsed, FakeEnv(std::move(env)));
}

TEST_CASE("connection: broker address from flag, env, default") {
  CHECK(Resolve({})->target == "127.0.0.1:7443");
  CHECK(Resolve({}, {{"ACCORD_GRPC_ADDR", "b:1"}})->target == "b:1");
  CHECK(Resolve({"--broker", "c:2"}, {{"ACCORD_GRPC_ADDR", "b:1"}})->target ==
        "c:2");
  CHECK(cmdline::IsUsageError(Resolve({"--broker="}).status()));
  CHECK(Resolve({})->timeout_seconds == 30);
  CHECK(Resolve({"--timeout", "120"})->timeout_seconds == 120);
  CHECK(cmdline::IsUsageError(Resolve({"--timeout", "0"}).status()));
  CHECK(cmdline::IsUsageError(Resolve({"--timeout", "86401"}).status()));
}

TEST_CASE("connection: explicit TLS files and token") {
  auto s = Resolve(
      {"--ca", "ca.pem", "--cert", "p.pem", "--key", "p.key", "--token", "T"});
  REQUIRE(s.ok());
  CHECK(s->ca_path == "ca.pem");
  CHECK(s->cert_path == "p.pem");
  CHECK(s->key_path == "p.key");
  CHECK(s->token == "T");
  CHECK(s->citizen_name.empty());
  CHECK(cmdline::IsUsageError(Resolve({"--cert", "p.pem"}).status()));
  CHECK(cmdline::IsUsageError(Resolve({"--key", "p.key"}).status()));
}

TEST_CASE("connection: --dev --as uses the dev PKI") {
  auto s = Resolve({"--dev=/d", "--as", "operator"});
  REQUIRE(s.ok());
  CHECK(s->ca_path == "/d/dev-pki/ca.pem");
  CHECK(s->cert_path == "/d/dev-pki/operator.pem");
  CHECK(s->key_path == "/d/dev-pki/operator.key");
  CHECK(s->token.empty());
  CHECK(s->citizen_name.empty());

  auto env = Resolve({"--dev", "--as", "p"}, {{"ACCORD_DATA_DIR", "/e"}});
  REQUIRE(env.ok());
  CHECK(env->cert_path == "/e/dev-pki/p.pem");
  auto fallback = Resolve({"--dev", "--as", "p"});
  REQUIRE(fallback.ok());
  CHECK(fallback->ca_path == "./var/dev-pki/ca.pem");
}

TEST_CASE("connection: --dev DIR takes only what looks like a data dir") {
  auto parsed =
      cmdline::ParseFlags({"--dev", "/d", "--as", "p"}, ConnectionFlagSpecs());
  REQUIRE(parsed.ok());
  CHECK(parsed->Get("dev") == "/d");
  auto dot =
      cmdline::ParseFlags({"--dev", "./var", "x"}, ConnectionFlagSpecs());
  REQUIRE(dot.ok());
  CHECK(dot->Get("dev") == "./var");
  CHECK(dot->positionals() == std::vector<std::string>{"x"});
  // A command word is not swallowed, even if a directory has its name.
  auto word =
      cmdline::ParseFlags({"--dev", "policy", "get"}, ConnectionFlagSpecs());
  REQUIRE(word.ok());
  CHECK(word->Get("dev") == "");
  CHECK(word->positionals() == std::vector<std::string>{"policy", "get"});
}

TEST_CASE("connection: --dev --citizen uses citizen-app and the issuer") {
  auto s = Resolve({"--dev=/d", "--citizen", "alice"});
  REQUIRE(s.ok());
  CHECK(s->cert_path == "/d/dev-pki/citizen-app.pem");
  CHECK(s->key_path == "/d/dev-pki/citizen-app.key");
  CHECK(s->citizen_name == "alice");
  CHECK(s->issuer_key_path == "/d/dev-pki/citizen-issuer.key");
}

TEST_CASE("connection: conflicting or incomplete dev flags are usage errors") {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"--as", "operator"},
           {"--citizen", "a"},
           {"--dev=/d"},
           {"--dev=/d", "--as", "o", "--citizen", "a"},
           {"--dev=/d", "--as", "o", "--ca", "x.pem"},
           {"--dev=/d", "--as", "o", "--cert", "x.pem"},
           {"--dev=/d", "--citizen", "a", "--token", "T"},
           {"--dev=/d", "--as", ""},
       }) {
    auto s = Resolve(args);
    REQUIRE_FALSE(s.ok());
    CHECK(cmdline::IsUsageError(s.status()));
  }
}

TEST_CASE("connection: missing TLS files are reported by path") {
  ConnectionSettings settings;
  settings.target = "127.0.0.1:1";
  settings.ca_path = "/nonexistent/ca.pem";
  auto c = Connection::Open(settings, 0);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == absl::StatusCode::kNotFound);
  CHECK(ReadSmallFile("/").status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace accord::client
