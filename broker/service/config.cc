#include "broker/service/config.h"

#include <cstdlib>
#include <functional>
#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "broker/service/identity.h"
#include "broker/service/oidc_discovery.h"
#include "yaml-cpp/yaml.h"

namespace accord::service {
namespace {

using Setter = std::function<absl::Status(BrokerConfig&, const std::string&)>;

Setter String(std::string BrokerConfig::*field) {
  return [field](BrokerConfig& c, const std::string& v) {
    c.*field = v;
    return absl::OkStatus();
  };
}

template <typename T>
Setter Number(T BrokerConfig::*field) {
  return [field](BrokerConfig& c, const std::string& v) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(v, &n) || n < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", v, "' is not a non-negative integer"));
    }
    c.*field = static_cast<T>(n);
    return absl::OkStatus();
  };
}

Setter Bool(bool BrokerConfig::*field) {
  return [field](BrokerConfig& c, const std::string& v) {
    if (v != "true" && v != "false") {
      return absl::InvalidArgumentError("expected true or false");
    }
    c.*field = v == "true";
    return absl::OkStatus();
  };
}

// The one table of scalar settings: config-file key, flag name, setter.
const std::map<std::string, Setter>& Settings() {
  static const auto* settings = new std::map<std::string, Setter>{
      {"grpc_address", String(&BrokerConfig::grpc_address)},
      {"http_address", String(&BrokerConfig::http_address)},
      {"data_dir", String(&BrokerConfig::data_dir)},
      {"tls_ca", String(&BrokerConfig::tls_ca_file)},
      {"tls_cert", String(&BrokerConfig::tls_cert_file)},
      {"tls_key", String(&BrokerConfig::tls_key_file)},
      {"keys_dir", String(&BrokerConfig::keys_dir)},
      {"pseudonym_secret_file", String(&BrokerConfig::pseudonym_secret_file)},
      {"taxonomy_extension", String(&BrokerConfig::taxonomy_extension_file)},
      {"grant_issuer", String(&BrokerConfig::grant_issuer)},
      {"log_origin", String(&BrokerConfig::log_origin)},
      {"max_subjects_per_grant", Number(&BrokerConfig::max_subjects_per_grant)},
      {"max_grant_lifetime_seconds",
       Number(&BrokerConfig::max_grant_lifetime_seconds)},
      {"key_prepublish_seconds", Number(&BrokerConfig::key_prepublish_seconds)},
      {"request_count_threshold",
       Number(&BrokerConfig::request_count_threshold)},
      {"retention_consent_events_days",
       Number(&BrokerConfig::retention_consent_events_days)},
      {"retention_grant_records_days",
       Number(&BrokerConfig::retention_grant_records_days)},
      {"retention_sweep_interval_seconds",
       Number(&BrokerConfig::retention_sweep_interval_seconds)},
      {"clock_skew_seconds", Number(&BrokerConfig::clock_skew_seconds)},
      {"cache_bytes", Number(&BrokerConfig::cache_bytes)},
      {"restore", String(&BrokerConfig::restore_from)},
      {"rate_limit_per_second", Number(&BrokerConfig::rate_limit_per_second)},
      {"rate_limit_burst", Number(&BrokerConfig::rate_limit_burst)},
      {"allow_log_mismatch", Bool(&BrokerConfig::allow_log_mismatch)},
      // What one caller can hold.
      {"rate_limit_per_peer_per_second",
       Number(&BrokerConfig::rate_limit_per_peer_per_second)},
      {"rate_limit_per_peer_burst",
       Number(&BrokerConfig::rate_limit_per_peer_burst)},
      {"grpc_max_streams_per_connection",
       Number(&BrokerConfig::grpc_max_streams_per_connection)},
      {"grpc_memory_bytes", Number(&BrokerConfig::grpc_memory_bytes)},
      {"grpc_max_threads", Number(&BrokerConfig::grpc_max_threads)},
      {"grpc_reflection", Bool(&BrokerConfig::grpc_reflection)},
      {"max_revocation_streams",
       Number(&BrokerConfig::max_revocation_streams)},
      {"max_revocation_streams_per_principal",
       Number(&BrokerConfig::max_revocation_streams_per_principal)},
      {"ready_max_write_wait_ms",
       Number(&BrokerConfig::ready_max_write_wait_ms)},
      {"ready_max_calls_in_flight",
       Number(&BrokerConfig::ready_max_calls_in_flight)},
      {"tls_crl_dir", String(&BrokerConfig::tls_crl_dir)},
      // Signing keys and caller identities.
      {"create_receipt_keys", Bool(&BrokerConfig::create_receipt_keys)},
      {"trust_domain",
       [](BrokerConfig& c, const std::string& v) {
         if (absl::Status s = CheckTrustDomain(v); !s.ok()) return s;
         c.trust_domain = v;
         return absl::OkStatus();
       }},
      // HTTP listener: TLS and limits.
      {"http_tls_cert", String(&BrokerConfig::http_tls_cert_file)},
      {"http_tls_key", String(&BrokerConfig::http_tls_key_file)},
      {"http_max_connections", Number(&BrokerConfig::http_max_connections)},
      {"http_reserved_connections",
       Number(&BrokerConfig::http_reserved_connections)},
      {"http_max_connections_per_ip",
       Number(&BrokerConfig::http_max_connections_per_ip)},
      {"http_idle_timeout_seconds",
       Number(&BrokerConfig::http_idle_timeout_seconds)},
      {"http_request_timeout_seconds",
       Number(&BrokerConfig::http_request_timeout_seconds)},
  };
  return *settings;
}

