#ifndef ACCORD_CLIENTS_CONNECTION_H_
#define ACCORD_CLIENTS_CONNECTION_H_

// Connection setup for the client: which broker, which TLS files, which
// bearer token, from the connection flags, the environment and the --dev
// shortcuts; then the gRPC channel (always TLS) and per-call metadata.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/cmdline/flags.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace accord::client {

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const char*)>;

// The process environment.
std::optional<std::string> ProcessEnv(const char* name);

// The flags every command accepts for its connection: --broker, --ca,
// --cert, --key, --token, --timeout, --dev [DATA_DIR], --as, --citizen.
// `--dev X`
// takes X as DATA_DIR only when X contains '/', starts with '.', or is a
// directory holding dev-pki/; otherwise write `--dev=X`.
std::vector<cmdline::FlagSpec> ConnectionFlagSpecs();

// Where and how to connect, with every default applied.
struct ConnectionSettings {
  std::string target;     // host:port
  std::string ca_path;    // empty: the system's trusted roots
  std::string cert_path;  // client certificate; empty: none
  std::string key_path;   // its private key; empty: none
  std::string token;      // bearer token given with --token
  // --citizen NAME: mint a dev token for NAME with this issuer key file.
  std::string citizen_name;
  std::string issuer_key_path;
  int64_t timeout_seconds = 30;  // deadline of each call
  // Longest wait between two connection attempts after the broker went
  // away; 0: gRPC's default (up to two minutes). Long-lived followers such
  // as a revocation watcher set it to their own retry bound.
  int64_t max_reconnect_backoff_ms = 0;
};

// Returns the data directory of --dev: its value, else env ACCORD_DATA_DIR,
// else "./var". Returns a usage error when --dev is absent.
absl::StatusOr<std::string> DevDataDir(const cmdline::ParsedArgs& args,
                                       const EnvLookup& env);

// Resolves the connection flags in `args`:
//  - target: --broker, else env ACCORD_GRPC_ADDR, else 127.0.0.1:7443;
//  - --dev with --as P: DATA_DIR/dev-pki/{ca.pem,P.pem,P.key};
//  - --dev with --citizen N: the citizen-app certificate and a dev token
//    for N (minted by Connection::Open);
//  - otherwise --ca, --cert, --key, --token as given;
//  - --timeout SECONDS (1..86400, default 30): the deadline of each call.
// Returns the settings, or a usage error naming the flag at fault: --as or
// --citizen without --dev, both --as and --citizen, --dev without either,
// --dev together with --ca/--cert/--key, --citizen with --token, --cert
// without --key (or the reverse), an empty --broker or principal name, a
// --timeout out of range.
absl::StatusOr<ConnectionSettings> ResolveConnection(
    const cmdline::ParsedArgs& args, const EnvLookup& env);

// An open channel to the broker plus what every call carries.
class Connection {
 public:
  // Reads the TLS files, mints the dev citizen token if asked (valid from
  // `now`), and creates a TLS channel (connection happens on first call).
  // Returns the connection, or NOT_FOUND / INVALID_ARGUMENT /
  // FAILED_PRECONDITION naming the file at fault.
  static absl::StatusOr<Connection> Open(const ConnectionSettings& settings,
                                         int64_t now);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const std::string& token() const { return token_; }

  // Sets the call deadline and, when there is a token, the metadata
  // "authorization: Bearer <token>".
  void Prepare(grpc::ClientContext* context) const;

 private:
  Connection(std::shared_ptr<grpc::Channel> channel, std::string token,
             int64_t timeout_seconds)
      : channel_(std::move(channel)),
        token_(std::move(token)),
        timeout_seconds_(timeout_seconds) {}

  std::shared_ptr<grpc::Channel> channel_;
  std::string token_;
  int64_t timeout_seconds_;
};

// Reads a small text file (at most 1 MiB). Returns its content, NOT_FOUND
// naming `path` when it does not exist, FAILED_PRECONDITION naming it when
// it is too large or unreadable.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_CONNECTION_H_
