#include "clients/portal/portal_config.h"

#include <arpa/inet.h>

#include <functional>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "broker/dev/dev_layout.h"
#include "yaml-cpp/yaml.h"

namespace accord::portal {
namespace {

using Setter = std::function<absl::Status(PortalConfig&, const std::string&)>;

Setter Text(std::string PortalConfig::*field) {
  return [field](PortalConfig& c, const std::string& v) {
    c.*field = v;
    return absl::OkStatus();
  };
}

Setter Number(int64_t PortalConfig::*field, int64_t min, int64_t max) {
  return [=](PortalConfig& c, const std::string& v) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(v, &n) || n < min || n > max) {
      return absl::InvalidArgumentError(
          absl::StrCat("not a number in ", min, "..", max));
    }
    c.*field = n;
    return absl::OkStatus();
  };
}

const std::map<std::string, Setter>& Settings() {
  static const auto* settings = new std::map<std::string, Setter>{
      {"listen", Text(&PortalConfig::listen)},
      {"public_url", Text(&PortalConfig::public_url)},
      {"tls_cert", Text(&PortalConfig::tls_cert_file)},
      {"tls_key", Text(&PortalConfig::tls_key_file)},
      {"broker", Text(&PortalConfig::broker)},
      {"broker_ca", Text(&PortalConfig::broker_ca_file)},
      {"app_cert", Text(&PortalConfig::app_cert_file)},
      {"app_key", Text(&PortalConfig::app_key_file)},
      {"broker_timeout_seconds",
       Number(&PortalConfig::broker_timeout_seconds, 1, 300)},
      {"oidc_issuer", Text(&PortalConfig::oidc_issuer)},
      {"oidc_ca", Text(&PortalConfig::oidc_ca_file)},
      {"client_id", Text(&PortalConfig::client_id)},
      {"client_secret_file", Text(&PortalConfig::client_secret_file)},
      {"scope", Text(&PortalConfig::scope)},
      {"checkpoint_key", Text(&PortalConfig::checkpoint_key)},
      {"web_root", Text(&PortalConfig::web_root)},
      {"session_seconds", Number(&PortalConfig::session_seconds, 60, 86400)},
      {"max_sessions", Number(&PortalConfig::max_sessions, 1, 1000000)},
      {"threads", Number(&PortalConfig::threads, 1, 1024)},
      {"rate_limit_per_ip_per_second",
       Number(&PortalConfig::rate_limit_per_ip_per_second, 0, 1000000)},
      {"rate_limit_per_ip_burst",
       Number(&PortalConfig::rate_limit_per_ip_burst, 0, 1000000)},
      {"rate_limit_per_session_per_second",
       Number(&PortalConfig::rate_limit_per_session_per_second, 0, 1000000)},
      {"rate_limit_per_session_burst",
       Number(&PortalConfig::rate_limit_per_session_burst, 0, 1000000)},
      {"dev",
       [](PortalConfig& c, const std::string& v) {
         c.dev = true;
         c.dev_data_dir = v;
         return absl::OkStatus();
       }},
  };
  return *settings;
}

