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
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include <grpcpp/grpcpp.h>

#include "absl/strings/numbers.h"
#include "broker/http/listener.h"
#include "clients/examples/data_service.h"
#include "clients/examples/flag_pairs.h"
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
bool ReadSeconds(const std::map<std::string, std::string>& flags,
                 const std::string& flag, absl::Duration* out) {
  if (!flags.count(flag)) return true;
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(flags.at(flag), &seconds) || seconds <= 0) {
    return false;
  }
  *out = absl::Seconds(seconds);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace accord;  // NOLINT: a main
  if (examples::WantsHelp(argc, argv)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  auto flags = examples::ParseFlagPairs(
      argc, argv,
      {"listen", "jwks", "audience", "issuer", "tls-cert", "tls-key",
       "client-ca", "subjects", "subjects-file", "skew-seconds", "jwks-ca",
       "jwks-http", "broker", "broker-ca", "broker-cert", "broker-key",
       "revocations", "max-grant-lifetime", "revocation-staleness"});
  if (!flags.ok()) return Fail(std::string(flags.status().message()) + "\n" + kUsage);
  for (const char* required :
       {"listen", "jwks", "audience", "tls-cert", "tls-key", "client-ca"}) {
    if (!flags->count(required)) {
      return Fail(std::string("--") + required + " is required\n" + kUsage);
    }
  }
  std::vector<std::string> subjects;
  if (flags->count("subjects-file")) {
    auto from_file = examples::ReadSubjectsFile(flags->at("subjects-file"));
    if (!from_file.ok()) {
      return Fail("--subjects-file: " + std::string(from_file.status().message()));
    }
    subjects = *std::move(from_file);
  }
  if (flags->count("subjects")) {
    for (std::string& s : examples::SplitList(flags->at("subjects"))) {
      subjects.push_back(std::move(s));
    }
  }
  if (subjects.empty()) return Fail("--subjects or --subjects-file: no pseudonyms");

  grpc::SslServerCredentialsOptions tls(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  if (!ReadFile(flags->at("tls-cert"), &pair.cert_chain)) {
    return Fail("--tls-cert: cannot read " + flags->at("tls-cert"));
  }
  if (!ReadFile(flags->at("tls-key"), &pair.private_key)) {
    return Fail("--tls-key: cannot read " + flags->at("tls-key"));
  }
  if (!ReadFile(flags->at("client-ca"), &tls.pem_root_certs)) {
    return Fail("--client-ca: cannot read " + flags->at("client-ca"));
  }
  tls.pem_key_cert_pairs.push_back(std::move(pair));

  verifier::BrokerEndpoint broker;
  const bool uses_broker =
      flags->at("jwks") == "broker" || flags->count("revocations");
  if (uses_broker) {
    for (const char* required :
         {"broker", "broker-ca", "broker-cert", "broker-key"}) {
      if (!flags->count(required)) {
        return Fail(std::string("--") + required +
                    " is required with --jwks broker or --revocations\n" +
                    kUsage);
      }
    }
    broker.target = flags->at("broker");
    broker.ca_file = flags->at("broker-ca");
    broker.cert_file = flags->at("broker-cert");
    broker.key_file = flags->at("broker-key");
  }
  verifier::JwksSource::Options source_options;
  if (flags->count("jwks-ca")) source_options.ca_file = flags->at("jwks-ca");
  if (flags->count("jwks-http")) {
    if (flags->at("jwks-http") != "loopback") {
      return Fail("--jwks-http: the only value is loopback");
    }
    source_options.allow_loopback_http = true;
  }
  absl::StatusOr<std::unique_ptr<verifier::JwksSource>> keys;
  if (flags->at("jwks") == "broker") {
    auto loader = verifier::BrokerKeysLoader(broker);
    if (!loader.ok()) {
      return Fail("--broker: " + std::string(loader.status().message()));
    }
    keys = verifier::JwksSource::FromLoader(*std::move(loader), source_options);
  } else {
    keys = verifier::JwksSource::Open(flags->at("jwks"), source_options);
  }
  if (!keys.ok()) return Fail("--jwks: " + std::string(keys.status().message()));
  verifier::GrantVerifierOptions options;
  std::unique_ptr<verifier::RevocationWatcher> watcher;
  if (flags->count("revocations")) {
    if (flags->at("revocations") != "watch") {
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
  options.audience = flags->at("audience");
  if (flags->count("issuer")) options.issuer = flags->at("issuer");
  if (flags->count("skew-seconds") &&
      !absl::SimpleAtoi(flags->at("skew-seconds"), &options.skew_seconds)) {
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
  builder.AddListeningPort(flags->at("listen"), grpc::SslServerCredentials(tls),
                           &port);
  // gRPC turns SO_REUSEPORT on by default: a second service on this port
  // would then share it and take part of the connections. Off, it fails.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    const absl::Status why = http::CheckListenable(flags->at("listen"));
    return Fail("cannot listen on " + flags->at("listen") +
                (why.ok() ? "" : ": " + std::string(why.message())));
  }
  std::cerr << "accord-data-service: listening on " << flags->at("listen")
            << " for audience " << options.audience << ", "
            << subjects.size() << " subjects"
            << (watcher != nullptr ? ", following revocations" : "")
            << std::endl;
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  server->Shutdown();
  return 0;
}