// `app_principals` of a citizen issuer: a mapping of client id to one app
// principal id or a list of them.
absl::Status ParseAppPrincipals(const YAML::Node& node, CitizenIssuer& issuer) {
  if (!node.IsMap() || node.size() == 0) {
    return absl::InvalidArgumentError(
        "app_principals: a mapping of client id to app principal(s)");
  }
  for (const auto& client : node) {
    const std::string id = client.first.Scalar();
    std::vector<std::string>& apps = issuer.app_principals[id];
    if (client.second.IsScalar() && !client.second.Scalar().empty()) {
      apps.push_back(client.second.Scalar());
    } else if (client.second.IsSequence() && client.second.size() > 0) {
      for (const auto& app : client.second) {
        if (!app.IsScalar() || app.Scalar().empty()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "app_principals: ", id, ": each app principal is an id"));
        }
        apps.push_back(app.Scalar());
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "app_principals: ", id, ": an app principal id or a list of them"));
    }
  }
  return absl::OkStatus();
}

// Where a citizen issuer's keys come from: its jwks_file, or discovery
// from its issuer URL (https) with an optional ca_file.
absl::Status CheckKeySource(const CitizenIssuer& issuer) {
  if (!issuer.jwks_file.empty()) {
    if (!issuer.ca_file.empty()) {
      return absl::InvalidArgumentError(
          "ca_file: only for an issuer whose keys are discovered from its URL "
          "(without jwks_file)");
    }
    return absl::OkStatus();
  }
  if (absl::Status s = CheckIssuerUrl(issuer.issuer); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "issuer: without jwks_file, ", s.message(),
        " (its keys are discovered from it)"));
  }
  return absl::OkStatus();
}

