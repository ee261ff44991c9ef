#include "broker/service/config.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

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

TEST_CASE("a flag given again, under either name, counts the last time") {
  auto addr_last =
      Load({"--grpc-address", "127.0.0.1:1", "--grpc-addr", "127.0.0.1:2",
            "--max-subjects-per-grant", "5", "--max_subjects_per_grant=6"});
  REQUIRE(addr_last.ok());
  CHECK(addr_last->grpc_address == "127.0.0.1:2");
  CHECK(addr_last->max_subjects_per_grant == 6);
  auto address_last =
      Load({"--grpc-addr", "127.0.0.1:2", "--grpc-address=127.0.0.1:1"});
  REQUIRE(address_last.ok());
  CHECK(address_last->grpc_address == "127.0.0.1:1");
}

TEST_CASE("unknown keys and flags are errors") {
  CHECK(absl::IsInvalidArgument(Load({"--no-such-flag", "1"}).status()));
  CHECK(absl::IsInvalidArgument(Load({"stray"}).status()));
  CHECK(absl::IsInvalidArgument(
      Load({"--max-subjects-per-grant", "x"}).status()));
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
  auto set =
      Load({"--http-tls-cert", "/c.pem", "--http-tls-key", "/k.pem",
            "--http-max-connections", "10", "--http-reserved-connections", "0",
            "--http-max-connections-per-ip", "2", "--http-idle-timeout-seconds",
            "3", "--http-request-timeout-seconds", "3"});
  REQUIRE(set.ok());
  CHECK(set->http_tls_cert_file == "/c.pem");
  CHECK(set->http_tls_key_file == "/k.pem");
  CHECK(set->http_max_connections == 10);
  CHECK(set->http_reserved_connections == 0);
  CHECK(set->http_max_connections_per_ip == 2);
  CHECK(set->http_idle_timeout_seconds == 3);
  CHECK(set->http_request_timeout_seconds == 3);
  CHECK(
      absl::IsInvalidArgument(Load({"--http-max-connections", "0"}).status()));
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

namespace accord::service {
namespace {

std::string ReadSource(const std::string& relative) {
  const char* root = std::getenv("ACCORD_SOURCE_DIR");
  std::ifstream in(std::string(root != nullptr ? root : ".") + "/" + relative);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The value of the first line `key: value` (after optional indentation) in
// `yaml`, "" when there is none. Comments after the value are dropped.
std::string YamlValue(const std::string& yaml, const std::string& key) {
  std::istringstream lines(yaml);
  for (std::string line; std::getline(lines, line);) {
    const size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos ||
        line.compare(start, key.size() + 1, key + ":") != 0) {
      continue;
    }
    std::string value = line.substr(start + key.size() + 1);
    if (size_t hash = value.find(" #"); hash != std::string::npos) {
      value.resize(hash);
    }
    const size_t b = value.find_first_not_of(' ');
    const size_t e = value.find_last_not_of(' ');
    return b == std::string::npos ? "" : value.substr(b, e - b + 1);
  }
  return "";
}

TEST_CASE("every config key is in --help with a default and in the sample") {
  const std::string usage = ConfigUsage();
  const std::string sample = ReadSource("deploy/accord.yaml");
  REQUIRE(!sample.empty());
  const std::vector<std::string> keys = ConfigKeys();
  REQUIRE(keys.size() > 40);
  for (const std::string& key : keys) {
    INFO(key);
    // --help: "  key  [default]  help" on a line of its own.
    CHECK(usage.find("\n  " + key + " ") != std::string::npos);
    // The sample: set ("key:") or shown commented out ("# key:"), at the
    // start of a line.
    const bool set = sample.rfind(key + ":", 0) == 0 ||
                     sample.find("\n" + key + ":") != std::string::npos;
    const bool shown = sample.find("\n# " + key + ":") != std::string::npos;
    CHECK((set || shown));
  }
  // A default in brackets for a numeric key, and the derived ones.
  CHECK(usage.find("max_subjects_per_grant") != std::string::npos);
  CHECK(usage.find("[1000]") != std::string::npos);
  CHECK(usage.find("[data_dir/keys]") != std::string::npos);
  // Every key of the sample that is set is one the parser accepts: the
  // sample loads.
  const std::string path =
      (std::filesystem::temp_directory_path() / "accord_sample_config.yaml")
          .string();
  {
    std::ofstream out(path);
    out << sample;
  }
  auto loaded = Load({"--config", path});
  INFO(loaded.status().message());
  CHECK(loaded.ok());
  std::filesystem::remove(path);
}

TEST_CASE("the Envoy sample checks the sample config's issuer and audience") {
  const std::string sample = ReadSource("deploy/accord.yaml");
  const std::string envoy = ReadSource("deploy/envoy/envoy.yaml");
  REQUIRE(!envoy.empty());
  const std::string grant_issuer = YamlValue(sample, "grant_issuer");
  REQUIRE(!grant_issuer.empty());
  CHECK(YamlValue(envoy, "issuer") == grant_issuer);
  // The audience: the one name the sample gives its data service.
  const std::string audiences = YamlValue(envoy, "audiences");
  REQUIRE(audiences.size() > 2);
  const std::string audience = audiences.substr(1, audiences.size() - 2);
  CHECK(sample.find(audience + " (grant audience)") != std::string::npos);
}

}  // namespace
}  // namespace accord::service
