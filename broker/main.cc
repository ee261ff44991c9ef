// accord-broker: flags and config, then the broker until SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/service/broker.h"
#include "broker/service/config.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(accord::service::ConfigUsage().c_str(), stdout);
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