// yaml-cpp reports errors by throwing; this is the one place they are
// caught and turned into a status.
absl::Status ApplyFile(const std::string& path, BrokerConfig& config) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", e.mark.line + 1, ":", e.mark.column + 1,
                     ": ", e.msg));
  }
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": the config must be a mapping"));
  }
  for (const auto& item : root) {
    const std::string key = item.first.Scalar();
    const YAML::Node& value = item.second;
    auto where = [&] {
      return absl::StrCat(path, ":", value.Mark().line + 1, ":",
                          value.Mark().column + 1, ": ", key, ": ");
    };
    if (key == "dev") {
      if (!value.IsScalar() || (value.Scalar() != "true" &&
                                value.Scalar() != "false")) {
        return absl::InvalidArgumentError(absl::StrCat(where(), "not a boolean"));
      }
      config.dev = value.Scalar() == "true";
      continue;
    }
    if (key == "citizen_issuers") {
      if (!value.IsSequence()) {
        return absl::InvalidArgumentError(absl::StrCat(where(), "not a list"));
      }
      for (const auto& entry : value) {
        CitizenIssuer issuer;
        if (!entry.IsMap()) {
          return absl::InvalidArgumentError(
              absl::StrCat(where(), "each issuer is a mapping"));
        }
        for (const auto& f : entry) {
          const std::string name = f.first.Scalar();
          if (name == "app_principals") {
            if (absl::Status s = ParseAppPrincipals(f.second, issuer);
                !s.ok()) {
              return absl::InvalidArgumentError(
                  absl::StrCat(where(), s.message()));
            }
            continue;
          }
          if (!f.second.IsScalar()) {
            return absl::InvalidArgumentError(
                absl::StrCat(where(), name, " is not a string"));
          }
          if (name == "issuer") {
            issuer.issuer = f.second.Scalar();
          } else if (name == "audience") {
            issuer.audience = f.second.Scalar();
          } else if (name == "jwks_file") {
            issuer.jwks_file = f.second.Scalar();
          } else if (name == "ca_file") {
            issuer.ca_file = f.second.Scalar();
          } else {
            return absl::InvalidArgumentError(
                absl::StrCat(where(), "unknown key '", name, "'"));
          }
        }
        if (issuer.issuer.empty() || issuer.audience.empty() ||
            issuer.app_principals.empty()) {
          return absl::InvalidArgumentError(absl::StrCat(
              where(), "issuer, audience and app_principals are required"));
        }
        if (absl::Status s = CheckKeySource(issuer); !s.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(
              where(), "issuer ", issuer.issuer, ": ", s.message()));
        }
        config.citizen_issuers.push_back(std::move(issuer));
      }
      continue;
    }
    auto it = Settings().find(key);
    if (it == Settings().end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "unknown key"));
    }
    if (!value.IsScalar()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), "not a scalar"));
    }
    if (absl::Status s = it->second(config, value.Scalar()); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), s.message()));
    }
  }
  return absl::OkStatus();
}

void ApplyEnvironment(BrokerConfig& config) {
  if (const char* v = std::getenv("ACCORD_GRPC_ADDR"); v && *v) {
    config.grpc_address = v;
  }
  if (const char* v = std::getenv("ACCORD_HTTP_ADDR"); v && *v) {
    config.http_address = v;
  }
  if (const char* v = std::getenv("ACCORD_DATA_DIR"); v && *v) {
    config.data_dir = v;
  }
}

// Flags use dashes where config keys use underscores.
std::string FlagToKey(absl::string_view flag) {
  std::string key(flag);
  for (char& c : key) {
    if (c == '-') c = '_';
  }
  if (key == "grpc_addr") return "grpc_address";
  if (key == "http_addr") return "http_address";
  return key;
}

}  // namespace

std::string ConfigUsage() {
  return "usage: accord-broker [--config FILE] [--dev DATA_DIR] "
         "[--grpc-addr HOST:PORT] [--http-addr HOST:PORT] "
         "[--data-dir DIR] [--tls-ca PEM --tls-cert PEM --tls-key PEM] "
         "[--keys-dir DIR] [--restore BACKUP_DIR]\n"
         "       accord-broker init --config FILE --operator-cert PEM "
         "[--operator-id ID]\n"
         "Commands:\n"
         "  (none)  serve until SIGTERM or SIGINT\n"
         "  init    before the first start outside dev mode: create the "
         "signing keys, the pseudonym secret and the store, and register "
         "the first operator (accord-broker init --help)\n"
         "Every config-file key is also a flag (--max-subjects-per-grant, "
         "--rate-limit-per-second ...).\n"
         "Environment: ACCORD_GRPC_ADDR, ACCORD_HTTP_ADDR, ACCORD_DATA_DIR.\n";
}

