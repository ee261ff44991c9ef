#ifndef ACCORD_TESTS_BENCH_ACCORD_BENCH_FLOOR_H_
#define ACCORD_TESTS_BENCH_ACCORD_BENCH_FLOOR_H_

// The floor of accord-bench's `floor` and `floor-open` scenarios: an
// accord-floor-server process (floor_server.cc) started as the broker is,
// on a free loopback port, with the dev PKI of the broker's data directory
// (so the bench's partner certificate is accepted as by the broker) and a
// new store in a temporary directory of its own.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/testing/temp_dir.h"
#include "tests/bench/accord_bench_load.h"

namespace accord::bench {

class FloorProcess {
 public:
  // Starts `floor_bin` (an accord-floor-server) with the dev PKI under
  // `broker_data_dir` and waits until `channels` partner connections to it
  // are up. Errors: INVALID_ARGUMENT naming --floor-bin when the file does
  // not exist; UNAVAILABLE with the server's log when it exited or did not
  // accept connections in 10 s; the certificate files' errors.
  static absl::StatusOr<std::unique_ptr<FloorProcess>> Start(
      const std::string& floor_bin, const std::string& broker_data_dir,
      int channels);

  // Stops the server (SIGTERM, then waits for it).
  ~FloorProcess();

  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }
  // The endpoint groups RunLoad takes: the partner connections in both
  // groups (the floor serves RequestGrant only).
  const std::vector<std::vector<Endpoint*>>& groups() const { return groups_; }

 private:
  FloorProcess() = default;

  testing::TempDir dir_;
  std::string address_;
  pid_t pid_ = -1;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  std::vector<std::vector<Endpoint*>> groups_;
};

}  // namespace accord::bench

#endif  // ACCORD_TESTS_BENCH_ACCORD_BENCH_FLOOR_H_
