// accord-floor-server: the floor of accord-bench (tests/bench/README.md,
// "Floor"). A gRPC server set up as the broker's listener (mutual TLS with
// the dev PKI of a broker's data directory, ConfigureGrpcListener) that
// serves accord.v1.AccessService/RequestGrant with FloorAccessService: one
// ES256 signature and one synced group commit of a grant's size a call.
//
//   accord-floor-server --pki DIR --data DIR --addr HOST:PORT
//
// --pki: a dev-mode broker's DATA_DIR/dev-pki (ca.pem, server.pem,
// server.key); --data: a directory for a new store (must not hold one);
// --addr: where to listen. Writes "listening HOST:PORT" on stderr once it
// serves; stops on SIGTERM or SIGINT, draining its writes.

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <pthread.h>
#include <signal.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/auditlog/frontier.h"
#include "broker/auditlog/log.h"
#include "broker/cmdline/flags.h"
#include "broker/crypto/algorithm.h"
#include "broker/crypto/signing_key.h"
#include "broker/service/config.h"
#include "broker/service/grpc_listener.h"
#include "broker/store/store.h"
#include "clients/connection.h"
#include "tests/bench/floor_service.h"

namespace accord::bench {
namespace {

struct Flags {
  std::string pki;
  std::string data;
  std::string addr;
};

using cmdline::FlagSpec;

std::vector<FlagSpec> Specs() {
  using A = FlagSpec::Arity;
  std::vector<FlagSpec> specs = {
      {"pki",
       A::kValue,
       "DIR",
       "a dev-mode broker's DATA_DIR/dev-pki (ca.pem, server.pem, server.key)",
       {}},
      {"data", A::kValue, "DIR", "a directory for a new store", {}},
      {"addr", A::kValue, "HOST:PORT", "where to listen", {}},
      cmdline::HelpFlag()};
  // As given: a flag given again counts the last time.
  for (FlagSpec& spec : specs) spec.repeatable = true;
  return specs;
}

std::string Usage() {
  return absl::StrCat(
      "usage: accord-floor-server --pki DIR --data DIR --addr HOST:PORT\n"
      "The floor of accord-bench's floor scenarios: one signature and one "
      "synced commit a call.\n\nflags:\n",
      cmdline::FlagsUsage(Specs()));
}

absl::StatusOr<Flags> ReadFlags(const cmdline::ParsedArgs& args) {
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  Flags f;
  f.pki = args.GetOr("pki", "");
  f.data = args.GetOr("data", "");
  f.addr = args.GetOr("addr", "");
  if (f.pki.empty()) return absl::InvalidArgumentError("--pki: missing");
  if (f.data.empty()) return absl::InvalidArgumentError("--data: missing");
  if (f.addr.empty()) return absl::InvalidArgumentError("--addr: missing");
  std::error_code ec;
  if (std::filesystem::exists(f.data + "/db", ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--data: ", f.data, " already holds a store"));
  }
  return f;
}

absl::Status Serve(const Flags& flags, const sigset_t& signals) {
  auto ca = client::ReadSmallFile(flags.pki + "/ca.pem");
  if (!ca.ok()) return ca.status();
  auto cert = client::ReadSmallFile(flags.pki + "/server.pem");
  if (!cert.ok()) return cert.status();
  auto pem = client::ReadSmallFile(flags.pki + "/server.key");
  if (!pem.ok()) return pem.status();
  auto key = crypto::SigningKey::Generate(crypto::Algorithm::kES256);
  if (!key.ok()) return key.status();

  // A new store with a new audit log, as the broker opens its own.
  auditlog::Log log{auditlog::Frontier()};
  store::StoreOptions options;
  options.appender = &log;
  auto store = store::Store::Open(flags.data + "/db", options);
  if (!store.ok()) return store.status();

  // The broker's listener in dev mode (client certificates requested and
  // verified against the dev CA), with its default limits.
  service::BrokerConfig config;
  config.dev = true;
  auto credentials = service::GrpcServerCredentials(config, *ca, *cert, *pem);
  if (!credentials.ok()) return credentials.status();
  FloorAccessService service(*std::move(key), store->get());
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(flags.addr, *credentials, &port);
  service::ConfigureGrpcListener(config, builder);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("--addr: cannot listen on ", flags.addr));
  }
  std::fprintf(stderr, "listening %s\n", flags.addr.c_str());
  int signal = 0;
  sigwait(&signals, &signal);
  server->Shutdown();
  (*store)->Close();
  return absl::OkStatus();
}

}  // namespace
}  // namespace accord::bench

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // As the broker does (broker/main.cc).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  auto args = accord::cmdline::ParseFlags(argc, argv, accord::bench::Specs());
  if (args.ok() && args->Has("help")) {
    std::fputs(accord::bench::Usage().c_str(), stdout);
    return 0;
  }
  auto flags = args.ok() ? accord::bench::ReadFlags(*args)
                         : absl::StatusOr<accord::bench::Flags>(args.status());
  if (!flags.ok()) {
    std::fprintf(stderr, "accord-floor-server: %s\n",
                 std::string(flags.status().message()).c_str());
    return 2;
  }
  if (absl::Status s = accord::bench::Serve(*flags, signals); !s.ok()) {
    std::fprintf(stderr, "accord-floor-server: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