absl::StatusOr<BrokerConfig> LoadConfig(int argc, char** argv) {
  // Split argv into (name, value) pairs first, so --config is applied
  // before the environment and the other flags whatever its position.
  std::vector<std::pair<std::string, std::string>> flags;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", arg, "'"));
    }
    std::string name, value;
    if (auto eq = arg.find('='); eq != absl::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else {
      name = std::string(arg);
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag --", name, " needs a value"));
      }
      value = argv[++i];
    }
    flags.emplace_back(std::move(name), std::move(value));
  }
  BrokerConfig config;
  for (const auto& [name, value] : flags) {
    if (name == "config") {
      if (absl::Status s = ApplyFile(value, config); !s.ok()) return s;
    }
  }
  ApplyEnvironment(config);
  for (const auto& [name, value] : flags) {
    if (name == "config") continue;
    if (name == "dev") {
      config.dev = true;
      config.data_dir = value;
      continue;
    }
    auto it = Settings().find(FlagToKey(name));
    if (it == Settings().end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name));
    }
    if (absl::Status s = it->second(config, value); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, ": ", s.message()));
    }
  }
  if (config.keys_dir.empty()) config.keys_dir = config.data_dir + "/keys";
  if (config.pseudonym_secret_file.empty()) {
    config.pseudonym_secret_file = config.keys_dir + "/pseudonym.secret";
  }
  if (config.key_prepublish_seconds == 0 ||
      config.max_grant_lifetime_seconds == 0) {
    return absl::InvalidArgumentError(
        "key_prepublish_seconds and max_grant_lifetime_seconds must be > 0");
  }
  if (config.retention_consent_events_days == 0 ||
      config.retention_grant_records_days == 0) {
    return absl::InvalidArgumentError(
        "retention_consent_events_days and retention_grant_records_days must "
        "be > 0");
  }
  if (config.request_count_threshold == 0) {
    return absl::InvalidArgumentError("request_count_threshold must be > 0");
  }
  if (config.max_subjects_per_grant == 0) {
    return absl::InvalidArgumentError("max_subjects_per_grant must be > 0");
  }
  if (config.rate_limit_burst != 0 && config.rate_limit_per_second == 0) {
    return absl::InvalidArgumentError(
        "rate_limit_burst needs rate_limit_per_second");
  }
  if (config.rate_limit_per_peer_burst != 0 &&
      config.rate_limit_per_peer_per_second == 0) {
    return absl::InvalidArgumentError(
        "rate_limit_per_peer_burst needs rate_limit_per_peer_per_second");
  }
  for (auto [name, value] : {std::pair<const char*, uint64_t>{
                                 "grpc_max_streams_per_connection",
                                 config.grpc_max_streams_per_connection},
                             {"grpc_memory_bytes", config.grpc_memory_bytes},
                             {"grpc_max_threads", config.grpc_max_threads},
                             {"max_revocation_streams",
                              config.max_revocation_streams},
                             {"max_revocation_streams_per_principal",
                              config.max_revocation_streams_per_principal},
                             {"ready_max_write_wait_ms",
                              config.ready_max_write_wait_ms},
                             {"ready_max_calls_in_flight",
                              config.ready_max_calls_in_flight}}) {
    if (value == 0) {
      return absl::InvalidArgumentError(absl::StrCat(name, " must be > 0"));
    }
  }
  // HTTP listener limits.
  if (config.http_max_connections == 0 ||
      config.http_max_connections_per_ip == 0) {
    return absl::InvalidArgumentError(
        "http_max_connections and http_max_connections_per_ip must be > 0");
  }
  if (config.http_idle_timeout_seconds == 0 ||
      config.http_request_timeout_seconds < config.http_idle_timeout_seconds) {
    return absl::InvalidArgumentError(
        "http_idle_timeout_seconds must be > 0 and at most "
        "http_request_timeout_seconds");
  }
  return config;
}

}  // namespace accord::service
