#ifndef ACCORD_BROKER_SERVICE_CONFIG_H_
#define ACCORD_BROKER_SERVICE_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace accord::service {

// A citizen identity provider whose tokens the broker accepts.
struct CitizenIssuer {
  std::string issuer;     // exact `iss`
  std::string audience;   // required `aud`
  std::string jwks_file;  // public keys of the issuer
};

// Everything the broker is configured with, parsed once (file, then
// environment, then flags) and then immutable.
struct BrokerConfig {
  std::string grpc_address = "127.0.0.1:7443";
  std::string http_address = "127.0.0.1:7480";
  std::string data_dir = "./var";
  // Dev mode: create and use a development PKI, keys, issuer and demo
  // content under data_dir. Refused on non-loopback addresses.
  bool dev = false;
  // TLS material; required outside dev mode.
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  // Grant-signing and checkpoint keys; default data_dir/keys.
  std::string keys_dir;
  // 32+ random bytes for subject pseudonyms; default data_dir/keys/
  // pseudonym.secret (created in dev mode only).
  std::string pseudonym_secret_file;
  std::vector<CitizenIssuer> citizen_issuers;
  // Optional YAML file of extra purposes for the taxonomy.
  std::string taxonomy_extension_file;
  // The issuer (`iss`) of grants and the log origin line.
  std::string grant_issuer = "accord";
  std::string log_origin = "accord.local/log";
  uint32_t max_subjects_per_grant = 1000;
  // The longest lifetime a grant may ask for; retired signing keys stay
  // published at least this long.
  uint32_t max_grant_lifetime_seconds = 86400;
  // A rotated-in signing key is published this long before it signs; also
  // the JWKS cache lifetime.
  uint32_t key_prepublish_seconds = 600;
  int64_t clock_skew_seconds = 60;
  // Block cache for the store.
  uint64_t cache_bytes = 64ull << 20;
  // Restore this backup into data_dir before starting.
  std::string restore_from;
  // Start even when the stored audit log no longer matches the last
  // checkpoint (for inspection after tampering); refused otherwise.
  bool allow_log_mismatch = false;
  // Per-principal request rate (every RPC, any service): a token bucket per
  // authenticated principal refilled at this many requests per second,
  // holding at most rate_limit_burst. 0: no limit (the default, so
  // benchmarks are not throttled; deploy/accord.yaml sets one). A request
  // over the limit is refused with RESOURCE_EXHAUSTED before any work.
  uint32_t rate_limit_per_second = 0;
  // The bucket size; 0 means one second's worth (rate_limit_per_second).
  uint32_t rate_limit_burst = 0;

  // --- HTTP listener (/healthz, /readyz, /metrics, JWKS): TLS and limits ---
  // PEM certificate chain and private key; when set, the listener serves
  // HTTPS only (TLS 1.2 minimum). Both or neither. Required outside dev mode
  // unless http_address is a loopback address; outside dev mode the key file
  // must not be readable by group or others.
  std::string http_tls_cert_file;
  std::string http_tls_key_file;
  // Shared connection slots, and extra slots that serve only /healthz,
  // /readyz and the JWKS (so they answer while /metrics is flooded).
  uint32_t http_max_connections = 64;
  uint32_t http_reserved_connections = 8;
  // Connections at once from one client address; more are closed at once.
  uint32_t http_max_connections_per_ip = 16;
  // Time to send a complete request head, from the connection (TLS
  // handshake included) or the previous response: the keep-alive timeout.
  uint32_t http_idle_timeout_seconds = 5;
  // Time a client has to read a whole response; at least the idle timeout.
  uint32_t http_request_timeout_seconds = 10;
};

// Reads the YAML config file at `path` (if not empty), then applies the
// environment (ACCORD_GRPC_ADDR, ACCORD_HTTP_ADDR, ACCORD_DATA_DIR), then
// `flags` (`--name=value` or `--name value`, `--dev DATA_DIR`). Returns
// INVALID_ARGUMENT naming the key or flag at fault; unknown keys and flags
// are errors.
absl::StatusOr<BrokerConfig> LoadConfig(int argc, char** argv);

// Usage text for --help.
std::string ConfigUsage();

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CONFIG_H_
