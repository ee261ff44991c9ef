// Bad input, unknown things, missing or wrong credentials: the exact status,
// and nothing written.
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "tests/broker_harness.h"
#include "tests/cli_refusal.h"

namespace accord::testing {
namespace {

size_t DatasetCount(const BrokerProcess& broker) {
  CliResult r =
      broker.Cli({"dataset", "list", "--as", "operator", "--output", "json"});
  const formats::JsonValue* list = r.json.Find("datasets");
  return list != nullptr && list->AsArray() ? list->AsArray()->size() : 0;
}

std::string LogSize(const BrokerProcess& broker) {
  CliResult r = broker.Cli(
      {"audit", "checkpoint", "--as", "auditor-demo", "--output", "json"});
  const formats::JsonValue* size = r.json.Find("tree_size");
  return size != nullptr && size->AsInt64().has_value()
             ? std::to_string(*size->AsInt64())
             : r.err;
}

TEST_CASE("errors name their cause and write nothing") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const size_t datasets = DatasetCount(broker);
  REQUIRE(datasets == 3);

  SECTION("malformed requests are INVALID_ARGUMENT naming the field") {
    CliResult bad_id = broker.Cli({"dataset", "put", "--id", "Not An Id",
                                   "--title", "x", "--classification", "open",
                                   "--fields", "a", "--as", "producer-demo"});
    CHECK(Refused(bad_id, "INVALID_ARGUMENT"));
    CHECK(bad_id.err.find("dataset.id") != std::string::npos);
    CliResult no_audience = broker.Cli(
        {"grant", "request", "--dataset", "rennes.mobility.bike-stations",
         "--purpose", "service-provision", "--audience", "", "--as",
         "partner-demo"});
    // An empty audience is refused by the CLI before any call.
    CHECK(Refused(no_audience, kExitUsage, "INVALID_ARGUMENT", "--audience"));
    CliResult bad_field = broker.Cli(
        {"grant", "request", "--dataset", "rennes.mobility.bike-stations",
         "--purpose", "service-provision", "--audience", "svc", "--fields",
         "no_such_field", "--as", "partner-demo"});
    CHECK(Refused(bad_field, "INVALID_ARGUMENT"));
    CliResult bad_purpose = broker.Cli(
        {"grant", "request", "--dataset", "rennes.mobility.bike-stations",
         "--purpose", "reserch", "--audience", "svc", "--as", "partner-demo"});
    CHECK(Refused(bad_purpose, "INVALID_ARGUMENT"));
  }

  SECTION("unknown datasets are NOT_FOUND") {
    CHECK(Refused(broker.Cli({"dataset", "get", "no.such.dataset", "--as",
                              "partner-demo"}),
                  "NOT_FOUND"));
    CHECK(
        Refused(broker.Cli({"grant", "request", "--dataset", "no.such.dataset",
                            "--purpose", "service-provision", "--audience",
                            "svc", "--as", "partner-demo"}),
                "NOT_FOUND"));
  }

  SECTION("a known caller in the wrong role is PERMISSION_DENIED") {
    CHECK(Refused(broker.Cli({"dataset", "put", "--id", "x.y", "--title", "x",
                              "--classification", "open", "--fields", "a",
                              "--as", "partner-demo"}),
                  "PERMISSION_DENIED"));
    CHECK(Refused(broker.Cli({"grant", "request", "--dataset",
                              "rennes.mobility.bike-stations", "--purpose",
                              "service-provision", "--audience", "svc", "--as",
                              "producer-demo"}),
                  "PERMISSION_DENIED"));
    CHECK(Refused(
        broker.Cli({"admin", "principal", "list", "--as", "auditor-demo"}),
        "PERMISSION_DENIED"));
  }

  SECTION("no client certificate is UNAUTHENTICATED") {
    CliResult r = Run(BinDir() + "/accord",
                      {"dataset", "list", "--broker", broker.grpc_address(),
                       "--ca", broker.data_dir() + "/dev-pki/ca.pem"});
    CHECK(Refused(r, "UNAUTHENTICATED"));
  }

  SECTION("a CA-signed certificate of no known principal is UNAUTHENTICATED") {
    CHECK(broker
              .Cli({"admin", "principal", "remove", "auditor-demo", "--as",
                    "operator"})
              .exit_code == 0);
    CHECK(Refused(broker.Cli({"dataset", "list", "--as", "auditor-demo"}),
                  "UNAUTHENTICATED"));
  }

  SECTION("consent calls need a valid citizen token") {
    CHECK(Refused(broker.Cli({"consent", "list", "--as", "citizen-app"}),
                  "UNAUTHENTICATED"));
    CHECK(Refused(broker.Cli({"consent", "list", "--as", "citizen-app",
                              "--token", "not.a.token"}),
                  "UNAUTHENTICATED"));
  }

  const std::string size_before = LogSize(broker);
  // One more round of failures, then nothing new may have been written.
  broker.Cli({"dataset", "put", "--id", "Bad", "--title", "x",
              "--classification", "open", "--fields", "a", "--as",
              "producer-demo"});
  broker.Cli({"dataset", "put", "--id", "x.y", "--title", "x",
              "--classification", "open", "--fields", "a", "--as",
              "partner-demo"});
  CHECK(DatasetCount(broker) == datasets);
  CHECK(LogSize(broker) == size_before);
}

}  // namespace
}  // namespace accord::testing
