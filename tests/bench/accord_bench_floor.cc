#include "tests/bench/accord_bench_floor.h"

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "tests/bench/accord_bench_setup.h"
#include "tests/broker_harness.h"

namespace accord::bench {

absl::StatusOr<std::unique_ptr<FloorProcess>> FloorProcess::Start(
    const std::string& floor_bin, const std::string& broker_data_dir,
    int channels) {
  std::error_code ec;
  if (!std::filesystem::exists(floor_bin, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--floor-bin: ", floor_bin, " does not exist"));
  }
  std::unique_ptr<FloorProcess> f(new FloorProcess());
  f->address_ = absl::StrCat("127.0.0.1:", testing::FreePort());
  const std::string log = f->dir_.sub("floor.log");
  f->pid_ = testing::Spawn(floor_bin,
                           {"--pki", absl::StrCat(broker_data_dir, "/dev-pki"),
                            "--data", f->dir_.path(), "--addr", f->address_},
                           log, log);
  if (f->pid_ <= 0) return absl::UnavailableError("cannot start the floor");
  auto endpoints =
      OpenEndpoints(broker_data_dir, f->address_, kPartner, channels);
  if (!endpoints.ok()) return endpoints.status();
  f->endpoints_ = *std::move(endpoints);
  if (absl::Status s = Connect(f->endpoints_); !s.ok()) {
    int status = 0;
    const bool exited = waitpid(f->pid_, &status, WNOHANG) == f->pid_;
    if (exited) f->pid_ = -1;
    return absl::UnavailableError(
        absl::StrCat("floor server at ", f->address_,
                     exited ? " exited" : " did not connect", ": ", s.message(),
                     "; its log: ", testing::ReadAll(log)));
  }
  f->groups_.resize(2);
  for (auto& e : f->endpoints_) {
    f->groups_[0].push_back(e.get());
    f->groups_[1].push_back(e.get());
  }
  return f;
}

FloorProcess::~FloorProcess() {
  endpoints_.clear();
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
}

}  // namespace accord::bench