absl::Status LoadFile(const std::string& path, PortalConfig& config) {
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
    const std::string where =
        absl::StrCat(path, ":", value.Mark().line + 1, ": ", key, ": ");
    auto it = Settings().find(key);
    if (it == Settings().end()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "unknown key"));
    }
    if (!value.IsScalar()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "not a scalar"));
    }
    if (absl::Status s = it->second(config, value.Scalar()); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, s.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status Check(PortalConfig& c) {
  if (c.dev) {
    if (c.dev_data_dir.empty())
      c.dev_data_dir = std::string(dev::kDefaultDataDir);
    if (!IsLoopbackListen(c.listen)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "dev mode listens on a loopback address only, not '", c.listen, "'"));
    }
    if (c.broker_ca_file.empty()) {
      c.broker_ca_file = dev::CaCertPath(c.dev_data_dir);
    }
    if (c.app_cert_file.empty()) {
      c.app_cert_file =
          dev::PrincipalCertPath(c.dev_data_dir, dev::kCitizenApp);
      c.app_key_file = dev::PrincipalKeyPath(c.dev_data_dir, dev::kCitizenApp);
    }
  } else if (c.tls_cert_file.empty() || c.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "tls_cert and tls_key are required outside dev mode");
  }
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return absl::InvalidArgumentError("tls_cert and tls_key go together");
  }
  if (c.public_url.empty()) {
    c.public_url = absl::StrCat(
        c.tls_cert_file.empty() ? "http://" : "https://", c.listen);
  }
  while (!c.public_url.empty() && c.public_url.back() == '/') {
    c.public_url.pop_back();
  }
  if (!absl::StartsWith(c.public_url, "https://") &&
      !(c.dev && absl::StartsWith(c.public_url, "http://"))) {
    return absl::InvalidArgumentError(
        "public_url must be https:// (http:// in dev mode only)");
  }
  for (const auto& [name, value] : {std::pair<const char*, const std::string*>{
                                        "broker_ca", &c.broker_ca_file},
                                    {"app_cert", &c.app_cert_file},
                                    {"app_key", &c.app_key_file},
                                    {"oidc_issuer", &c.oidc_issuer},
                                    {"client_id", &c.client_id},
                                    {"checkpoint_key", &c.checkpoint_key}}) {
    if (value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(name, " is required"));
    }
  }
  if (!absl::StartsWith(c.oidc_issuer, "https://")) {
    return absl::InvalidArgumentError("oidc_issuer must be an https:// URL");
  }
  if (c.checkpoint_key.find('+') == std::string::npos) {
    return absl::InvalidArgumentError(
        "checkpoint_key is not a verifier key <name>+<hash>+<key>");
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<cmdline::FlagSpec> PortalFlagSpecs() {
  using A = cmdline::FlagSpec::Arity;
  std::vector<cmdline::FlagSpec> specs = {
      {"config", A::kValue, "FILE", "YAML config file", {}, true}};
  for (const auto& [key, setter] : Settings()) {
    cmdline::FlagSpec spec{absl::StrReplaceAll(key, {{"_", "-"}}),
                           A::kValue,
                           "VALUE",
                           "",
                           {},
                           true};
    if (key == "dev") {
      spec.arity = A::kOptional;
      spec.value_name = "DATA_DIR";
      spec.accepts_separate = [](absl::string_view) { return true; };
    }
    if (spec.name != key) spec.aliases.push_back(key);
    specs.push_back(std::move(spec));
  }
  return specs;
}

std::string PortalUsage() {
  return absl::StrCat(
      "usage: accord-portal [--config FILE] [--dev DATA_DIR] [--KEY VALUE]...\n"
      "flags (the keys are also in the YAML file, with underscores):\n",
      cmdline::FlagsUsage(PortalFlagSpecs()));
}

bool IsLoopbackListen(const std::string& host_port) {
  absl::string_view host = host_port;
  if (absl::ConsumePrefix(&host, "[")) {
    host = host.substr(0, host.find(']'));
  } else if (auto colon = host.rfind(':'); colon != absl::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host == "localhost") return true;
  const std::string literal(host);
  in_addr v4;
  if (inet_pton(AF_INET, literal.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  return inet_pton(AF_INET6, literal.c_str(), &v6) == 1 &&
         IN6_IS_ADDR_LOOPBACK(&v6);
}

absl::StatusOr<PortalConfig> LoadPortalConfig(
    const std::vector<std::string>& args) {
  absl::StatusOr<cmdline::ParsedArgs> flags =
      cmdline::ParseFlags(args, PortalFlagSpecs());
  if (!flags.ok()) return absl::InvalidArgumentError(flags.status().message());
  if (!flags->positionals().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unexpected argument '", flags->positionals().front(), "'"));
  }
  PortalConfig config;
  for (const std::string& file : flags->GetAll("config")) {
    if (absl::Status s = LoadFile(file, config); !s.ok()) return s;
  }
  for (const auto& [key, setter] : Settings()) {
    const std::string name = absl::StrReplaceAll(key, {{"_", "-"}});
    std::optional<std::string> value = flags->Get(name);
    if (!value.has_value()) continue;
    if (absl::Status s = setter(config, *value); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, ": ", s.message()));
    }
  }
  if (absl::Status s = Check(config); !s.ok()) return s;
  return config;
}

}  // namespace accord::portal
