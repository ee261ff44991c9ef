#ifndef ACCORD_TESTS_BROKER_HARNESS_H_
#define ACCORD_TESTS_BROKER_HARNESS_H_

// Starts the real accord-broker binary on loopback with a temporary data
// directory, and runs the real accord CLI against it.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/formats/json.h"
#include "broker/http/client.h"
#include "broker/testing/temp_dir.h"
#include "broker/testing/wait.h"
#include "tests/skip.h"

namespace accord::testing {

// The outcome of one CLI run.
struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  // `out` parsed as JSON (null when it is not JSON).
  formats::JsonValue json;
};

// Starts `program` with `args`, stdin from /dev/null, stdout and stderr
// appended to the given files (one file may serve both). Returns its pid;
// the caller waits for it.
pid_t Spawn(const std::string& program, const std::vector<std::string>& args,
            const std::string& out_path, const std::string& err_path);

// Runs `program` with `args`, capturing stdout and stderr.
CliResult Run(const std::string& program, const std::vector<std::string>& args);

// The TLS files a client presents outside dev mode.
struct TlsIdentity {
  std::string ca;    // the CA that signs the broker's certificate
  std::string cert;  // the client certificate
  std::string key;   // its private key
};

// One accord-broker process on free loopback ports: in dev mode, or (with
// `dev` false) with `--data-dir` and whatever TLS material `extra_flags`
// name (or a `--config` file does).
class BrokerProcess {
 public:
  explicit BrokerProcess(std::string data_dir,
                         std::vector<std::string> extra_flags = {},
                         bool dev = true);
  ~BrokerProcess();

  // Starts the broker and waits until /readyz answers 200 (over HTTPS when
  // the broker was given --http-tls-cert). A broker that exits because a
  // port was taken between FreePort and its bind starts again on other
  // ports, a few times, unless set_grpc_port fixed its gRPC port. Errors:
  // the broker exited (its stderr is in the message) or did not get ready.
  absl::Status Start();
  // SIGTERM, then waits for exit; returns the exit status.
  int Stop();
  // SIGKILL, then waits.
  void Kill();

  // Start gives the broker a clock that SetClockOffset moves (the broker's
  // --dev-clock-file, which only dev mode accepts). Call before Start.
  void use_movable_clock() { movable_clock_ = true; }
  // Sets the broker's clock to real time plus `offset` (negative: the past).
  // Every reading of the broker's clock made after this returns uses it:
  // grants, consents, key rotation and retention follow it, programs
  // outside the broker (the CLI, PyJWT) keep real time. Errors:
  // FAILED_PRECONDITION without use_movable_clock(); INTERNAL when the clock
  // file cannot be written.
  absl::Status SetClockOffset(absl::Duration offset);
  // Moves the broker's clock `d` further than it is.
  absl::Status AdvanceClock(absl::Duration d);

  // Start listens for gRPC on this port instead of a free one (0, the
  // default: a free one), e.g. the port of another broker.
  void set_grpc_port(int port) { fixed_grpc_port_ = port; }
  // The exit status of a broker that exited by itself during Start (why is
  // in log()); -1 otherwise.
  int exit_code() const { return exit_code_; }

  // Runs the accord CLI with --broker and --dev pointing at this broker.
  CliResult Cli(std::vector<std::string> args) const;
  // Runs the accord CLI with --broker pointing at this broker and the TLS
  // files of `who` (outside dev mode).
  CliResult CliAs(const TlsIdentity& who, std::vector<std::string> args) const;

  // GET `path` from the broker's HTTP listener: over TLS, trusting the dev
  // CA only, when it was given --http-tls-cert; in clear otherwise.
  absl::StatusOr<http::HttpResult> Get(
      const std::string& path, absl::Duration timeout = absl::Seconds(5)) const;
  // Whether the HTTP listener speaks TLS, and the dev CA that signs its
  // certificate.
  bool https() const;
  std::string ca_file() const;

  std::string grpc_address() const;
  std::string http_address() const;
  const std::string& data_dir() const { return data_dir_; }
  // The broker's process id while it runs, else -1.
  pid_t pid() const { return pid_; }
  // Everything the broker wrote on stderr so far.
  std::string log() const;

 private:
  // One start on fresh ports (Start's errors).
  absl::Status StartOnce();
  // The file of --dev-clock-file, beside the data directory.
  std::string ClockFile() const;

  std::string data_dir_;
  std::vector<std::string> extra_flags_;
  bool dev_ = true;
  int fixed_grpc_port_ = 0;
  bool movable_clock_ = false;
  absl::Duration clock_offset_;
  int grpc_port_ = 0;
  int http_port_ = 0;
  int exit_code_ = -1;
  pid_t pid_ = -1;
  std::string log_path_;
};

// Runs a dev-mode broker once in `data_dir` and stops it, leaving its dev
// PKI (dev-pki/), keys and store: the material of a test that then starts
// the broker outside dev mode, or with other flags. Errors: Start's, or
// INTERNAL when the broker did not stop cleanly.
absl::Status MakeDevMaterial(const std::string& data_dir);

// The contents of the file at `path`; empty when it cannot be read.
std::string ReadAll(const std::string& path);
// The directory holding accord-broker and accord (ACCORD_BIN_DIR).
std::string BinDir();
// The source root (ACCORD_SOURCE_DIR).
std::string SourceDir();
// A TCP port free on 127.0.0.1 right now, drawn at random from
// 20000-31999 (below the kernel's ephemeral ports); 0 if none is found.
int FreePort();

}  // namespace accord::testing

#endif  // ACCORD_TESTS_BROKER_HARNESS_H_
