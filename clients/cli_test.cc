#include "clients/cli.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/build_info.h"
#include "broker/formats/json.h"
#include "clients/commands.h"

namespace accord::client {
namespace {

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result Run(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  auto no_env = [](const char*) -> std::optional<std::string> {
    return std::nullopt;
  };
  int code = RunCli(args, out, err, no_env, 1777636800);
  return {code, out.str(), err.str()};
}

TEST_CASE("cli: help exits 0 and prints usage on stdout") {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"--help"},
           {"dataset", "--help"},
           {"admin", "principal", "add", "-h"},
           {"--help", "consent", "give"}}) {
    Result r = Run(args);
    CHECK(r.code == kExitOk);
    CHECK(absl::StrContains(r.out, "accord"));
    CHECK(r.err.empty());
  }
  CHECK(
      absl::StrContains(Run({"grant", "request", "--help"}).out, "--audience"));
}

TEST_CASE("cli: --version prints the version and the commit") {
  Result r = Run({"--version"});
  CHECK(r.code == kExitOk);
  CHECK(r.out == VersionLine("accord"));
  CHECK(absl::StartsWith(r.out,
                         absl::StrCat("accord ", BuildVersion(), " (commit ")));
  CHECK(r.err.empty());
}

TEST_CASE("cli: every command of the tree exists") {
  const std::vector<std::vector<std::string>> tree = {
      {"dataset", "put"},
      {"dataset", "get"},
      {"dataset", "list"},
      {"policy", "put"},
      {"policy", "get"},
      {"policy", "versions"},
      {"policy", "explain"},
      {"consent", "give"},
      {"consent", "withdraw"},
      {"consent", "list"},
      {"consent", "show"},
      {"consent", "history"},
      {"grant", "request"},
      {"grant", "release"},
      {"grant", "verify"},
      {"audit", "checkpoint"},
      {"audit", "entries"},
      {"audit", "prove"},
      {"audit", "query"},
      {"audit", "verify"},
      {"admin", "principal", "add"},
      {"admin", "principal", "list"},
      {"admin", "principal", "remove"},
      {"admin", "keys", "list"},
      {"admin", "keys", "rotate"},
      {"admin", "backup"},
      {"dev", "citizen-token"},
      {"consent", "requests"},
      {"consent", "answer"},
      {"consent", "export"},
      {"consent", "notice"},
      {"request", "draft"},
      {"request", "submit"},
      {"request", "approve"},
      {"request", "reject"},
      {"request", "close"},
      {"request", "list"},
      {"request", "show"},
      {"request", "stats"}};
  for (std::vector<std::string> args : tree) {
    args.push_back("--help");
    INFO(args[0] << " " << args[1]);
    Result r = Run(args);
    CHECK(r.code == kExitOk);
    CHECK(absl::StrContains(r.out, "usage: accord " + args[0] + " " + args[1]));
  }
}

