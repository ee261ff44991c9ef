#include "broker/service/config.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "broker/service/config_flags.h"
#include "broker/service/identity.h"
#include "broker/service/oidc_discovery.h"
#include "yaml-cpp/yaml.h"

namespace accord::service {
namespace {

using Setter = std::function<absl::Status(BrokerConfig&, const std::string&)>;
using Getter = std::function<std::string(const BrokerConfig&)>;

// How one scalar setting is read and shown.
struct Access {
  Setter set;
  Getter get;
};

Access String(std::string BrokerConfig::*field) {
  return {[field](BrokerConfig& c, const std::string& v) {
            c.*field = v;
            return absl::OkStatus();
          },
          [field](const BrokerConfig& c) { return c.*field; }};
}

template <typename T>
Access Number(T BrokerConfig::*field) {
  return {[field](BrokerConfig& c, const std::string& v) {
            int64_t n = 0;
            if (!absl::SimpleAtoi(v, &n) || n < 0) {
              return absl::InvalidArgumentError(
                  absl::StrCat("'", v, "' is not a non-negative integer"));
            }
            c.*field = static_cast<T>(n);
            return absl::OkStatus();
          },
          [field](const BrokerConfig& c) { return absl::StrCat(c.*field); }};
}

Access Bool(bool BrokerConfig::*field) {
  return {[field](BrokerConfig& c, const std::string& v) {
            if (v != "true" && v != "false") {
              return absl::InvalidArgumentError("expected true or false");
            }
            c.*field = v == "true";
            return absl::OkStatus();
          },
          [field](const BrokerConfig& c) {
            return std::string(c.*field ? "true" : "false");
          }};
}

// One scalar setting: config-file key (the flag is the same with dashes),
// how it is read, one line of help, and the default when it is not the
// value of a default BrokerConfig (a path derived from another key).
struct Setting {
  const char* key;
  Access access;
  const char* help;
  const char* derived_default = nullptr;
};

// The one table of scalar settings: the parser, --help and the config test
// all read it, so a key cannot be added to one and forgotten in another.
const std::vector<Setting>& Settings() {
  static const auto* settings = new std::vector<Setting>{
      {"grpc_address", String(&BrokerConfig::grpc_address),
       "gRPC listener (mutual TLS), HOST:PORT"},
      {"http_address", String(&BrokerConfig::http_address),
       "HTTP listener (/healthz, /readyz, /metrics, JWKS), HOST:PORT"},
      {"data_dir", String(&BrokerConfig::data_dir),
       "the store (data_dir/db) and, by default, the keys"},
      {"tls_ca", String(&BrokerConfig::tls_ca_file),
       "PEM CA that signs client certificates; required outside dev mode"},
      {"tls_cert", String(&BrokerConfig::tls_cert_file),
       "PEM certificate of the gRPC listener; required outside dev mode"},
      {"tls_key", String(&BrokerConfig::tls_key_file),
       "PEM private key of the gRPC listener; required outside dev mode"},
      {"keys_dir", String(&BrokerConfig::keys_dir),
       "grant, receipt and checkpoint signing keys", "data_dir/keys"},
      {"pseudonym_secret_file", String(&BrokerConfig::pseudonym_secret_file),
       "32+ random bytes behind subject pseudonyms; never changes",
       "keys_dir/pseudonym.secret"},
      {"taxonomy_extension", String(&BrokerConfig::taxonomy_extension_file),
       "YAML file of extra purposes for the taxonomy"},
      {"grant_issuer", String(&BrokerConfig::grant_issuer),
       "`iss` of grants and receipts; fixed at the store's first start"},
      {"log_origin", String(&BrokerConfig::log_origin),
       "origin line of audit-log checkpoints; fixed at the first start"},
      {"max_subjects_per_grant", Number(&BrokerConfig::max_subjects_per_grant),
       "subjects per grant; larger requests get several grants"},
      {"max_grant_lifetime_seconds",
       Number(&BrokerConfig::max_grant_lifetime_seconds),
       "longest grant lifetime, whatever a policy allows (seconds)"},
      {"key_prepublish_seconds", Number(&BrokerConfig::key_prepublish_seconds),
       "a rotated-in key is published this long before it signs (seconds)"},
      {"request_count_threshold",
       Number(&BrokerConfig::request_count_threshold),
       "consent-request answer counts under it read \"< k\""},
      {"retention_consent_events_days",
       Number(&BrokerConfig::retention_consent_events_days),
       "days a consent's record and events are kept after it ended"},
      {"retention_grant_records_days",
       Number(&BrokerConfig::retention_grant_records_days),
       "days a grant's record is kept after it expired"},
      {"retention_sweep_interval_seconds",
       Number(&BrokerConfig::retention_sweep_interval_seconds),
       "seconds between retention sweeps; 0: never"},
      {"request_id_window_seconds",
       Number(&BrokerConfig::request_id_window_seconds),
       "a write's answer is kept this long for retries with its request id"},
      {"clock_skew_seconds", Number(&BrokerConfig::clock_skew_seconds),
       "clock skew tolerated on citizen tokens (seconds)"},
      {"cache_bytes", Number(&BrokerConfig::cache_bytes),
       "block cache of the store (bytes)"},
      {"restore", String(&BrokerConfig::restore_from),
       "restore this backup directory into data_dir before starting"},
      {"rate_limit_per_second", Number(&BrokerConfig::rate_limit_per_second),
       "calls per second per principal; 0: no limit"},
      {"rate_limit_burst", Number(&BrokerConfig::rate_limit_burst),
       "burst per principal; 0: one second's worth"},
      {"allow_log_mismatch", Bool(&BrokerConfig::allow_log_mismatch),
       "start although the audit log no longer matches its checkpoint"},
      {"dev_clock_file", String(&BrokerConfig::dev_clock_file),
       "tests, dev mode only: clock = real time + the duration in this file"},
      // What one caller can hold.
      {"rate_limit_per_peer_per_second",
       Number(&BrokerConfig::rate_limit_per_peer_per_second),
       "calls per second per client IP address; 0: no limit"},
      {"rate_limit_per_peer_burst",
       Number(&BrokerConfig::rate_limit_per_peer_burst),
       "burst per client IP address; 0: one second's worth"},
      {"grpc_max_streams_per_connection",
       Number(&BrokerConfig::grpc_max_streams_per_connection),
       "concurrent calls on one gRPC connection"},
      {"grpc_memory_bytes", Number(&BrokerConfig::grpc_memory_bytes),
       "memory for gRPC connections and calls in flight (bytes)"},
      {"grpc_max_threads", Number(&BrokerConfig::grpc_max_threads),
       "threads gRPC may start for its server"},
      {"grpc_reflection", Bool(&BrokerConfig::grpc_reflection),
       "gRPC server reflection (always on in dev mode)"},
      {"max_revocation_streams", Number(&BrokerConfig::max_revocation_streams),
       "open WatchRevocations streams in all"},
      {"max_revocation_streams_per_principal",
       Number(&BrokerConfig::max_revocation_streams_per_principal),
       "open WatchRevocations streams per principal"},
      {"ready_max_write_wait_ms",
       Number(&BrokerConfig::ready_max_write_wait_ms),
       "not ready while a write waits this long for the writer (ms)"},
      {"ready_max_calls_in_flight",
       Number(&BrokerConfig::ready_max_calls_in_flight),
       "not ready while this many calls are in flight"},
      {"tls_crl_dir", String(&BrokerConfig::tls_crl_dir),
       "CRLs of the CA (<hash>.r0); revoked client certificates fail TLS"},
      // Signing keys and caller identities.
      {"create_receipt_keys", Bool(&BrokerConfig::create_receipt_keys),
       "create a missing receipt key ring (once, after an upgrade)"},
      {"trust_domain",
       {[](BrokerConfig& c, const std::string& v) {
          if (absl::Status s = CheckTrustDomain(v); !s.ok()) return s;
          c.trust_domain = v;
          return absl::OkStatus();
        },
        [](const BrokerConfig& c) { return c.trust_domain; }},
       "URI prefix every certificate URI must lie under; empty: none "
       "accepted"},
      // HTTP listener: TLS and limits.
      {"http_tls_cert", String(&BrokerConfig::http_tls_cert_file),
       "PEM chain of the HTTP listener (HTTPS only); needed off loopback"},
      {"http_tls_key", String(&BrokerConfig::http_tls_key_file),
       "PEM private key of the HTTP listener, mode 0600"},
      {"http_max_connections", Number(&BrokerConfig::http_max_connections),
       "HTTP connection slots for any path"},
      {"http_reserved_connections",
       Number(&BrokerConfig::http_reserved_connections),
       "extra HTTP slots for /healthz, /readyz and the JWKS only"},
      {"http_max_connections_per_ip",
       Number(&BrokerConfig::http_max_connections_per_ip),
       "HTTP connections at once from one client address"},
      {"http_idle_timeout_seconds",
       Number(&BrokerConfig::http_idle_timeout_seconds),
       "time to send a request head; the keep-alive timeout (seconds)"},
      {"http_request_timeout_seconds",
       Number(&BrokerConfig::http_request_timeout_seconds),
       "time to read a whole response (seconds)"},
  };
  return *settings;
}

const Setting* FindSetting(absl::string_view key) {
  for (const Setting& s : Settings()) {
    if (key == s.key) return &s;
  }
  return nullptr;
}

// Keys of the config file that are not scalar settings (file only).
constexpr const char* kDevKey = "dev";
constexpr const char* kCitizenIssuersKey = "citizen_issuers";

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
    return absl::InvalidArgumentError(
        absl::StrCat("issuer: without jwks_file, ", s.message(),
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
    return absl::InvalidArgumentError(absl::StrCat(
        path, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
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
    if (key == kDevKey) {
      if (!value.IsScalar() ||
          (value.Scalar() != "true" && value.Scalar() != "false")) {
        return absl::InvalidArgumentError(
            absl::StrCat(where(), "not a boolean"));
      }
      config.dev = value.Scalar() == "true";
      continue;
    }
    if (key == kCitizenIssuersKey) {
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
    const Setting* setting = FindSetting(key);
    if (setting == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(where(), "unknown key"));
    }
    if (!value.IsScalar()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), "not a scalar"));
    }
    if (absl::Status s = setting->access.set(config, value.Scalar()); !s.ok()) {
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
std::string KeyToFlag(absl::string_view key) {
  std::string flag(key);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

}  // namespace

std::vector<std::string> ConfigKeys() {
  std::vector<std::string> keys = {kDevKey, kCitizenIssuersKey};
  for (const Setting& s : Settings()) keys.push_back(s.key);
  return keys;
}

std::string ConfigUsage() {
  std::string usage =
      "usage: accord-broker [--config FILE] [--dev DATA_DIR] [--KEY VALUE "
      "...]\n"
      "       accord-broker init --config FILE --operator-cert PEM "
      "[--operator-id ID]\n"
      "       accord-broker --help | --version\n"
      "Commands:\n"
      "  (none)  serve until SIGTERM or SIGINT\n"
      "  init    before the first start outside dev mode: create the "
      "signing keys, the pseudonym secret and the store, and register "
      "the first operator (accord-broker init --help)\n"
      "Configuration: a YAML file (--config, sample deploy/accord.yaml), "
      "then the environment (ACCORD_GRPC_ADDR, ACCORD_HTTP_ADDR, "
      "ACCORD_DATA_DIR), then flags. Every key below is also a flag with "
      "dashes (--max-subjects-per-grant 500; --grpc-addr and --http-addr "
      "too).\n"
      "Keys (default in brackets):\n";
  const BrokerConfig defaults;
  std::vector<std::vector<std::string>> rows = {
      {kDevKey, "[false]",
       "dev mode: a development PKI, keys and demo content under data_dir "
       "(flag: --dev DATA_DIR); loopback only"},
      {kCitizenIssuersKey, "[none]",
       "file only: list of {issuer, audience, app_principals, jwks_file, "
       "ca_file}, the identity providers of citizens"},
  };
  for (const Setting& s : Settings()) {
    std::string value = s.derived_default != nullptr ? s.derived_default
                                                     : s.access.get(defaults);
    if (value.empty()) value = "none";
    rows.push_back({s.key, absl::StrCat("[", value, "]"), s.help});
  }
  size_t key_width = 0, default_width = 0;
  for (const auto& row : rows) {
    key_width = std::max(key_width, row[0].size());
    default_width = std::max(default_width, row[1].size());
  }
  for (const auto& row : rows) {
    absl::StrAppend(&usage, "  ", row[0],
                    std::string(key_width - row[0].size() + 2, ' '), row[1],
                    std::string(default_width - row[1].size() + 2, ' '), row[2],
                    "\n");
  }
  return usage;
}

std::vector<cmdline::FlagSpec> ConfigFlagSpecs() {
  using A = cmdline::FlagSpec::Arity;
  std::vector<cmdline::FlagSpec> specs = {
      {"config", A::kValue, "FILE", "YAML config file", {}, true},
      {"dev", A::kValue, "DATA_DIR", "dev mode, under DATA_DIR", {}, true},
  };
  for (const Setting& s : Settings()) {
    cmdline::FlagSpec spec{KeyToFlag(s.key), A::kValue, "VALUE",
                           s.help,           {},        true};
    if (spec.name != s.key) spec.aliases.push_back(s.key);
    for (const char* address : {"grpc", "http"}) {
      if (s.key == absl::StrCat(address, "_address")) {
        spec.aliases.push_back(absl::StrCat(address, "-addr"));
        spec.aliases.push_back(absl::StrCat(address, "_addr"));
      }
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

absl::StatusOr<BrokerConfig> LoadConfig(int argc, char** argv) {
  absl::StatusOr<cmdline::ParsedArgs> flags =
      cmdline::ParseFlags(argc, argv, ConfigFlagSpecs());
  if (!flags.ok()) return absl::InvalidArgumentError(flags.status().message());
  return ConfigFromFlags(*flags);
}

absl::StatusOr<BrokerConfig> ConfigFromFlags(const cmdline::ParsedArgs& flags) {
  if (!flags.positionals().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unexpected argument '", flags.positionals().front(), "'"));
  }
  BrokerConfig config;
  for (const std::string& file : flags.GetAll("config")) {
    if (absl::Status s = ApplyFile(file, config); !s.ok()) return s;
  }
  ApplyEnvironment(config);
  if (std::optional<std::string> dev = flags.Get("dev"); dev.has_value()) {
    config.dev = true;
    config.data_dir = *dev;
  }
  for (const Setting& setting : Settings()) {
    const std::string name = KeyToFlag(setting.key);
    std::optional<std::string> value = flags.Get(name);
    if (!value.has_value()) continue;
    if (absl::Status s = setting.access.set(config, *value); !s.ok()) {
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
  for (auto [name, value] :
       {std::pair<const char*, uint64_t>{
            "grpc_max_streams_per_connection",
            config.grpc_max_streams_per_connection},
        {"grpc_memory_bytes", config.grpc_memory_bytes},
        {"grpc_max_threads", config.grpc_max_threads},
        {"max_revocation_streams", config.max_revocation_streams},
        {"max_revocation_streams_per_principal",
         config.max_revocation_streams_per_principal},
        {"ready_max_write_wait_ms", config.ready_max_write_wait_ms},
        {"ready_max_calls_in_flight", config.ready_max_calls_in_flight}}) {
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
