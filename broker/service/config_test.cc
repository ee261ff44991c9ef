#include "broker/service/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

namespace accord::service {
namespace {

absl::StatusOr<BrokerConfig> Load(std::vector<std::string> args) {
  args.insert(args.begin(), "accord-broker");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return LoadConfig(static_cast<int>(argv.size()), argv.data());
}

TEST_CASE("defaults, file, environment and flags, in that order") {
  unsetenv("ACCORD_GRPC_ADDR");
  unsetenv("ACCORD_HTTP_ADDR");
  unsetenv("ACCORD_DATA_DIR");
  auto defaults = Load({});
  REQUIRE(defaults.ok());
  CHECK(defaults->grpc_address == "127.0.0.1:7443");
  CHECK(defaults->http_address == "127.0.0.1:7480");
  CHECK(defaults->data_dir == "./var");
  CHECK(defaults->keys_dir == "./var/keys");

  const std::string path =
      (std::filesystem::temp_directory_path() / "accord_config_test.yaml")
          .string();
  {
    std::ofstream out(path);
    out << "grpc_address: 127.0.0.1:9000\ndata_dir: /tmp/x\n"
           "max_subjects_per_grant: 50\n";
  }
  auto from_file = Load({"--config", path});
  REQUIRE(from_file.ok());
  CHECK(from_file->grpc_address == "127.0.0.1:9000");
  CHECK(from_file->max_subjects_per_grant == 50);

  setenv("ACCORD_GRPC_ADDR", "127.0.0.1:9100", 1);
  auto env = Load({"--config", path});
  REQUIRE(env.ok());
  CHECK(env->grpc_address == "127.0.0.1:9100");
  auto flag = Load({"--grpc-addr=127.0.0.1:9200", "--config", path});
  REQUIRE(flag.ok());
  CHECK(flag->grpc_address == "127.0.0.1:9200");
  unsetenv("ACCORD_GRPC_ADDR");

  auto dev = Load({"--dev", "/tmp/devdir"});
  REQUIRE(dev.ok());
  CHECK(dev->dev);
  CHECK(dev->data_dir == "/tmp/devdir");
  std::filesystem::remove(path);
}

TEST_CASE("rate limits are off by default and set by key or flag") {
  auto defaults = Load({});
  REQUIRE(defaults.ok());
  CHECK(defaults->rate_limit_per_second == 0);
  CHECK(defaults->rate_limit_burst == 0);
  auto flags = Load({"--rate-limit-per-second", "50", "--rate-limit-burst=80"});
  REQUIRE(flags.ok());
  CHECK(flags->rate_limit_per_second == 50);
  CHECK(flags->rate_limit_burst == 80);
  CHECK(absl::IsInvalidArgument(
      Load({"--rate-limit-per-second", "-1"}).status()));
  CHECK(absl::IsInvalidArgument(Load({"--rate-limit-burst", "5"}).status()));
}

TEST_CASE("retention: five years for consents, a year for grants, 0 refused") {
  auto defaults = Load({});
  REQUIRE(defaults.ok());
  CHECK(defaults->retention_consent_events_days == 1826);
  CHECK(defaults->retention_grant_records_days == 365);
  CHECK(defaults->retention_sweep_interval_seconds == 3600);
  auto flags = Load({"--retention-consent-events-days", "30",
                     "--retention-grant-records-days=7",
                     "--retention-sweep-interval-seconds", "0"});
  REQUIRE(flags.ok());
  CHECK(flags->retention_consent_events_days == 30);
  CHECK(flags->retention_grant_records_days == 7);
  CHECK(flags->retention_sweep_interval_seconds == 0);
  auto zero = Load({"--retention-grant-records-days", "0"});
  CHECK(absl::IsInvalidArgument(zero.status()));
  CHECK(zero.status().message().find("retention_grant_records_days") !=
        std::string::npos);
}

TEST_CASE("unknown keys and flags are errors") {
  CHECK(absl::IsInvalidArgument(Load({"--no-such-flag", "1"}).status()));
  CHECK(absl::IsInvalidArgument(Load({"stray"}).status()));
  CHECK(absl::IsInvalidArgument(Load({"--max-subjects-per-grant", "x"}).status()));
  const std::string path =
      (std::filesystem::temp_directory_path() / "accord_config_bad.yaml")
          .string();
  {
    std::ofstream out(path);
    out << "grpc_adress: 127.0.0.1:9000\n";
  }
  CHECK(absl::IsInvalidArgument(Load({"--config", path}).status()));
  std::filesystem::remove(path);
}

TEST_CASE("HTTP listener keys: TLS files and limits") {
  auto defaults = Load({});
  REQUIRE(defaults.ok());
  CHECK(defaults->http_tls_cert_file.empty());
  CHECK(defaults->http_tls_key_file.empty());
  CHECK(defaults->http_idle_timeout_seconds <
        defaults->http_request_timeout_seconds);
  auto set = Load({"--http-tls-cert", "/c.pem", "--http-tls-key", "/k.pem",
                   "--http-max-connections", "10",
                   "--http-reserved-connections", "0",
                   "--http-max-connections-per-ip", "2",
                   "--http-idle-timeout-seconds", "3",
                   "--http-request-timeout-seconds", "3"});
  REQUIRE(set.ok());
  CHECK(set->http_tls_cert_file == "/c.pem");
  CHECK(set->http_tls_key_file == "/k.pem");
  CHECK(set->http_max_connections == 10);
  CHECK(set->http_reserved_connections == 0);
  CHECK(set->http_max_connections_per_ip == 2);
  CHECK(set->http_idle_timeout_seconds == 3);
  CHECK(set->http_request_timeout_seconds == 3);
  CHECK(absl::IsInvalidArgument(
      Load({"--http-max-connections", "0"}).status()));
  CHECK(absl::IsInvalidArgument(
      Load({"--http-max-connections-per-ip", "0"}).status()));
  CHECK(absl::IsInvalidArgument(
      Load({"--http-idle-timeout-seconds", "0"}).status()));
  CHECK(absl::IsInvalidArgument(Load({"--http-idle-timeout-seconds", "11",
                                      "--http-request-timeout-seconds", "10"})
                                    .status()));
}

}  // namespace
}  // namespace accord::service
