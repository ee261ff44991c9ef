// The on-disk side of the development PKI (see dev_pki.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "broker/dev/dev_layout.h"
#include "broker/dev/dev_pki.h"

namespace accord::dev {
namespace {

constexpr int64_t kTenYears = int64_t{3653} * 24 * 3600;

absl::Status FileError(const std::string& path, absl::string_view what) {
  int err = errno;
  absl::StatusCode code = err == ENOENT   ? absl::StatusCode::kNotFound
                          : err == EACCES ? absl::StatusCode::kPermissionDenied
                                          : absl::StatusCode::kInternal;
  return absl::Status(code,
                      absl::StrCat(path, ": ", what, ": ", std::strerror(err)));
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// Writes `data` to `path` with `mode` via a temporary file and rename.
absl::Status WriteAtomically(const std::string& path, absl::string_view data,
                             mode_t mode) {
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) return FileError(path, "cannot create temporary file");
  size_t done = 0;
  bool ok = fchmod(fd, mode) == 0;
  while (ok && done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  ok = (close(fd) == 0) && ok;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    absl::Status s = FileError(path, "cannot write");
    unlink(tmp.c_str());
    return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return FileError(path, "cannot open");
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return FileError(path, "cannot read");
  return out.str();
}

bool IsValidPrincipalName(absl::string_view name) {
  if (name.empty() || name == "ca" || name == dev::kServerName || name == "." ||
      name == "..") {
    return false;
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Issues `name` unless both of its files exist. Returns FAILED_PRECONDITION
// when exactly one does.
absl::Status EnsureLeaf(const std::string& dir, const std::string& name,
                        const IssuedCertificate& ca,
                        const CertificateSpec& spec) {
  const std::string pem = absl::StrCat(dir, "/", name, ".pem");
  const std::string key = absl::StrCat(dir, "/", name, ".key");
  bool has_pem = Exists(pem);
  bool has_key = Exists(key);
  if (has_pem && has_key) return absl::OkStatus();
  if (has_pem || has_key) {
    return absl::FailedPreconditionError(absl::StrCat(
        has_pem ? key : pem, " is missing while its pair exists; remove ",
        has_pem ? pem : key, " to regenerate both"));
  }
  absl::StatusOr<IssuedCertificate> cert = IssueCertificate(ca, spec);
  if (!cert.ok()) return cert.status();
  return WriteIssuedCertificate(*cert, dir, name);
}

}  // namespace

absl::Status WriteIssuedCertificate(const IssuedCertificate& cert,
                                    const std::string& dir,
                                    const std::string& name) {
  absl::Status s = cert.key.WritePemFile(absl::StrCat(dir, "/", name, ".key"));
  if (!s.ok()) return s;
  return WriteAtomically(absl::StrCat(dir, "/", name, ".pem"), cert.cert_pem,
                         0644);
}

absl::StatusOr<IssuedCertificate> ReadIssuedCertificate(
    const std::string& dir, const std::string& name) {
  const std::string pem_path = absl::StrCat(dir, "/", name, ".pem");
  absl::StatusOr<std::string> pem = ReadSmallFile(pem_path);
  if (!pem.ok()) return pem.status();
  absl::StatusOr<crypto::SigningKey> key =
      crypto::SigningKey::ReadPemFile(absl::StrCat(dir, "/", name, ".key"));
  if (!key.ok()) return key.status();
  return IssuedCertificate{std::move(*pem), std::move(*key)};
}

absl::Status CreateCertificateAuthority(const std::string& dir,
                                        const std::string& name) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  absl::StatusOr<IssuedCertificate> ca =
      NewCertificateAuthority(absl::StrCat("Accord development CA ", name),
                              now - 3600, now + kTenYears);
  if (!ca.ok()) return ca.status();
  return WriteIssuedCertificate(*ca, dir, name);
}

absl::Status EnsureDevPki(const std::string& dir,
                          const std::vector<std::string>& principal_names) {
  for (const std::string& name : principal_names) {
    if (!IsValidPrincipalName(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("dev pki: invalid principal name \"", name, "\""));
    }
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return FileError(dir, "cannot create directory");
  }
  const std::string ca_pem = absl::StrCat(dir, "/ca.pem");
  const std::string ca_key = absl::StrCat(dir, "/ca.key");
  if (!Exists(ca_pem) && !Exists(ca_key)) {
    absl::Status s = CreateCertificateAuthority(dir, "ca");
    if (!s.ok()) return s;
  }
  absl::StatusOr<IssuedCertificate> ca = ReadIssuedCertificate(dir, "ca");
  if (!ca.ok()) return ca.status();

  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  CertificateSpec server;
  server.common_name = "localhost";
  server.dns_sans = {"localhost"};
  server.ip_sans = {"127.0.0.1", "::1"};
  server.usage = CertificateSpec::Usage::kServer;
  server.not_before = now - 3600;
  server.not_after = now + kTenYears;
  absl::Status s = EnsureLeaf(dir, std::string(dev::kServerName), *ca, server);
  if (!s.ok()) return s;

  for (const std::string& name : principal_names) {
    CertificateSpec client;
    client.common_name = name;
    client.uri_sans = {absl::StrCat(dev::kPrincipalUriPrefix, name)};
    client.usage = CertificateSpec::Usage::kClient;
    client.not_before = now - 3600;
    client.not_after = now + kTenYears;
    s = EnsureLeaf(dir, name, *ca, client);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace accord::dev
