// Accord grants at a stock gateway: Apache httpd with mod_auth_openidc as an
// OAuth 2.0 resource server, fetching the broker's JWKS over HTTPS pinned to
// the broker's CA. A grant for the gateway's audience is let through; a
// tampered grant, a grant for another audience and a consent receipt (same
// signing key, no audience) are refused; so is every grant at a gateway
// that trusts another CA for the JWKS.
//
// Exits 77 (ctest SKIP_RETURN_CODE) when apache2 or the module is not
// installed: a skip is reported, never a pass.
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/dev/dev_pki.h"
#include "broker/http/client.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kSkip = 77;
constexpr char kApache[] = "/usr/sbin/apache2";
constexpr char kModules[] = "/usr/lib/apache2/modules";
constexpr char kAudience[] = "data.rennes.example";

std::string Str(const formats::JsonValue* v, const char* key) {
  if (v == nullptr) return "";
  const formats::JsonValue* f = v->Find(key);
  return f != nullptr && f->AsString() != nullptr ? *f->AsString() : "";
}

std::string GrantToken(const BrokerProcess& broker,
                       const std::string& audience) {
  CliResult r = broker.Cli({"grant", "request", "--dataset",
                            "rennes.mobility.bike-stations", "--purpose",
                            "service-provision", "--audience", audience, "--as",
                            "partner-demo", "--output", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const formats::JsonValue* grants = r.json.Find("grants");
  REQUIRE(grants != nullptr);
  REQUIRE(grants->AsArray() != nullptr);
  REQUIRE(!grants->AsArray()->empty());
  const std::string token = Str(&grants->AsArray()->at(0), "token");
  REQUIRE(!token.empty());
  return token;
}

// GET `path` from 127.0.0.1:`port` with `Authorization: Bearer token` (none
// when empty); the response status, or -1 when none arrives within 30 s.
int Fetch(int port, const std::string& path, const std::string& token) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int status = -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0) {
    std::string request = absl::StrCat("GET ", path,
                                       " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                       "Connection: close\r\n");
    if (!token.empty())
      absl::StrAppend(&request, "Authorization: Bearer ", token, "\r\n");
    request += "\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      std::string raw;
      const absl::Time deadline = absl::Now() + absl::Seconds(30);
      while (absl::Now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0) continue;
        char buf[8192];
        const ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        raw.append(buf, static_cast<size_t>(n));
      }
      auto parsed = http::ParseHttpResponse(raw);
      if (parsed.ok()) status = parsed->status;
    }
  }
  close(fd);
  return status;
}

// Apache httpd in the foreground with a generated config under a temporary
// directory; stopped (and waited for) by the destructor, on failure too.
class Apache {
 public:
  Apache(const std::string& jwks_url, const std::string& ca_pem_file)
      : port_(FreePort()) {
    // The workers drop to an unprivileged user when started as root; they
    // must be able to read the files.
    chmod(dir_.path().c_str(), 0755);
    const std::string root = dir_.path();
    fs::create_directories(root + "/htdocs/protected");
    std::ofstream(root + "/htdocs/ok.txt") << "open\n";
    std::ofstream(root + "/htdocs/protected/data.txt") << "protected\n";
    fs::copy_file(ca_pem_file, root + "/ca.pem");
    chmod((root + "/ca.pem").c_str(), 0644);
    std::string user = "www-data";
    if (geteuid() != 0) {
      const passwd* pw = getpwuid(geteuid());
      user = pw != nullptr ? pw->pw_name : "nobody";
    }
    std::ofstream conf(root + "/httpd.conf");
    conf << "ServerRoot " << root << "\n"
         << "ServerName 127.0.0.1\n"
         << "Listen 127.0.0.1:" << port_ << "\n"
         << "PidFile " << root << "/httpd.pid\n"
         << "ErrorLog " << root << "/error.log\n"
         << "LogLevel warn auth_openidc:info\n"
         << "DefaultRuntimeDir " << root << "\n"
         << "Mutex file:" << root << " default\n"
         << "User " << user << "\nGroup " << user << "\n";
    for (const char* m : {"mpm_event", "authn_core", "authz_core"}) {
      conf << "LoadModule " << m << "_module " << kModules << "/mod_" << m
           << ".so\n";
    }
    conf << "LoadModule auth_openidc_module " << kModules
         << "/mod_auth_openidc.so\n"
         << "DocumentRoot " << root
         << "/htdocs\n"
         // The resource-server side of mod_auth_openidc: grants verified
         // against the broker's JWKS, fetched over HTTPS from a server whose
         // certificate must chain to the broker's CA.
         << "OIDCOAuthVerifyJwksUri " << jwks_url << "\n"
         << "OIDCOAuthSSLValidateServer On\n"
         << "OIDCCABundlePath " << root << "/ca.pem\n"
         << "OIDCOAuthRemoteUserClaim sub\n"
         << "OIDCCryptoPassphrase gateway-test-only\n"
         << "<Location /protected>\n"
         << "  AuthType oauth20\n"
         << "  <RequireAll>\n"
         << "    Require claim iss:accord\n"
         << "    Require claim aud:" << kAudience << "\n"
         << "  </RequireAll>\n"
         << "</Location>\n";
  }

