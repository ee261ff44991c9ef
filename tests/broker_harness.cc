#include "tests/broker_harness.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/http/client.h"
#include "broker/http/tls.h"

namespace accord::testing {
namespace {

namespace fs = std::filesystem;

}  // namespace

pid_t Spawn(const std::string& program, const std::vector<std::string>& args,
            const std::string& out_path, const std::string& err_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    int err = err_path == out_path
                  ? out
                  : open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const std::string& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string BinDir() {
  const char* dir = std::getenv("ACCORD_BIN_DIR");
  if (dir != nullptr && *dir != '\0') return dir;
  // Test binaries are built into the same directory as the binaries under
  // test, so a test of one build never runs another build's broker.
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? "build/bin" : self.parent_path().string();
}

std::string SourceDir() {
  const char* dir = std::getenv("ACCORD_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

namespace {

// Whether a TCP listener could bind `port` on 127.0.0.1 now (0: any port;
// `bound` gets the port the kernel chose).
bool CanBind(int port, int* bound) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  socklen_t len = sizeof(addr);
  ok = ok && getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (ok) *bound = ntohs(addr.sin_port);
  return ok;
}

}  // namespace

int FreePort() {
  // Drawn at random below the kernel's ephemeral range (32768 and up), so
  // that two tests running in parallel rarely draw the same port in the
  // moment between this check and their server's bind: the kernel's own
  // choice for port 0 handed one test's port to another in such a moment.
  constexpr int kFirst = 20000;
  constexpr int kCount = 12000;
  thread_local std::mt19937 draw(std::random_device{}());
  std::uniform_int_distribution<int> in_range(kFirst, kFirst + kCount - 1);
  int bound = 0;
  for (int i = 0; i < 100; ++i) {
    if (CanBind(in_range(draw), &bound)) return bound;
  }
  return CanBind(0, &bound) ? bound : 0;
}

CliResult Run(const std::string& program,
              const std::vector<std::string>& args) {
  TempDir tmp;
  const std::string out_path = tmp.path() + "/out";
  const std::string err_path = tmp.path() + "/err";
  const pid_t pid = Spawn(program, args, out_path, err_path);
  int status = 0;
  waitpid(pid, &status, 0);
  CliResult r;
  r.exit_code =
      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadAll(out_path);
  r.err = ReadAll(err_path);
  auto json = formats::ParseJson(r.out);
  if (json.ok()) r.json = *std::move(json);
  return r;
}

BrokerProcess::BrokerProcess(std::string data_dir,
                             std::vector<std::string> extra_flags, bool dev)
    : data_dir_(std::move(data_dir)),
      extra_flags_(std::move(extra_flags)),
      dev_(dev) {
  log_path_ = data_dir_ + "/broker.log";
}

BrokerProcess::~BrokerProcess() {
  if (pid_ > 0) Stop();
}

std::string BrokerProcess::grpc_address() const {
  return absl::StrCat("127.0.0.1:", grpc_port_);
}

std::string BrokerProcess::http_address() const {
  return absl::StrCat("127.0.0.1:", http_port_);
}

std::string BrokerProcess::log() const { return ReadAll(log_path_); }

bool BrokerProcess::https() const {
  for (const std::string& flag : extra_flags_) {
    if (flag == "--http-tls-cert" || flag.rfind("--http-tls-cert=", 0) == 0) {
      return true;
    }
  }
  return false;
}

std::string BrokerProcess::ca_file() const {
  return data_dir_ + "/dev-pki/ca.pem";
}

absl::StatusOr<http::HttpResult> BrokerProcess::Get(
    const std::string& path, absl::Duration timeout) const {
  if (!https()) return http::HttpGet(http_address(), path, timeout);
  auto tls = http::TlsClientContext::Load(ca_file());
  if (!tls.ok()) return tls.status();
  return http::HttpsGet(http_address(), path, **tls, timeout);
}

absl::Status BrokerProcess::Start() {
  // A port found free may be taken by another test's process before the
  // broker binds it: the broker then exits saying so, and starts again on
  // other ports. A gRPC port the test fixed is not changed, so a start
  // with one is tried once.
  const int attempts = fixed_grpc_port_ != 0 ? 1 : 5;
  absl::Status started;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    const size_t log_before = log().size();
    started = StartOnce();
    std::string said = log();  // what this attempt added to the log
    said.erase(0, std::min(log_before, said.size()));
    absl::AsciiStrToLower(&said);
    if (started.ok() || !absl::IsFailedPrecondition(started) ||
        !absl::StrContains(said, "address already in use")) {
      return started;
    }
  }
  return started;
}

absl::Status BrokerProcess::StartOnce() {
  grpc_port_ = fixed_grpc_port_ != 0 ? fixed_grpc_port_ : FreePort();
  http_port_ = FreePort();
  exit_code_ = -1;
  const std::string program = BinDir() + "/accord-broker";
  std::vector<std::string> args = {dev_ ? "--dev" : "--data-dir",
                                   data_dir_,
                                   "--grpc-addr",
                                   grpc_address(),
                                   "--http-addr",
                                   http_address()};
  if (movable_clock_) {
    args.insert(args.end(), {"--dev-clock-file", ClockFile()});
  }
  args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
  pid_ = Spawn(program, args, log_path_, log_path_);
  bool exited = false;
  const bool ended = WaitUntil(
      [&] {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          exit_code_ =
              WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
          exited = true;
          return true;
        }
        auto r = Get("/readyz", absl::Seconds(1));
        return r.ok() && r->status == 200;
      },
      absl::Seconds(60));
  if (exited) {
    return absl::FailedPreconditionError(
        absl::StrCat("accord-broker exited: ", log()));
  }
  if (ended) return absl::OkStatus();
  Kill();
  return absl::DeadlineExceededError(
      absl::StrCat("accord-broker did not get ready: ", log()));
}

std::string BrokerProcess::ClockFile() const { return data_dir_ + ".clock"; }

absl::Status BrokerProcess::SetClockOffset(absl::Duration offset) {
  if (!movable_clock_) {
    return absl::FailedPreconditionError(
        "the broker was not given a movable clock (use_movable_clock)");
  }
  // Written beside, then renamed over: the broker reads the old offset or
  // the new one, never half a file.
  const std::string next = ClockFile() + ".next";
  {
    std::ofstream out(next, std::ios::trunc);
    out << absl::FormatDuration(offset) << "\n";
    if (!out.flush()) {
      return absl::InternalError(absl::StrCat("cannot write ", next));
    }
  }
  std::error_code ec;
  fs::rename(next, ClockFile(), ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", next, ": ", ec.message()));
  }
  clock_offset_ = offset;
  return absl::OkStatus();
}

absl::Status BrokerProcess::AdvanceClock(absl::Duration d) {
  return SetClockOffset(clock_offset_ + d);
}

int BrokerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void BrokerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

absl::Status MakeDevMaterial(const std::string& data_dir) {
  BrokerProcess dev(data_dir);
  if (absl::Status s = dev.Start(); !s.ok()) return s;
  if (const int code = dev.Stop(); code != 0) {
    return absl::InternalError(
        absl::StrCat("the dev broker exited with ", code, ": ", dev.log()));
  }
  return absl::OkStatus();
}

CliResult BrokerProcess::Cli(std::vector<std::string> args) const {
  args.insert(args.end(), {"--broker", grpc_address(), "--dev", data_dir_});
  return Run(BinDir() + "/accord", args);
}

CliResult BrokerProcess::CliAs(const TlsIdentity& who,
                               std::vector<std::string> args) const {
  args.insert(args.end(), {"--broker", grpc_address(), "--ca", who.ca, "--cert",
                           who.cert, "--key", who.key});
  return Run(BinDir() + "/accord", args);
}

}  // namespace accord::testing
