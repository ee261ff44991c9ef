#ifndef ACCORD_BROKER_SERVICE_CONFIG_H_
#define ACCORD_BROKER_SERVICE_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace accord::service {

// A citizen identity provider whose tokens the broker accepts.
struct CitizenIssuer {
  std::string issuer;    // exact `iss`
  std::string audience;  // required `aud`
  // Public keys of the issuer, read once at start (air-gapped setups).
  // Empty: `issuer` is an https URL and the keys are discovered from it
  // (`<issuer>/.well-known/openid-configuration`, then its jwks_uri) and
  // kept fresh in the background: see citizen_keys.h.
  std::string jwks_file;
  // Client id of the token (`azp`, or `aud` when it is one string and there
  // is no `azp`) -> the app principals that may present tokens minted for
  // that client. Required, at least one: a token is only honoured through
  // an app it was minted for.
  std::map<std::string, std::vector<std::string>> app_principals;
  // Issuer by URL only: the PEM CA certificates that may sign the
  // provider's TLS certificate (pinned: nothing else is trusted). Empty:
  // the system's CA store.
  std::string ca_file;
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
  // Tests only, refused without dev mode: the broker's clock is real time
  // plus the duration written in this file, read again at every use
  // (service/dev_clock.h), so a test moves the broker's time.
  std::string dev_clock_file;
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
  // The longest lifetime of any grant, whatever its policy allows (a
  // request asking for more is refused; one asking for nothing gets the
  // policy's maximum, capped by this); retired grant keys stay published at
  // least this long, and a withdrawal revokes the grants issued within it.
  uint32_t max_grant_lifetime_seconds = 3600;
  // A rotated-in signing key is published this long before it signs; also
  // the JWKS cache lifetime.
  uint32_t key_prepublish_seconds = 600;
  int64_t clock_skew_seconds = 60;
  // A partner reads the answer counts of its consent requests; a count
  // under this threshold k is shown as "< k", never exactly.
  uint32_t request_count_threshold = 10;
  // Retention (service/sweeper.h, docs/privacy.md): consent records and
  // their events are deleted this many days after the consent was
  // withdrawn, expired or refused (5 years: the limitation period of a
  // claim in French civil law, during which proof of consent may be
  // needed); grant records this many days after they expired.
  uint32_t retention_consent_events_days = 1826;
  uint32_t retention_grant_records_days = 365;
  // Seconds between two retention sweeps; 0: no sweep.
  uint32_t retention_sweep_interval_seconds = 3600;
  // A write call's answer is kept for a retry with its client request id
  // (service/request_ids.h) at least this long, then swept.
  uint32_t request_id_window_seconds = 86400;
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

  // --- What one caller can hold: listener limits, waits, streams ---
  // Per-peer-address request rate, checked before any other work of a call
  // (the certificate's principal, a citizen token's signature): a token
  // bucket per client IP address. 0: no limit.
  uint32_t rate_limit_per_peer_per_second = 0;
  uint32_t rate_limit_per_peer_burst = 0;
  // Concurrent calls (HTTP/2 streams) on one gRPC connection.
  uint32_t grpc_max_streams_per_connection = 100;
  // Memory gRPC may use for connections and calls in flight (its resource
  // quota); past it, new connections and calls are refused.
  uint64_t grpc_memory_bytes = 256ull << 20;
  // Threads gRPC may start for its server (its resource quota).
  uint32_t grpc_max_threads = 64;
  // Server reflection; always on in dev mode.
  bool grpc_reflection = false;
  // Open WatchRevocations streams, in all and per principal.
  uint32_t max_revocation_streams = 1000;
  uint32_t max_revocation_streams_per_principal = 16;
  // Readiness (/readyz and the gRPC health status): not ready while a write
  // has waited this long for the writer, while this many calls are in
  // flight, or while the last write failed.
  uint32_t ready_max_write_wait_ms = 2000;
  uint32_t ready_max_calls_in_flight = 5000;
  // A directory of certificate revocation lists of the CA (PEM files named
  // by their issuer hash, `<hash>.r0`, as `openssl rehash` names them):
  // a client certificate they revoke fails the TLS handshake. Read at start.
  std::string tls_crl_dir;

  // --- Signing keys and caller identities ---
  // Consent receipts are signed by their own key ring, keys_dir/receipts.
  // Dev mode creates it when missing; elsewhere a missing ring stops the
  // start unless this is true, which creates it (once, when upgrading keys
  // made before receipts had their own keys).
  bool create_receipt_keys = false;
  // Every URI SAN of a client certificate, and every principal's
  // certificate_uri, must lie under this trust domain: a URI prefix such as
  // `spiffe://accord.example` (then `spiffe://accord.example/...`) or a URN
  // prefix such as `urn:accord:principal` (then `urn:accord:principal:...`).
  // Empty: no certificate URI is accepted, only fingerprint-pinned
  // principals authenticate. Dev mode sets `urn:accord:principal`.
  std::string trust_domain;

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

// Usage text for --help: the commands, then every key the config parser
// accepts, one line each with its default, generated from the parser's
// table (so a new key is listed as soon as the parser takes it).
std::string ConfigUsage();

// Every top-level key the config file accepts (also flags, with dashes,
// except citizen_issuers), in the order of --help.
std::vector<std::string> ConfigKeys();

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CONFIG_H_
