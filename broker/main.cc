// accord-broker: flags and config, then the broker until SIGTERM or SIGINT;
// or `accord-broker init`, which prepares the keys and the first operator.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/service/broker.h"
#include "broker/build_info.h"
#include "broker/service/broker_init.h"
#include "broker/service/clock.h"
#include "broker/service/config.h"

namespace {

// accord-broker init --operator-cert PEM [--operator-id ID] [config flags]:
// the init flags are taken out, the others make the config as for a start.
int RunInit(int argc, char** argv) {
  accord::service::InitOptions options;
  std::vector<char*> config_args = {argv[0]};
  for (int i = 2; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(accord::service::InitUsage().c_str(), stdout);
      return 0;
    }
    bool taken = false;
    for (auto [flag, field] :
         {std::pair<absl::string_view, std::string*>{
              "--operator-cert", &options.operator_cert_file},
          {"--operator-id", &options.operator_id}}) {
      if (arg == flag && i + 1 < argc) {
        *field = argv[++i];
        taken = true;
      } else if (absl::StartsWith(arg, absl::StrCat(flag, "="))) {
        *field = std::string(arg.substr(flag.size() + 1));
        taken = true;
      }
    }
    if (!taken) config_args.push_back(argv[i]);
  }
  absl::StatusOr<accord::service::BrokerConfig> config =
      accord::service::LoadConfig(static_cast<int>(config_args.size()),
                                  config_args.data());
  if (!config.ok()) {
    std::fprintf(stderr, "accord-broker init: %s\n%s",
                 std::string(config.status().message()).c_str(),
                 accord::service::InitUsage().c_str());
    return 2;
  }
  accord::service::RealClock clock;
  auto result = accord::service::InitBroker(*config, options, &clock);
  if (!result.ok()) {
    std::fprintf(stderr, "accord-broker init: %s\n",
                 std::string(result.status().message()).c_str());
    return absl::IsInvalidArgument(result.status()) ? 2 : 1;
  }
  for (const std::string& sentence : result->created) {
    std::printf("%s\n", sentence.c_str());
  }
  if (result->created.empty()) {
    std::printf(
        "Nothing to do: the keys in %s, the pseudonym secret, the store in "
        "%s/db and its operator '%s' are in place already.\n",
        config->keys_dir.c_str(), config->data_dir.c_str(),
        result->operator_id.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "init") == 0) return RunInit(argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(accord::service::ConfigUsage().c_str(), stdout);
      return 0;
    }
    if (std::strcmp(argv[i], "--version") == 0) {
      std::fputs(accord::VersionLine("accord-broker").c_str(), stdout);
      return 0;
    }
  }
  // Block the shutdown signals before any thread starts, so only sigwait
  // below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Debian builds Abseil without NDEBUG, which turns on Mutex deadlock
  // detection: a lock-order graph updated on every lock. Lock order is
  // checked at compile time (-Wthread-safety) and by the test suite.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  absl::StatusOr<accord::service::BrokerConfig> config =
      accord::service::LoadConfig(argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "accord-broker: %s\n",
                 std::string(config.status().message()).c_str());
    return 2;
  }
  auto broker = accord::service::Broker::Start(*std::move(config));
  if (!broker.ok()) {
    std::fprintf(stderr, "accord-broker: cannot start: %s\n",
                 broker.status().ToString().c_str());
    return 1;
  }
  int signal = 0;
  sigwait(&signals, &signal);
  std::fprintf(stderr, "{\"msg\":\"shutting down\",\"signal\":%d}\n", signal);
  (*broker)->Shutdown();
  return 0;
}
