// Secrets never leave the broker through its logs, its metrics or the CLI's
// error messages: private keys, the pseudonym secret, citizen tokens and
// grant tokens, after a full workload driven through the real CLI.
#include <catch2/catch.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "broker/crypto/signing_key.h"
#include "broker/dev/dev_layout.h"
#include "broker/formats/base64url.h"
#include "broker/http/client.h"
#include "clients/dev_token.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

namespace fs = std::filesystem;

// A named secret and the forms it could leak in.
struct Secret {
  std::string name;
  std::vector<std::string> forms;
};

// The base64 body of each PEM block in `pem`: every body line of 16+
// characters, and the whole body joined.
std::vector<std::string> PemForms(const std::string& pem) {
  std::vector<std::string> forms;
  std::string body;
  for (absl::string_view line : absl::StrSplit(pem, '\n')) {
    if (line.empty() || absl::StartsWith(line, "-----")) continue;
    body += std::string(line);
    if (line.size() >= 16) forms.emplace_back(line);
  }
  if (!body.empty()) forms.push_back(body);
  return forms;
}

// Every private key under the data directory (keys/ and the dev PKI) and
// the pseudonym secret.
std::vector<Secret> KeyMaterial(const std::string& data_dir) {
  std::vector<Secret> out;
  for (const std::string& dir : {data_dir + "/keys", data_dir + "/dev-pki"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string path = entry.path().string();
      const std::string text = ReadAll(path);
      if (absl::StrContains(text, "PRIVATE KEY")) {
        out.push_back({path, PemForms(text)});
      }
    }
  }
  const std::string secret = ReadAll(data_dir + "/keys/pseudonym.secret");
  REQUIRE(secret.size() >= 32);
  const std::string hex = absl::BytesToHexString(secret);
  out.push_back(
      {"pseudonym secret",
       {hex, absl::AsciiStrToUpper(hex), formats::Base64Encode(secret),
        formats::Base64UrlEncode(secret)}});
  return out;
}

// JWTs (three base64url parts starting with '{"') in `text`.
std::vector<std::string> Jwts(const std::string& text) {
  static const std::regex kJwt(
      R"(eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)");
  std::vector<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), kJwt), end; it != end;
       ++it) {
    out.push_back(it->str());
  }
  return out;
}

// The string `key` of member `object` of `json` (or of `json` itself).
std::string Field(const formats::JsonValue& json, const char* object,
                  const char* key) {
  const formats::JsonValue* o = json.Find(object);
  if (o == nullptr) o = &json;
  const formats::JsonValue* v = o->Find(key);
  return v != nullptr && v->AsString() != nullptr ? *v->AsString() : "";
}

// Fails with the first line of `haystack` holding a form of a secret.
void ExpectNoSecret(const std::string& where, const std::string& haystack,
                    const std::vector<Secret>& secrets) {
  for (const Secret& s : secrets) {
    for (const std::string& form : s.forms) {
      if (form.empty()) continue;
      const size_t at = haystack.find(form);
      if (at == std::string::npos) continue;
      const size_t begin = haystack.rfind('\n', at);
      const size_t end = haystack.find('\n', at);
      const std::string line = haystack.substr(
          begin == std::string::npos ? 0 : begin + 1,
          end == std::string::npos
              ? std::string::npos
              : end - (begin == std::string::npos ? 0 : begin + 1));
      FAIL(where << " holds " << s.name << " in: " << line);
    }
  }
}