TEST_CASE("cli: usage errors exit 2 before any connection") {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {},
           {"nope"},
           {"dataset"},
           {"dataset", "frobnicate"},
           {"dataset", "get"},
           {"dataset", "get", "a", "b"},
           {"dataset", "put", "--title", "t"},
           {"dataset", "put", "--id", "x", "--classification", "secret"},
           {"dataset", "list", "--unknown"},
           {"dataset", "list", "--output", "xml"},
           {"policy", "put", "d", "policy.txt"},
           {"consent", "give", "--dataset", "d", "--purpose", "p"},
           {"consent", "give", "--dataset", "d", "--purpose", "p", "--partner",
            "a", "--category", "b"},
           {"consent", "give", "--dataset", "d", "--purpose", "p", "--partner",
            "a", "--expires", "soon"},
           {"grant", "request", "--dataset", "d", "--purpose", "p"},
           {"grant", "request", "--dataset", "d", "--purpose", "p",
            "--audience", "a", "--lifetime", "-3"},
           {"audit", "prove"},
           {"audit", "prove", "--index", "1", "--grant", "g"},
           {"audit", "query", "--decision", "maybe"},
           {"admin", "principal", "add", "--id", "x", "--role", "king"},
           {"admin", "keys", "rotate", "--alg", "RS256"},
           {"dataset", "list", "--as", "operator"},
           {"dataset", "put", "--file", "d.yaml", "--id", "x"},
           {"request", "draft"},
           {"request", "draft", "extra", "--file", "r.yaml"},
           {"request", "draft", "--file", "r.yaml", "--request="},
           {"request", "submit"},
           {"request", "approve", "r1", "r2"},
           {"request", "reject", "r1"},
           {"request", "reject", "r1", "--reason", ""},
           {"request", "close"},
           {"request", "list", "--state", "maybe"},
           {"request", "show", "r1", "--lang", "de"},
           {"request", "stats"},
           {"consent", "answer", "r1"},
           {"consent", "answer", "r1", "--accept", "--refuse"},
           {"consent", "answer", "--accept"},
           {"consent", "answer", "r1", "--refuse", "--lang", "es"},
           {"consent", "requests", "extra"},
           {"consent", "notice"},
           {"consent", "notice", "r1", "--lang", "it"},
           {"consent", "answer", "r1", "--accept", "--version", "1"},
           {"consent", "answer", "r1", "--accept", "--notice-hash", "ab"},
           {"consent", "answer", "r1", "--accept", "--version", "x",
            "--notice-hash", "ab"},
           {"consent", "export", "extra"},
       }) {
    Result r = Run(args);
    INFO(r.err);
    CHECK(r.code == kExitUsage);
    CHECK(r.out.empty());
    CHECK(absl::StrContains(r.err, "accord: INVALID_ARGUMENT: "));
  }
}

TEST_CASE("cli: offline verification fails closed on a missing key set") {
  Result verify =
      Run({"grant", "verify", "tok", "--jwks", "/nonexistent/jwks.json"});
  CHECK(verify.code != 0);
  CHECK(verify.out.empty());
  CHECK(absl::StartsWith(verify.err, "accord: "));
  Result usage = Run({"grant", "verify"});
  CHECK(usage.code == kExitUsage);
  CHECK(usage.out.empty());
}

TEST_CASE("cli: RPC errors exit 1 with one line on stderr") {
  // Nothing listens on port 1: the call fails as UNAVAILABLE.
  Result r =
      Run({"dataset", "list", "--broker", "127.0.0.1:1", "--output", "json"});
  CHECK(r.code == kExitError);
  CHECK(r.out.empty());
  CHECK(absl::StartsWith(r.err, "accord: UNAVAILABLE: "));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("cli: a bad request file is an error naming the file and key") {
  const std::string path = "/tmp/accord-cli-test-request.yaml";
  {
    std::ofstream file(path);
    file << "dataset: d\npurpose: p\nfields: [a]\nconsent_duration: forever\n";
  }
  Result r =
      Run({"request", "draft", "--file", path, "--broker", "127.0.0.1:1"});
  std::remove(path.c_str());
  CHECK(r.code == kExitError);
  CHECK(r.out.empty());
  CHECK(absl::StartsWith(r.err, "accord: INVALID_ARGUMENT: " + path + ":4:"));
  CHECK(absl::StrContains(r.err, "consent_duration: expected a duration"));
  CHECK(absl::StrContains(r.err, "title: required"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  Result missing = Run({"request", "draft", "--file", "/nonexistent/r.yaml"});
  CHECK(missing.code == kExitError);
  CHECK(absl::StrContains(missing.err, "/nonexistent/r.yaml"));
}

TEST_CASE("cli: missing dev files are errors naming the file") {
  Result r = Run({"dataset", "list", "--dev=/nonexistent", "--as", "op"});
  CHECK(r.code == kExitError);
  CHECK(absl::StrContains(r.err, "NOT_FOUND"));
  CHECK(absl::StrContains(r.err, "/nonexistent/dev-pki/ca.pem"));
  Result token = Run({"dev", "citizen-token", "alice", "--dev=/nonexistent"});
  CHECK(token.code == kExitError);
  CHECK(token.out.empty());
}

}  // namespace
}  // namespace accord::client
