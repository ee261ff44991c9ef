// accord-portal: "Mes données", the citizens' web app. Signs citizens in
// with OpenID Connect and calls the broker's ConsentService for them as
// the app principal. Configuration: clients/portal/README.md.

#include <signal.h>

#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "broker/build_info.h"
#include "clients/connection.h"
#include "clients/portal/broker_client.h"
#include "clients/portal/oidc_client.h"
#include "clients/portal/portal_config.h"
#include "clients/portal/portal_server.h"

namespace accord::portal {
namespace {

int Main(const std::vector<std::string>& args) {
  std::vector<cmdline::FlagSpec> specs = PortalFlagSpecs();
  specs.push_back(cmdline::HelpFlag());
  specs.push_back({"version",
                   cmdline::FlagSpec::Arity::kSwitch,
                   "",
                   "print the version",
                   {}});
  absl::StatusOr<cmdline::ParsedArgs> flags = cmdline::ParseFlags(args, specs);
  if (flags.ok() && flags->Has("help")) {
    std::cout << PortalUsage();
    return 0;
  }
  if (flags.ok() && flags->Has("version")) {
    std::cout << VersionLine("accord-portal");
    return 0;
  }
  absl::StatusOr<PortalConfig> config = LoadPortalConfig(args);
  if (!config.ok()) {
    std::cerr << "accord-portal: " << config.status().message() << "\n"
              << PortalUsage();
    return 2;
  }
  OidcSettings oidc;
  oidc.issuer = config->oidc_issuer;
  oidc.ca_file = config->oidc_ca_file;
  oidc.client_id = config->client_id;
  oidc.redirect_uri = absl::StrCat(config->public_url, "/callback");
  oidc.scope = config->scope;
  if (!config->client_secret_file.empty()) {
    absl::StatusOr<std::string> secret =
        client::ReadSmallFile(config->client_secret_file);
    if (!secret.ok()) {
      std::cerr << "accord-portal: client_secret_file: "
                << secret.status().message() << "\n";
      return 1;
    }
    oidc.client_secret =
        std::string(absl::StripTrailingAsciiWhitespace(*secret));
  }
  auto ctx = std::make_unique<PortalContext>();
  ctx->config = *config;
  absl::StatusOr<std::unique_ptr<OidcClient>> provider =
      OidcClient::Discover(std::move(oidc));
  if (!provider.ok()) {
    std::cerr << "accord-portal: OpenID provider: "
              << provider.status().message() << "\n";
    return 1;
  }
  ctx->oidc = *std::move(provider);
  absl::StatusOr<std::unique_ptr<BrokerClient>> broker =
      BrokerClient::Open(*config);
  if (!broker.ok()) {
    std::cerr << "accord-portal: broker: " << broker.status().message() << "\n";
    return 1;
  }
  ctx->broker = *std::move(broker);
  ctx->sessions =
      std::make_unique<SessionStore>(static_cast<size_t>(config->max_sessions));
  const std::string url = config->public_url;

  // SIGTERM and SIGINT are taken by sigwait below, on no other thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  PortalServer server(std::move(ctx));
  if (absl::Status s = server.Bind(); !s.ok()) {
    std::cerr << "accord-portal: " << s.message() << "\n";
    return 1;
  }
  std::thread serving([&server] { server.Serve(); });
  std::cout << "ready " << url << std::endl;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.Stop();
  serving.join();
  return 0;
}

}  // namespace
}  // namespace accord::portal

int main(int argc, char** argv) {
  return accord::portal::Main(std::vector<std::string>(argv + 1, argv + argc));
}
