// `accord grant request-batch` against the real broker: AccessService.
// RequestGrants answers each request of a batch on its own and in order, a
// bad request does not sink the batch, an oversized batch is refused whole,
// and the grants it issues verify offline.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/formats/base64url.h"
#include "broker/formats/json.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

using formats::JsonValue;

constexpr char kAudience[] = "data.rennes.example";
constexpr char kOpen[] = "rennes.mobility.bike-stations";
constexpr char kAirQuality[] = "rennes.environment.air-quality";

std::string Str(const JsonValue& v, const char* key) {
  const JsonValue* f = v.Find(key);
  return f != nullptr && f->AsString() != nullptr ? *f->AsString() : "";
}

const JsonValue::Elements& List(const JsonValue& v, const char* key) {
  static const JsonValue::Elements kEmpty;
  const JsonValue* f = v.Find(key);
  return f != nullptr && f->AsArray() != nullptr ? *f->AsArray() : kEmpty;
}

// The proto JSON mapping writes int32 0 as 0 (defaults included).
int64_t StatusCode(const JsonValue& result) {
  const JsonValue* code = result.Find("status_code");
  return code != nullptr ? code->AsInt64().value_or(-1) : -1;
}

std::string Outcome(const JsonValue& result) {
  const JsonValue* response = result.Find("response");
  const JsonValue* decision =
      response != nullptr ? response->Find("decision") : nullptr;
  return decision != nullptr ? Str(*decision, "outcome") : "";
}

// The grants of one batch result.
const JsonValue::Elements& Grants(const JsonValue& result) {
  static const JsonValue::Elements kEmpty;
  const JsonValue* response = result.Find("response");
  return response != nullptr ? List(*response, "grants") : kEmpty;
}

JsonValue Request(const char* dataset, const char* purpose) {
  JsonValue r = JsonValue::Object();
  r.Set("dataset_id", dataset)
      .Set("purpose", purpose)
      .Set("audience", kAudience);
  return r;
}

std::string WriteBatch(const TempDir& dir, const std::string& name,
                       const std::string& text) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream out(path);
  out << text;
  return path;
}

CliResult Batch(const BrokerProcess& broker, const std::string& path,
                bool json = true) {
  std::vector<std::string> args = {"grant", "request-batch", path, "--as",
                                   "partner-demo"};
  if (json) args.insert(args.end(), {"--output", "json"});
  return broker.Cli(args);
}

// Decisions recorded in the audit log for partner-demo.
size_t DecisionCount(const BrokerProcess& broker) {
  CliResult r =
      broker.Cli({"audit", "query", "--type", "decision", "--partner",
                  "partner-demo", "--as", "auditor-demo", "--output", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return List(r.json, "entries").size();
}

JsonValue Claims(const std::string& token) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  REQUIRE(parts.size() == 3);
  auto claims = formats::ParseJson(*formats::Base64UrlDecode(parts[1]));
  REQUIRE(claims.ok());
  return *claims;
}

TEST_CASE("a batch is answered request by request, in order") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());

  JsonValue research =
      Request(kAirQuality, "research-and-development.academic-research");
  research.Set("fields", JsonValue::Array().Push("pm25").Push("no2"));
  JsonValue short_lived = Request(kOpen, "service-provision");
  short_lived.Set("lifetime_seconds", 60);
  JsonValue no_purpose = Request(kOpen, "");
  JsonValue batch = JsonValue::Array();
  batch
      .Push(Request(kOpen, "service-provision"))           // permit
      .Push(Request(kAirQuality, "commercial.marketing"))  // deny
      .Push(Request("rennes.nowhere.no-such-dataset", "service-provision"))
      .Push(no_purpose)    // invalid
      .Push(research)      // permit
      .Push(short_lived);  // permit
  const std::string path = WriteBatch(dir, "batch.json", batch.Serialize());

  CliResult r = Batch(broker, path);
  INFO(r.err << r.out);
  REQUIRE(r.exit_code == 0);
  const JsonValue::Elements& results = List(r.json, "results");
  REQUIRE(results.size() == 6);

  // One answer per request, in the order of the file.
  const std::vector<int64_t> codes = {
      0, 0, 5 /*NOT_FOUND*/, 3 /*INVALID_ARGUMENT*/, 0, 0};
  const std::vector<std::string> outcomes = {"permit", "deny",   "",
                                             "",       "permit", "permit"};
  for (size_t i = 0; i < results.size(); ++i) {
    INFO("request " << i);
    CHECK(StatusCode(results[i]) == codes[i]);
    if (codes[i] == 0) CHECK(Outcome(results[i]) == outcomes[i]);
  }
  // The failed requests say why, each on its own.
  CHECK(absl::StrContains(Str(results[2], "status_message"), "dataset"));
  CHECK(absl::StrContains(Str(results[3], "status_message"), "purpose"));
  CHECK(Grants(results[1]).empty());
  CHECK(Grants(results[2]).empty());
  CHECK(Grants(results[3]).empty());

  // Each grant is the one its own request asked for, and verifies offline
  // with `accord grant verify`, bound to the partner's certificate.
  const std::string jwks =
      absl::StrCat("http://", broker.http_address(), "/.well-known/jwks.json");
  const std::string cert = broker.data_dir() + "/dev-pki/partner-demo.pem";
  struct Expected {
    size_t index;
    const char* dataset;
  };
  std::vector<std::string> ids;
  for (const Expected& e :
       {Expected{0, kOpen}, Expected{4, kAirQuality}, Expected{5, kOpen}}) {
    INFO("request " << e.index);
    REQUIRE(Grants(results[e.index]).size() == 1);
    const std::string token = Str(Grants(results[e.index])[0], "token");
    ids.push_back(Str(Grants(results[e.index])[0], "id"));
    CliResult verified = broker.Cli(
        {"grant", "verify", token, "--jwks", jwks, "--jwks-http", "loopback",
         "--audience", kAudience, "--cert", cert, "--output", "json"});
    INFO(verified.err);
    REQUIRE(verified.exit_code == 0);
    CHECK(verified.json.GetBool("valid").value_or(false));
    CHECK(verified.json.GetBool("certificate_checked").value_or(false));
    const JsonValue* claims = verified.json.Find("claims");
    REQUIRE(claims != nullptr);
    CHECK(Str(*claims, "dataset") == e.dataset);
    CHECK(Str(*claims, "sub") == "partner-demo");
  }
  CHECK(ids[0] != ids[1]);
  CHECK(ids[1] != ids[2]);
  const JsonValue research_claims = Claims(Str(Grants(results[4])[0], "token"));
  CHECK(List(research_claims, "fields").size() == 2);
  const JsonValue short_claims = Claims(Str(Grants(results[5])[0], "token"));
  CHECK(short_claims.Find("exp")->AsInt64().value_or(0) -
            short_claims.Find("iat")->AsInt64().value_or(0) ==
        60);

  // For a person: one line per request, then the tally.
  CliResult text = Batch(broker, path, /*json=*/false);
  INFO(text.err);
  REQUIRE(text.exit_code == 0);
  CHECK(absl::StrContains(text.out, "[0] OK\n"));
  CHECK(absl::StrContains(text.out, "[2] NOT_FOUND: "));
  CHECK(absl::StrContains(text.out, "[3] INVALID_ARGUMENT: "));
  CHECK(absl::StrContains(text.out,
                          "6 requests: 3 permitted, 1 denied, 2 failed"));
}