  ~Apache() { Stop(); }

  int port() const { return port_; }
  std::string error_log() const { return ReadAll(dir_.path() + "/error.log"); }

  // Starts httpd and waits (bounded) until it serves the open file. Errors
  // carry httpd's output and error log.
  absl::Status Start() {
    const std::string out = dir_.path() + "/stdout.log";
    pid_ = fork();
    if (pid_ == 0) {
      FILE* o = std::freopen(out.c_str(), "w", stdout);
      FILE* e = std::freopen(out.c_str(), "a", stderr);
      (void)o;
      (void)e;
      const std::string conf = dir_.path() + "/httpd.conf";
      execl(kApache, kApache, "-d", dir_.path().c_str(), "-f", conf.c_str(),
            "-DFOREGROUND", static_cast<char*>(nullptr));
      _exit(127);
    }
    bool exited = false;
    const bool answered = WaitUntil(
        [&] {
          int status = 0;
          exited = waitpid(pid_, &status, WNOHANG) == pid_;
          return exited || Fetch(port_, "/ok.txt", "") == 200;
        },
        absl::Seconds(60));
    if (exited) {
      pid_ = -1;
      return absl::FailedPreconditionError(
          absl::StrCat("apache2 exited: ", ReadAll(out), error_log()));
    }
    if (answered) return absl::OkStatus();
    return absl::DeadlineExceededError(absl::StrCat(
        "apache2 did not answer /ok.txt in 60 s: ", ReadAll(out), error_log()));
  }

  // SIGTERM, waits up to 30 s, then SIGKILL.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    const bool ended =
        WaitUntil([&] { return waitpid(pid_, &status, WNOHANG) != 0; },
                  absl::Seconds(30));
    if (!ended) {
      std::fprintf(stderr, "apache2 did not stop in 30 s: SIGKILL\n");
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

 private:
  TempDir dir_;
  int port_;
  pid_t pid_ = -1;
};

TEST_CASE("Apache mod_auth_openidc accepts grants for its audience only",
          "[gateway]") {
  for (const std::string& path :
       {std::string(kApache), absl::StrCat(kModules, "/mod_auth_openidc.so")}) {
    if (!fs::exists(path)) {
      std::printf(
          "SKIPPED: %s is not installed (apt-get install apache2 "
          "libapache2-mod-auth-openidc)\n",
          path.c_str());
      std::fflush(stdout);
      std::_Exit(kSkip);
    }
  }
  TempDir dir;
  const std::string data = dir.path() + "/var";
  BrokerProcess broker(data, {"--http-tls-cert", data + "/dev-pki/server.pem",
                              "--http-tls-key", data + "/dev-pki/server.key"});
  REQUIRE(broker.Start().ok());

  const std::string grant = GrantToken(broker, kAudience);
  const std::string elsewhere = GrantToken(broker, "other.rennes.example");
  CliResult consent =
      broker.Cli({"consent", "give", "--citizen", "alice", "--dataset",
                  "rennes.energy.household-consumption", "--purpose",
                  "research-and-development", "--partner", "partner-demo",
                  "--output", "json"});
  INFO(consent.err);
  REQUIRE(consent.exit_code == 0);
  const std::string receipt = Str(&consent.json, "receipt");
  REQUIRE(!receipt.empty());
  // One character of the payload changed: the signature no longer holds.
  std::string tampered = grant;
  const size_t at = tampered.find('.') + 5;
  tampered[at] = tampered[at] == 'A' ? 'B' : 'A';

  Apache apache(
      absl::StrCat("https://", broker.http_address(), "/.well-known/jwks.json"),
      broker.ca_file());
  absl::Status started = apache.Start();
  INFO(started.message());
  REQUIRE(started.ok());

  const int port = apache.port();
  INFO(apache.error_log());
  CHECK(Fetch(port, "/protected/data.txt", grant) == 200);
  CHECK(Fetch(port, "/protected/data.txt", "") == 401);
  CHECK(Fetch(port, "/protected/data.txt", tampered) == 401);
  const int other_audience = Fetch(port, "/protected/data.txt", elsewhere);
  CHECK((other_audience == 401 || other_audience == 403));
  const int receipt_status = Fetch(port, "/protected/data.txt", receipt);
  CHECK((receipt_status == 401 || receipt_status == 403));
  // The grant still works after the refusals (nothing was cached wrongly).
  CHECK(Fetch(port, "/protected/data.txt", grant) == 200);
  apache.Stop();

  // A gateway that trusts another CA cannot fetch the keys, so the same
  // grant is refused: the JWKS is only taken from the broker's certificate.
  TempDir other;
  REQUIRE(dev::CreateCertificateAuthority(other.path(), "other").ok());
  Apache stranger(
      absl::StrCat("https://", broker.http_address(), "/.well-known/jwks.json"),
      other.path() + "/other.pem");
  absl::Status stranger_started = stranger.Start();
  INFO(stranger_started.message());
  REQUIRE(stranger_started.ok());
  CHECK(Fetch(stranger.port(), "/protected/data.txt", grant) == 401);
}

}  // namespace
}  // namespace accord::testing
