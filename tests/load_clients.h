#ifndef ACCORD_TESTS_LOAD_CLIENTS_H_
#define ACCORD_TESTS_LOAD_CLIENTS_H_

// Several crash_client processes writing to one broker at once, for the
// crash and backup tests (tests/crash_client.cc says what they write).

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace accord::testing {

class LoadClients {
 public:
  // Starts `count` clients against `grpc_address` with the dev files of
  // `data_dir`; each journals into `work_dir`/client-N.
  LoadClients(int count, const std::string& grpc_address,
              const std::string& data_dir, const std::string& work_dir);
  // Stops them (Stop()).
  ~LoadClients();

  // Asks every client to stop after its current call and waits. Returns the
  // number that exited with status 0.
  int Stop();
  // The journal files, one per client.
  const std::vector<std::string>& journals() const { return journals_; }

 private:
  std::string stop_file_;
  std::vector<std::string> journals_;
  std::vector<pid_t> pids_;
};

// The writes acknowledged in `journals` so far (their complete lines): what
// a test waits on to know the clients are making progress.
size_t AcknowledgedWrites(const std::vector<std::string>& journals);

// The ids of the grants acknowledged in `journals`, in journal order.
std::vector<std::string> AcknowledgedGrants(
    const std::vector<std::string>& journals);

}  // namespace accord::testing

#endif  // ACCORD_TESTS_LOAD_CLIENTS_H_
