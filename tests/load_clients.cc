#include "tests/load_clients.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "tests/broker_harness.h"

namespace accord::testing {

LoadClients::LoadClients(int count, const std::string& grpc_address,
                         const std::string& data_dir,
                         const std::string& work_dir)
    : stop_file_(work_dir + "/stop") {
  const std::string program = BinDir() + "/crash_client";
  for (int i = 0; i < count; ++i) {
    journals_.push_back(absl::StrCat(work_dir, "/client-", i));
    std::vector<std::string> args = {program,    "load",
                                     "--broker", grpc_address,
                                     "--dev",    data_dir,
                                     "--name",   absl::StrCat("load", i),
                                     "--out",    journals_.back(),
                                     "--stop",   stop_file_,
                                     "--seed",   absl::StrCat(1000 + i)};
    const std::string log = journals_.back() + ".log";
    pid_t pid = fork();
    if (pid == 0) {
      int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      dup2(out, 1);
      dup2(out, 2);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(program.c_str(), argv.data());
      _exit(127);
    }
    pids_.push_back(pid);
  }
}

LoadClients::~LoadClients() { Stop(); }

int LoadClients::Stop() {
  { std::ofstream(stop_file_) << "stop\n"; }
  int clean = 0;
  for (size_t i = 0; i < pids_.size(); ++i) {
    int status = 0;
    waitpid(pids_[i], &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      ++clean;
      continue;
    }
    // What the client said before it failed, for the test's output.
    std::string log = ReadAll(journals_[i] + ".log");
    if (log.size() > 4000) log = log.substr(log.size() - 4000);
    std::cout << "load client " << i << " exited with status " << status
              << ":\n"
              << log << "\n";
  }
  pids_.clear();
  return clean;
}

size_t AcknowledgedWrites(const std::vector<std::string>& journals) {
  size_t writes = 0;
  for (const std::string& path : journals) {
    for (char c : ReadAll(path)) writes += c == '\n';
  }
  return writes;
}

std::vector<std::string> AcknowledgedGrants(
    const std::vector<std::string>& journals) {
  std::vector<std::string> ids;
  for (const std::string& path : journals) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("T ", 0) != 0) continue;
      ids.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
  }
  return ids;
}

}  // namespace accord::testing
