// accord-broker: flags and config, then the broker until SIGTERM or SIGINT;
// or `accord-broker init`, which prepares the keys and the first operator.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/build_info.h"
#include "broker/service/broker.h"
#include "broker/service/broker_init.h"
#include "broker/service/clock.h"
#include "broker/service/config.h"
#include "broker/service/config_flags.h"

namespace {

using accord::cmdline::FlagSpec;

// The flags of `accord-broker init` besides the config flags.
std::vector<FlagSpec> InitFlagSpecs() {
  return {{"operator-cert",
           FlagSpec::Arity::kValue,
           "PEM",
           "certificate of the first operator",
           {},
           true},
          {"operator-id",
           FlagSpec::Arity::kValue,
           "ID",
           "id of the first operator (default operator)",
           {},
           true},
          accord::cmdline::HelpFlag()};
}

std::string InitHelp() {
  return accord::service::InitUsage() +
         "\ninit flags (and the config flags "
         "of accord-broker --help):\n" +
         accord::cmdline::FlagsUsage(InitFlagSpecs());
}

// accord-broker init --operator-cert PEM [--operator-id ID] [config flags]:
// the config flags make the config as for a start.
int RunInit(int argc, char** argv) {
  std::vector<FlagSpec> specs = accord::service::ConfigFlagSpecs();
  for (FlagSpec& spec : InitFlagSpecs()) specs.push_back(std::move(spec));
  // argv[1] is "init".
  absl::StatusOr<accord::cmdline::ParsedArgs> flags =
      accord::cmdline::ParseFlags(argc - 1, argv + 1, specs);
  if (flags.ok() && flags->Has("help")) {
    std::fputs(InitHelp().c_str(), stdout);
    return 0;
  }
  absl::StatusOr<accord::service::BrokerConfig> config =
      flags.ok()
          ? accord::service::ConfigFromFlags(*flags)
          : absl::StatusOr<accord::service::BrokerConfig>(flags.status());
  if (!config.ok()) {
    std::fprintf(stderr, "accord-broker init: %s\n%s",
                 std::string(config.status().message()).c_str(),
                 InitHelp().c_str());
    return 2;
  }
  accord::service::InitOptions options;
  options.operator_cert_file = flags->GetOr("operator-cert", "");
  options.operator_id = flags->GetOr("operator-id", options.operator_id);
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
  std::vector<FlagSpec> specs = accord::service::ConfigFlagSpecs();
  specs.push_back(accord::cmdline::HelpFlag());
  specs.push_back(
      {"version", FlagSpec::Arity::kSwitch, "", "print the version", {}});
  absl::StatusOr<accord::cmdline::ParsedArgs> flags =
      accord::cmdline::ParseFlags(argc, argv, specs);
  if (!flags.ok()) {
    std::fprintf(stderr, "accord-broker: %s\n",
                 std::string(flags.status().message()).c_str());
    return 2;
  }
  if (flags->Has("help")) {
    std::fputs(accord::service::ConfigUsage().c_str(), stdout);
    return 0;
  }
  if (flags->Has("version")) {
    std::fputs(accord::VersionLine("accord-broker").c_str(), stdout);
    return 0;
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
      accord::service::ConfigFromFlags(*flags);
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