TEST_CASE("more than 100 requests are refused whole and nothing is issued") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  auto requests = [](int n) {
    JsonValue batch = JsonValue::Array();
    for (int i = 0; i < n; ++i) batch.Push(Request(kOpen, "service-provision"));
    return batch.Serialize();
  };

  const size_t before = DecisionCount(broker);
  CliResult over = Batch(broker, WriteBatch(dir, "101.json", requests(101)));
  INFO(over.err);
  CHECK(over.exit_code == 1);
  CHECK(absl::StrContains(over.err, "INVALID_ARGUMENT"));
  CHECK(absl::StrContains(over.err, "requests"));
  CliResult empty = Batch(broker, WriteBatch(dir, "0.json", "[]"));
  CHECK(empty.exit_code == 1);
  CHECK(absl::StrContains(empty.err, "INVALID_ARGUMENT"));
  CHECK(absl::StrContains(empty.err, "requests"));
  CHECK(DecisionCount(broker) == before);

  // The limit itself is accepted.
  CliResult full = Batch(broker, WriteBatch(dir, "100.json", requests(100)));
  INFO(full.err);
  REQUIRE(full.exit_code == 0);
  const JsonValue::Elements& results = List(full.json, "results");
  REQUIRE(results.size() == 100);
  size_t permits = 0;
  for (const JsonValue& result : results) {
    if (StatusCode(result) == 0 && Outcome(result) == "permit" &&
        Grants(result).size() == 1) {
      ++permits;
    }
  }
  CHECK(permits == 100);
  CHECK(DecisionCount(broker) == before + 100);
}

TEST_CASE("a batch file that is not a list of requests is a usage error") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const size_t before = DecisionCount(broker);

  CliResult not_json = Batch(broker, WriteBatch(dir, "a.json", "[{"));
  CHECK(not_json.exit_code == 2);
  CliResult object =
      Batch(broker, WriteBatch(dir, "b.json", Request(kOpen, "x").Serialize()));
  CHECK(object.exit_code == 2);
  // A misspelt field is refused rather than dropped: it could be a
  // constraint the partner meant to ask for.
  JsonValue typo = Request(kOpen, "service-provision");
  typo.Set("subject", JsonValue::Array().Push("someone"));
  JsonValue batch = JsonValue::Array();
  batch.Push(Request(kOpen, "service-provision")).Push(typo);
  CliResult unknown =
      Batch(broker, WriteBatch(dir, "c.json", batch.Serialize()));
  CHECK(unknown.exit_code == 2);
  CHECK(absl::StrContains(unknown.err, "[1]"));
  CliResult missing = Batch(broker, dir.path() + "/no-such-file.json");
  CHECK(missing.exit_code == 2);
  CHECK(DecisionCount(broker) == before);
}

}  // namespace
}  // namespace accord::testing
