// accord-data-service: the example data service. Serves the PERSONAL demo
// dataset's (fake) records over mutual TLS to callers with a valid grant.
//
//   accord-data-service --listen 127.0.0.1:9443
//     --jwks https://127.0.0.1:7480/.well-known/jwks.json
//     --jwks-ca var/dev-pki/ca.pem
//     --audience data.rennes.example
//     --tls-cert var/dev-pki/server.pem --tls-key var/dev-pki/server.key
//     --client-ca var/dev-pki/ca.pem --subjects PSEUDONYM1,PSEUDONYM2
//     --broker 127.0.0.1:7443 --broker-ca var/dev-pki/ca.pem
//     --broker-cert var/dev-pki/producer-demo.pem
//     --broker-key var/dev-pki/producer-demo.key --revocations watch
//
// (or --subjects-file subjects.json holding an array of pseudonyms).
// `--jwks broker` takes the keys from the broker's TrustService instead
// of HTTPS; `--jwks-http loopback` accepts a plain http:// JWKS URL towards
// loopback. `--revocations watch` follows the broker's revocation stream
// and refuses revoked grants (and every grant while the stream has been
// down longer than --revocation-staleness seconds). Runs until SIGTERM or
// SIGINT.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "absl/strings/numbers.h"
#include "broker/cmdline/flags.h"
#include "broker/http/listener.h"
#include "clients/examples/data_service.h"
#include "clients/examples/household_records.h"
#include "clients/verifier/broker_keys.h"
#include "clients/verifier/grant_verifier.h"
#include "clients/verifier/revocation_watcher.h"

