#ifndef ACCORD_TESTS_OIDC_PROVIDER_H_
#define ACCORD_TESTS_OIDC_PROVIDER_H_

// The real OpenID provider of tests/oidc (node, oidc-provider) as a test
// fixture: its npm install, a TLS certificate for it, the process, and the
// sign-in of a demo citizen (login.mjs). See tests/oidc/README.md.

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace accord::testing {

// Installs tests/oidc's packages from its package-lock.json (`npm ci`).
// Test processes may run at once and `npm ci` first deletes node_modules,
// so one install runs at a time: an flock on tests/oidc/.npm-install.lock,
// held until this object is destroyed (the provider has been started and
// stopped meanwhile).
class OidcInstall {
 public:
  OidcInstall();
  ~OidcInstall();
  OidcInstall(const OidcInstall&) = delete;
  OidcInstall& operator=(const OidcInstall&) = delete;
  // Empty when the install succeeded, else why not.
  const std::string& problem() const { return problem_; }

 private:
  int lock_ = -1;
  std::string problem_;
};

// When `install` failed: a test FAILS when the environment variable CI is
// set (CI must have the packages), and otherwise the process exits with
// kSkipExitCode after saying why (reported as skipped). Returns when the
// install succeeded.
void RequireInstalledOrSkip(const OidcInstall& install);

// A test CA (openssl) in `dir`: ca.pem, and a server certificate for
// IP:127.0.0.1 with its key (server.pem, server.key).
struct OidcTls {
  std::string ca;
  std::string cert;
  std::string key;
};
absl::StatusOr<OidcTls> MakeOidcTls(const std::string& dir);

// A private JWKS file with one fresh ES256 key per kid (keygen.mjs),
// written to `path`.
absl::Status WriteProviderKeys(const std::string& path,
                               const std::vector<std::string>& kids);

// One provider.mjs process on 127.0.0.1:`port`. Start it again with another
// key set to rotate keys at the same issuer.
class OidcProvider {
 public:
  // Its output files go to `dir`; `clients` is the path of its clients
  // file (tests/oidc/README.md).
  OidcProvider(std::string dir, int port, OidcTls tls, std::string clients);
  ~OidcProvider();  // Stop()
  OidcProvider(const OidcProvider&) = delete;
  OidcProvider& operator=(const OidcProvider&) = delete;

  // Stops it if it runs, then starts it with the private key set file
  // `keys` and `extra` flags (--discovery-set name=value, --jwks-max-age N)
  // and waits for its `ready` line. Errors: it exited (its stderr in the
  // message) or was not ready within 60 s.
  absl::Status Start(const std::string& keys,
                     const std::vector<std::string>& extra = {});
  // SIGTERM, then waits.
  void Stop();

  // https://127.0.0.1:<port>
  std::string issuer() const;
  const OidcTls& tls() const { return tls_; }

  // Signs `user` in through the code flow with PKCE (login.mjs) for the
  // public client `client_id` and returns the ID token. Errors: the script's
  // stderr.
  absl::StatusOr<std::string> Login(const std::string& client_id,
                                    const std::string& redirect_uri,
                                    const std::string& user,
                                    const std::string& password) const;

 private:
  std::string dir_;
  int port_;
  OidcTls tls_;
  std::string clients_;
  pid_t pid_ = -1;
  int starts_ = 0;
};

}  // namespace accord::testing

#endif  // ACCORD_TESTS_OIDC_PROVIDER_H_