TEST_CASE(
    "no key, pseudonym secret, citizen token or grant token reaches "
    "the logs, the metrics or CLI errors",
    "[secrets][integration]") {
  TempDir dir;
  BrokerProcess broker(dir.path());
  REQUIRE(broker.Start().ok());
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto issuer = crypto::SigningKey::ReadPemFile(dev::IssuerKeyPath(dir.path()));
  REQUIRE(issuer.ok());
  std::vector<Secret> tokens;
  auto mint = [&](const std::string& who, int64_t at) {
    auto t = client::MintDevCitizenToken(*issuer, who, at);
    REQUIRE(t.ok());
    tokens.push_back({"citizen token of " + who, {*t}});
    return *t;
  };
  const std::string alice = mint("alice", now);
  const std::string bob = mint("bob", now);
  const std::string expired = mint("carol", now - 7200);

  std::vector<CliResult> runs;
  auto cli = [&](std::vector<std::string> args) {
    args.push_back("--output");
    args.push_back("json");
    runs.push_back(broker.Cli(std::move(args)));
    return runs.back();
  };
  const std::vector<std::string> household = {
      "--dataset", "rennes.energy.household-consumption", "--purpose",
      "research-and-development"};
  auto give = [&](const std::string& token) {
    std::vector<std::string> a = {"consent",     "give",        "--as",
                                  "citizen-app", "--token",     token,
                                  "--partner",   "partner-demo"};
    a.insert(a.end(), household.begin(), household.end());
    return cli(a);
  };
  CliResult given = give(alice);
  REQUIRE(given.exit_code == 0);
  REQUIRE(give(bob).exit_code == 0);
  CliResult refused = give(expired);
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("UNAUTHENTICATED") != std::string::npos);
  const std::string subject = Field(given.json, "consent", "subject");
  REQUIRE(!subject.empty());

  std::vector<std::string> request = {"grant",      "request",
                                      "--as",       "partner-demo",
                                      "--audience", "data.rennes.example",
                                      "--subjects", subject};
  request.insert(request.end(), household.begin(), household.end());
  CliResult granted = cli(request);
  REQUIRE(granted.exit_code == 0);
  std::vector<std::string> grant_tokens = Jwts(granted.out);
  REQUIRE(!grant_tokens.empty());
  for (const std::string& t : grant_tokens) {
    tokens.push_back({"grant token", {t}});
  }
  CHECK(cli({"consent", "list", "--as", "citizen-app", "--token", alice})
            .exit_code == 0);
  CHECK(cli({"consent", "history", "--as", "citizen-app", "--token", alice})
            .exit_code == 0);
  CHECK(cli({"audit", "entries", "--as", "auditor-demo"}).exit_code == 0);
  CHECK(cli({"audit", "checkpoint", "--as", "auditor-demo"}).exit_code == 0);
  CHECK(cli({"admin", "keys", "rotate", "--as", "operator"}).exit_code == 0);
  // Errors: another citizen's consent, a role outside the table, a token
  // sent where it is not the caller's.
  auto refused_with = [](const CliResult& r, const std::string& code) {
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(code) != std::string::npos);
  };
  refused_with(cli({"consent", "withdraw", Field(given.json, "consent", "id"),
                    "--as", "citizen-app", "--token", bob}),
               "NOT_FOUND");
  refused_with(cli({"admin", "keys", "rotate", "--as", "partner-demo",
                    "--token", alice}),
               "PERMISSION_DENIED");
  refused_with(cli({"consent", "list", "--as", "citizen-app", "--token",
                    grant_tokens.front()}),
               "UNAUTHENTICATED");

  auto metrics =
      http::HttpGet(broker.http_address(), "/metrics", absl::Seconds(30));
  REQUIRE(metrics.ok());
  std::vector<Secret> secrets = KeyMaterial(dir.path());
  secrets.insert(secrets.end(), tokens.begin(), tokens.end());
  CHECK(secrets.size() > 10);

  ExpectNoSecret("the broker log", broker.log(), secrets);
  ExpectNoSecret("/metrics", metrics->body, secrets);
  int errors = 0;
  for (const CliResult& r : runs) {
    ExpectNoSecret("CLI stderr", r.err, secrets);
    if (r.exit_code != 0) {
      ++errors;
      ExpectNoSecret("CLI output of a failed command", r.out, secrets);
    }
  }
  CHECK(errors == 4);
}

}  // namespace
}  // namespace accord::testing