namespace {

constexpr char kUsage[] =
    "usage: accord-data-service --listen ADDR --jwks URL|FILE|broker "
    "--audience A --tls-cert PEM --tls-key KEY --client-ca PEM "
    "(--subjects a,b | --subjects-file F) [--issuer I] [--skew-seconds S]\n"
    "  [--jwks-ca PEM] [--jwks-http loopback]\n"
    "  [--broker ADDR --broker-ca PEM --broker-cert PEM --broker-key KEY]\n"
    "  [--revocations watch [--max-grant-lifetime S] "
    "[--revocation-staleness S]]\n"
    "Serves the household demo records over gRPC with mutual TLS, only as\n"
    "far as an Accord grant covers them (see clients/examples/README.md).\n";

using accord::cmdline::FlagSpec;

std::vector<FlagSpec> Specs() {
  using A = FlagSpec::Arity;
  return {
      {"listen",
       A::kValue,
       "ADDR",
       "gRPC listener (mutual TLS), HOST:PORT",
       {}},
      {"jwks",
       A::kValue,
       "URL|FILE|broker",
       "grant keys: a JWKS URL or file, or broker (from the broker)",
       {}},
      {"audience", A::kValue, "A", "this service's name in grants (aud)", {}},
      {"issuer",
       A::kValue,
       "I",
       "the grants' issuer (iss); not compared without it",
       {}},
      {"tls-cert", A::kValue, "PEM", "the listener's certificate", {}},
      {"tls-key", A::kValue, "KEY", "its private key", {}},
      {"client-ca", A::kValue, "PEM", "CA that signs client certificates", {}},
      {"subjects", A::kValue, "a,b", "pseudonyms of the demo households", {}},
      {"subjects-file", A::kValue, "F", "the same, one per line", {}},
      {"skew-seconds", A::kValue, "S", "clock skew allowed on grant times", {}},
      {"jwks-ca", A::kValue, "PEM", "CA of the JWKS URL's TLS certificate", {}},
      {"jwks-http",
       A::kValue,
       "loopback",
       "allow a plain-HTTP JWKS URL on loopback",
       {}},
      {"broker", A::kValue, "ADDR", "the broker's gRPC address", {}},
      {"broker-ca", A::kValue, "PEM", "CA of the broker's certificate", {}},
      {"broker-cert", A::kValue, "PEM", "client certificate at the broker", {}},
      {"broker-key", A::kValue, "KEY", "its private key", {}},
      {"revocations",
       A::kValue,
       "watch",
       "follow the broker's revocation stream",
       {}},
      {"max-grant-lifetime",
       A::kValue,
       "S",
       "the broker's max_grant_lifetime_seconds",
       {}},
      {"revocation-staleness",
       A::kValue,
       "S",
       "refuse grants when the stream is older than this",
       {}},
      accord::cmdline::HelpFlag()};
}

std::string FullUsage() {
  return std::string(kUsage) + "\nflags:\n" +
         accord::cmdline::FlagsUsage(Specs());
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

int Fail(const std::string& message) {
  std::cerr << "accord-data-service: " << message << "\n";
  return 2;
}

// Reads a positive number of seconds from `flag` when given.
bool ReadSeconds(const accord::cmdline::ParsedArgs& flags,
                 const std::string& flag, absl::Duration* out) {
  if (!flags.Has(flag)) return true;
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(flags.GetOr(flag, ""), &seconds) || seconds <= 0) {
    return false;
  }
  *out = absl::Seconds(seconds);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace accord;  // NOLINT: a main
  auto flags = cmdline::ParseFlags(argc, argv, Specs());
  if (!flags.ok()) {
    return Fail(std::string(flags.status().message()) + "\n" + FullUsage());
  }
  if (flags->Has("help")) {
    std::fputs(FullUsage().c_str(), stdout);
    return 0;
  }
  if (absl::Status s = flags->ExpectPositionals({}); !s.ok()) {
    return Fail(std::string(s.message()) + "\n" + FullUsage());
  }
  for (const char* required :
       {"listen", "jwks", "audience", "tls-cert", "tls-key", "client-ca"}) {
    if (!flags->Has(required)) {
      return Fail(std::string("--") + required + " is required\n" +
                  FullUsage());
    }
  }
  std::vector<std::string> subjects;
  if (flags->Has("subjects-file")) {
    auto from_file =
        examples::ReadSubjectsFile(flags->GetOr("subjects-file", ""));
    if (!from_file.ok()) {
      return Fail("--subjects-file: " +
                  std::string(from_file.status().message()));
    }
    subjects = *std::move(from_file);
  }
  if (flags->Has("subjects")) {
    for (std::string& s : flags->GetList("subjects")) {
      subjects.push_back(std::move(s));
    }
  }
  if (subjects.empty())
    return Fail("--subjects or --subjects-file: no pseudonyms");

  grpc::SslServerCredentialsOptions tls(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  if (!ReadFile(flags->GetOr("tls-cert", ""), &pair.cert_chain)) {
    return Fail("--tls-cert: cannot read " + flags->GetOr("tls-cert", ""));
  }
  if (!ReadFile(flags->GetOr("tls-key", ""), &pair.private_key)) {
    return Fail("--tls-key: cannot read " + flags->GetOr("tls-key", ""));
  }
  if (!ReadFile(flags->GetOr("client-ca", ""), &tls.pem_root_certs)) {
    return Fail("--client-ca: cannot read " + flags->GetOr("client-ca", ""));
  }
  tls.pem_key_cert_pairs.push_back(std::move(pair));

  verifier::BrokerEndpoint broker;
  const bool uses_broker =
      flags->GetOr("jwks", "") == "broker" || flags->Has("revocations");
  if (uses_broker) {
    for (const char* required :
         {"broker", "broker-ca", "broker-cert", "broker-key"}) {
      if (!flags->Has(required)) {
        return Fail(std::string("--") + required +
                    " is required with --jwks broker or --revocations\n" +
                    FullUsage());
      }
    }
    broker.target = flags->GetOr("broker", "");
    broker.ca_file = flags->GetOr("broker-ca", "");
    broker.cert_file = flags->GetOr("broker-cert", "");
    broker.key_file = flags->GetOr("broker-key", "");
  }
  verifier::JwksSource::Options source_options;
  if (flags->Has("jwks-ca"))
    source_options.ca_file = flags->GetOr("jwks-ca", "");
  if (flags->Has("jwks-http")) {
    if (flags->GetOr("jwks-http", "") != "loopback") {
      return Fail("--jwks-http: the only value is loopback");
    }
    source_options.allow_loopback_http = true;
  }
  absl::StatusOr<std::unique_ptr<verifier::JwksSource>> keys;
  if (flags->GetOr("jwks", "") == "broker") {
    auto loader = verifier::BrokerKeysLoader(broker);
    if (!loader.ok()) {
      return Fail("--broker: " + std::string(loader.status().message()));
    }
    keys = verifier::JwksSource::FromLoader(*std::move(loader), source_options);
  } else {
    keys = verifier::JwksSource::Open(flags->GetOr("jwks", ""), source_options);
  }
  if (!keys.ok())
    return Fail("--jwks: " + std::string(keys.status().message()));
  verifier::GrantVerifierOptions options;
  std::unique_ptr<verifier::RevocationWatcher> watcher;
  if (flags->Has("revocations")) {
    if (flags->GetOr("revocations", "") != "watch") {
      return Fail("--revocations: the only value is watch");
    }
    verifier::RevocationWatcher::Options watch;
    if (!ReadSeconds(*flags, "max-grant-lifetime",
                     &watch.revoked.max_grant_lifetime)) {
      return Fail("--max-grant-lifetime: not a positive integer");
    }
    if (!ReadSeconds(*flags, "revocation-staleness",
                     &watch.revoked.max_staleness)) {
      return Fail("--revocation-staleness: not a positive integer");
    }
    auto started = verifier::RevocationWatcher::Start(broker, watch);
    if (!started.ok()) {
      return Fail("--revocations: " + std::string(started.status().message()));
    }
    watcher = *std::move(started);
    options.revoked = watcher->revoked();
  }
  options.audience = flags->GetOr("audience", "");
  if (flags->Has("issuer")) options.issuer = flags->GetOr("issuer", "");
  if (flags->Has("skew-seconds") &&
      !absl::SimpleAtoi(flags->GetOr("skew-seconds", ""),
                        &options.skew_seconds)) {
    return Fail("--skew-seconds: not an integer");
  }
  const verifier::GrantVerifier grant_verifier(*std::move(keys), options);
  examples::DataServiceImpl service(&grant_verifier, subjects);

  // Signals are taken by sigwait below, not by a handler.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(flags->GetOr("listen", ""),
                           grpc::SslServerCredentials(tls), &port);
  // gRPC turns SO_REUSEPORT on by default: a second service on this port
  // would then share it and take part of the connections. Off, it fails.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    const absl::Status why = http::CheckListenable(flags->GetOr("listen", ""));
    return Fail("cannot listen on " + flags->GetOr("listen", "") +
                (why.ok() ? "" : ": " + std::string(why.message())));
  }
  std::cerr << "accord-data-service: listening on "
            << flags->GetOr("listen", "") << " for audience "
            << options.audience << ", " << subjects.size() << " subjects"
            << (watcher != nullptr ? ", following revocations" : "")
            << std::endl;
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  server->Shutdown();
  return 0;
}
