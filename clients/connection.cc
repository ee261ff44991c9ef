#include "clients/connection.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/cmdline/usage_error.h"
#include "broker/dev/dev_layout.h"
#include "clients/dev_token.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace accord::client {
namespace {

constexpr size_t kMaxFileBytes = 1 << 20;

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// `--dev X` takes X as DATA_DIR only when X cannot be a command word: it
// looks like a path or already holds a dev PKI. Otherwise `--dev=X`.
bool LooksLikeDataDir(absl::string_view value) {
  return absl::StrContains(value, '/') || absl::StartsWith(value, ".") ||
         IsDirectory(absl::StrCat(value, "/", dev::kPkiDir));
}

}  // namespace

std::optional<std::string> ProcessEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::vector<cmdline::FlagSpec> ConnectionFlagSpecs() {
  using A = cmdline::FlagSpec::Arity;
  return {
      {"broker",
       A::kValue,
       "HOST:PORT",
       "broker address (env ACCORD_GRPC_ADDR, default 127.0.0.1:7443)",
       {}},
      {"ca", A::kValue, "PEM", "CA certificates that sign the broker's", {}},
      {"cert", A::kValue, "PEM", "client certificate", {}},
      {"key", A::kValue, "PEM", "client private key", {}},
      {"token", A::kValue, "JWT", "citizen bearer token", {}},
      {"timeout",
       A::kValue,
       "SECONDS",
       "deadline of each call (default 30)",
       {}},
      {"dev", A::kOptional, "DATA_DIR",
       "development shortcuts under DATA_DIR (env ACCORD_DATA_DIR, default "
       "./var)",
       LooksLikeDataDir},
      {"as",
       A::kValue,
       "PRINCIPAL",
       "with --dev: connect as this principal",
       {}},
      {"citizen",
       A::kValue,
       "NAME",
       "with --dev: act as this citizen via the citizen-app certificate",
       {}},
  };
}

absl::StatusOr<std::string> DevDataDir(const cmdline::ParsedArgs& args,
                                       const EnvLookup& env) {
  std::optional<std::string> dev = args.Get("dev");
  if (!dev.has_value()) return cmdline::UsageError("--dev is required");
  if (!dev->empty()) return *dev;
  if (std::optional<std::string> e = env(dev::kDataDirEnv);
      e.has_value() && !e->empty()) {
    return *e;
  }
  return std::string(dev::kDefaultDataDir);
}

absl::StatusOr<ConnectionSettings> ResolveConnection(
    const cmdline::ParsedArgs& args, const EnvLookup& env) {
  ConnectionSettings s;
  if (std::optional<std::string> b = args.Get("broker"); b.has_value()) {
    if (b->empty()) return cmdline::UsageError("--broker: empty address");
    s.target = *b;
  } else if (std::optional<std::string> e = env(dev::kBrokerAddrEnv);
             e.has_value() && !e->empty()) {
    s.target = *e;
  } else {
    s.target = std::string(dev::kDefaultBrokerAddr);
  }

  absl::StatusOr<std::optional<uint64_t>> timeout =
      args.GetUint("timeout", 86400);
  if (!timeout.ok()) return timeout.status();
  if (timeout->has_value()) {
    if (**timeout == 0)
      return cmdline::UsageError("--timeout: must be at least 1");
    s.timeout_seconds = static_cast<int64_t>(**timeout);
  }

  const bool as = args.Has("as");
  const bool citizen = args.Has("citizen");
  if (!args.Has("dev")) {
    if (as) return cmdline::UsageError("--as needs --dev");
    if (citizen) return cmdline::UsageError("--citizen needs --dev");
    s.ca_path = args.GetOr("ca", "");
    s.cert_path = args.GetOr("cert", "");
    s.key_path = args.GetOr("key", "");
    s.token = args.GetOr("token", "");
    if (s.cert_path.empty() != s.key_path.empty()) {
      return cmdline::UsageError("--cert and --key go together");
    }
    return s;
  }

  for (const char* flag : {"ca", "cert", "key"}) {
    if (args.Has(flag)) {
      return cmdline::UsageError(
          absl::StrCat("--", flag, " conflicts with --dev"));
    }
  }
  if (as && citizen)
    return cmdline::UsageError("--as conflicts with --citizen");
  if (!as && !citizen) {
    return cmdline::UsageError("--dev needs --as PRINCIPAL or --citizen NAME");
  }
  absl::StatusOr<std::string> data_dir = DevDataDir(args, env);
  if (!data_dir.ok()) return data_dir.status();
  std::string principal;
  if (as) {
    principal = args.GetOr("as", "");
    if (principal.empty()) return cmdline::UsageError("--as: empty principal");
    s.token = args.GetOr("token", "");
  } else {
    if (args.Has("token"))
      return cmdline::UsageError("--citizen conflicts with --token");
    s.citizen_name = args.GetOr("citizen", "");
    if (s.citizen_name.empty())
      return cmdline::UsageError("--citizen: empty name");
    s.issuer_key_path = dev::IssuerKeyPath(*data_dir);
    principal = std::string(dev::kCitizenApp);
  }
  s.ca_path = dev::CaCertPath(*data_dir);
  s.cert_path = dev::PrincipalCertPath(*data_dir, principal);
  s.key_path = dev::PrincipalKeyPath(*data_dir, principal);
  return s;
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  }
  if (!S_ISREG(st.st_mode) || static_cast<size_t>(st.st_size) > kMaxFileBytes) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": not a regular file of at most 1 MiB"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": cannot read"));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::StatusOr<Connection> Connection::Open(const ConnectionSettings& settings,
                                            int64_t now) {
  grpc::SslCredentialsOptions tls;
  if (!settings.ca_path.empty()) {
    absl::StatusOr<std::string> ca = ReadSmallFile(settings.ca_path);
    if (!ca.ok()) return ca.status();
    tls.pem_root_certs = *std::move(ca);
  }
  if (!settings.cert_path.empty()) {
    absl::StatusOr<std::string> cert = ReadSmallFile(settings.cert_path);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadSmallFile(settings.key_path);
    if (!key.ok()) return key.status();
    tls.pem_cert_chain = *std::move(cert);
    tls.pem_private_key = *std::move(key);
  }
  std::string token = settings.token;
  if (!settings.citizen_name.empty()) {
    absl::StatusOr<crypto::SigningKey> issuer =
        crypto::SigningKey::ReadPemFile(settings.issuer_key_path);
    if (!issuer.ok()) return issuer.status();
    absl::StatusOr<std::string> minted =
        MintDevCitizenToken(*issuer, settings.citizen_name, now);
    if (!minted.ok()) return minted.status();
    token = *std::move(minted);
  }
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(64 << 20);
  if (settings.max_reconnect_backoff_ms > 0) {
    const int ms = static_cast<int>(
        std::min<int64_t>(settings.max_reconnect_backoff_ms, 1 << 30));
    channel_args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
                        std::min(ms, 1000));
    // GRPC_ARG_MIN_RECONNECT_BACKOFF_MS is left alone: gRPC also takes it
    // as the bound on one connection attempt, handshake included.
    channel_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, ms);
    // After a lost connection the channel resolves the name again before
    // reconnecting, by default at most every 30 s.
    channel_args.SetInt(GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS, ms);
  }
  return Connection(
      grpc::CreateCustomChannel(settings.target, grpc::SslCredentials(tls),
                                channel_args),
      std::move(token), settings.timeout_seconds);
}

void Connection::Prepare(grpc::ClientContext* context) const {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(timeout_seconds_));
  if (!token_.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  }
}

}  // namespace accord::client
