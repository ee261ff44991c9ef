#ifndef ACCORD_CLIENTS_PORTAL_PORTAL_CONFIG_H_
#define ACCORD_CLIENTS_PORTAL_PORTAL_CONFIG_H_

// The configuration of accord-portal, the citizens' web app: one YAML file
// (--config FILE), then flags with the same names (dashes for
// underscores), parsed once and then immutable. clients/portal/README.md
// lists every key.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/cmdline/flags.h"

namespace accord::portal {

struct PortalConfig {
  // Where the portal listens (host:port).
  std::string listen = "127.0.0.1:8480";
  // The URL citizens open, without a trailing slash; the OIDC redirect URI
  // is public_url + "/callback". Default: http(s)://listen.
  std::string public_url;
  // HTTPS certificate chain and key (PEM). Required outside dev mode.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Dev mode: the broker's development files under dev_data_dir, plain
  // HTTP allowed on a loopback address only (cookies then lack Secure).
  bool dev = false;
  std::string dev_data_dir;

  // The broker's gRPC address and the mutual TLS material of the portal's
  // app principal.
  std::string broker = "127.0.0.1:7443";
  std::string broker_ca_file;
  std::string app_cert_file;
  std::string app_key_file;
  int64_t broker_timeout_seconds = 10;

  // The OpenID provider: its issuer URL (https), the CA file its HTTPS
  // certificate chains to (empty: the system's roots), the portal's client
  // id and, for a confidential client, a file holding its secret.
  std::string oidc_issuer;
  std::string oidc_ca_file;
  std::string client_id;
  std::string client_secret_file;
  std::string scope = "openid";

  // The audit log's checkpoint verifier key (C2SP "<name>+<hash>+<key>"),
  // pinned: the browser checks every access history line against
  // checkpoints signed by this key only.
  std::string checkpoint_key;

  // The directory of the pages and scripts served.
  std::string web_root = "clients/portal/web";
  // Longest session; a session also ends when the citizen's ID token
  // expires.
  int64_t session_seconds = 3600;
  // Most sessions and pending sign-ins held at once.
  int64_t max_sessions = 10000;
  // Threads serving requests. Each holds one connection while it is kept
  // alive (at most 2 s idle), so this bounds the connections served at
  // once; the others wait their turn.
  int64_t threads = 64;
  // Request rate limits (token buckets; 0 turns one off): every request
  // from one client address, and the API calls of one session. Behind a
  // reverse proxy every citizen shares the proxy's address: raise the
  // per-address limit there.
  int64_t rate_limit_per_ip_per_second = 50;
  int64_t rate_limit_per_ip_burst = 200;
  int64_t rate_limit_per_session_per_second = 10;
  int64_t rate_limit_per_session_burst = 40;
};

// The portal's flags: --config FILE (every one read, in order), --dev
// [DATA_DIR], and every other key of the YAML file with dashes (or
// underscores); a flag given again counts the last time.
std::vector<cmdline::FlagSpec> PortalFlagSpecs();

// Returns "usage: ..." for --help and errors: the flags of PortalFlagSpecs.
std::string PortalUsage();

// Parses argv (without argv[0]) against PortalFlagSpecs: the --config
// files first, then the other flags over them; applies the dev defaults and
// checks the result. Errors: INVALID_ARGUMENT naming the key or flag at fault.
absl::StatusOr<PortalConfig> LoadPortalConfig(
    const std::vector<std::string>& args);

// True for a literal loopback address or "localhost" in host:port.
bool IsLoopbackListen(const std::string& host_port);

}  // namespace accord::portal

#endif  // ACCORD_CLIENTS_PORTAL_PORTAL_CONFIG_H_
