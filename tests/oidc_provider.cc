#include "tests/oidc_provider.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

constexpr char kNode[] = "/usr/bin/node";
constexpr char kNpm[] = "/usr/bin/npm";
constexpr char kOpenssl[] = "/usr/bin/openssl";

std::string OidcDir() { return SourceDir() + "/tests/oidc"; }

absl::Status RunOk(const std::string& program,
                   const std::vector<std::string>& args) {
  CliResult r = Run(program, args);
  if (r.exit_code == 0) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat(program, " ", args.empty() ? "" : args[0], " exited ",
                   r.exit_code, ": ", r.err, r.out));
}

}  // namespace

OidcInstall::OidcInstall() {
  const std::string dir = OidcDir();
  lock_ = open((dir + "/.npm-install.lock").c_str(),
               O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (lock_ >= 0) flock(lock_, LOCK_EX);
  if (access(kNode, X_OK) != 0 || access(kNpm, X_OK) != 0) {
    problem_ = "node or npm is not installed";
    return;
  }
  CliResult r = Run(kNpm, {"ci", "--no-audit", "--no-fund", "--prefix", dir});
  if (r.exit_code != 0) problem_ = absl::StrCat("npm ci failed: ", r.err);
}

OidcInstall::~OidcInstall() {
  if (lock_ >= 0) close(lock_);
}

void RequireInstalledOrSkip(const OidcInstall& install) {
  if (install.problem().empty()) return;
  const char* ci = std::getenv("CI");
  if (ci != nullptr && *ci != '\0') {
    FAIL(
        "the OpenID provider fixture could not be installed (CI is set, so "
        "this is a failure): "
        << install.problem());
  }
  std::cout << "SKIPPED: the OpenID provider fixture could not be installed: "
            << install.problem() << "\n";
  std::exit(kSkipExitCode);
}

absl::StatusOr<OidcTls> MakeOidcTls(const std::string& dir) {
  OidcTls tls{dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
  const std::string ca_key = dir + "/ca.key";
  const std::string csr = dir + "/server.csr";
  const std::string ext = dir + "/server.ext";
  std::ofstream(ext) << "subjectAltName=IP:127.0.0.1\n"
                        "basicConstraints=CA:FALSE\n"
                        "extendedKeyUsage=serverAuth\n";
  if (absl::Status s =
          RunOk(kOpenssl, {"req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                           ca_key, "-out", tls.ca, "-days", "2", "-subj",
                           "/CN=Accord test OpenID provider CA"});
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          RunOk(kOpenssl, {"req", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                           tls.key, "-out", csr, "-subj", "/CN=127.0.0.1"});
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          RunOk(kOpenssl, {"x509", "-req", "-in", csr, "-CA", tls.ca, "-CAkey",
                           ca_key, "-CAcreateserial", "-out", tls.cert, "-days",
                           "2", "-extfile", ext});
      !s.ok()) {
    return s;
  }
  return tls;
}

absl::Status WriteProviderKeys(const std::string& path,
                               const std::vector<std::string>& kids) {
  std::vector<std::string> args = {OidcDir() + "/keygen.mjs"};
  args.insert(args.end(), kids.begin(), kids.end());
  CliResult r = Run(kNode, args);
  if (r.exit_code != 0) {
    return absl::InternalError(absl::StrCat("keygen.mjs: ", r.err));
  }
  std::ofstream(path) << r.out;
  return absl::OkStatus();
}

OidcProvider::OidcProvider(std::string dir, int port, OidcTls tls,
                           std::string clients)
    : dir_(std::move(dir)),
      port_(port),
      tls_(std::move(tls)),
      clients_(std::move(clients)) {}

OidcProvider::~OidcProvider() { Stop(); }

std::string OidcProvider::issuer() const {
  return absl::StrCat("https://127.0.0.1:", port_);
}

absl::Status OidcProvider::Start(const std::string& keys,
                                 const std::vector<std::string>& extra) {
  Stop();
  ++starts_;
  const std::string out = absl::StrCat(dir_, "/provider-", starts_, ".out");
  const std::string err = absl::StrCat(dir_, "/provider-", starts_, ".err");
  std::vector<std::string> args = {OidcDir() + "/provider.mjs",
                                   "--port",
                                   absl::StrCat(port_),
                                   "--cert",
                                   tls_.cert,
                                   "--key",
                                   tls_.key,
                                   "--clients",
                                   clients_,
                                   "--keys",
                                   keys};
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = Spawn(kNode, args, out, err);
  const std::string ready = absl::StrCat("ready ", issuer(), "\n");
  bool exited = false;
  const bool is_ready = WaitUntil(
      [&] {
        if (ReadAll(out).find(ready) != std::string::npos) return true;
        int status = 0;
        exited = waitpid(pid_, &status, WNOHANG) == pid_;
        return exited;
      },
      absl::Seconds(60));
  if (exited) {
    pid_ = -1;
    return absl::FailedPreconditionError(
        absl::StrCat("provider.mjs exited: ", ReadAll(err)));
  }
  if (is_ready) return absl::OkStatus();
  Stop();
  return absl::DeadlineExceededError(absl::StrCat(
      "provider.mjs printed no '", absl::StripAsciiWhitespace(ready),
      "' line in 60 s: ", ReadAll(err)));
}

void OidcProvider::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

absl::StatusOr<std::string> OidcProvider::Login(
    const std::string& client_id, const std::string& redirect_uri,
    const std::string& user, const std::string& password) const {
  CliResult r =
      Run(kNode, {OidcDir() + "/login.mjs", "--issuer", issuer(), "--ca",
                  tls_.ca, "--client-id", client_id, "--redirect-uri",
                  redirect_uri, "--username", user, "--password", password});
  if (r.exit_code != 0) {
    return absl::UnauthenticatedError(absl::StrCat("login.mjs: ", r.err));
  }
  return std::string(absl::StripAsciiWhitespace(r.out));
}

}  // namespace accord::testing
