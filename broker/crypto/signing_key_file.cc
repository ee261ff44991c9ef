// SigningKey::ReadPemFile and SigningKey::WritePemFile: key files on disk.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "broker/crypto/key_access.h"
#include "broker/crypto/openssl_util.h"
#include "broker/crypto/signing_key.h"

namespace accord::crypto {
namespace {

constexpr size_t kMaxKeyFileBytes = 64 * 1024;

absl::Status ErrnoError(int err, absl::string_view what,
                        const std::string& path) {
  absl::StatusCode code = err == ENOENT   ? absl::StatusCode::kNotFound
                          : err == EACCES ? absl::StatusCode::kPermissionDenied
                                          : absl::StatusCode::kInternal;
  return absl::Status(code, absl::StrCat("key file ", path, ": ", what, ": ",
                                         std::strerror(err)));
}

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// Clears a buffer that held key material before it is freed.
struct WipedString {
  std::string s;
  ~WipedString() {
    if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  }
};

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

absl::StatusOr<SigningKey> SigningKey::ReadPemFile(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError(errno, "cannot open", path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoError(errno, "cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("key file ", path, ": not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "key file %s: mode %04o grants access to group or others; "
        "chmod 600 it",
        path, st.st_mode & 07777));
  }
  if (static_cast<size_t>(st.st_size) > kMaxKeyFileBytes) {
    return absl::FailedPreconditionError(
        absl::StrCat("key file ", path, ": larger than 64 KiB"));
  }
  WipedString content;
  content.s.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < content.s.size()) {
    ssize_t n =
        read(fd.get(), content.s.data() + done, content.s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(errno, "cannot read", path);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  content.s.resize(done);
  absl::StatusOr<SigningKey> key = FromPem(content.s);
  if (!key.ok()) {
    // FromPem's messages never include the PEM; prefix the path.
    return absl::Status(
        key.status().code(),
        absl::StrCat("key file ", path, ": ", key.status().message()));
  }
  return key;
}

absl::Status SigningKey::WritePemFile(const std::string& path) const {
  internal::OsslPtr<BIO> bio(BIO_new(BIO_s_secmem()));
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0,
                                    nullptr, nullptr) != 1) {
    return internal::OpenSslError(
        absl::StatusCode::kInternal,
        absl::StrCat("key file ", path, ": cannot encode key"));
  }
  absl::string_view pem = internal::BioContents(bio.get());

  std::string tmp = path + ".tmp.XXXXXX";
  Fd fd(mkstemp(tmp.data()));  // mkstemp creates the file with mode 0600
  if (fd.get() < 0) return ErrnoError(errno, "cannot create temporary", path);
  auto fail = [&](absl::string_view what) {
    absl::Status s = ErrnoError(errno, what, path);
    unlink(tmp.c_str());
    return s;
  };
  if (fchmod(fd.get(), 0600) != 0) return fail("cannot chmod");
  size_t done = 0;
  while (done < pem.size()) {
    ssize_t n = write(fd.get(), pem.data() + done, pem.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    done += static_cast<size_t>(n);
  }
  if (fsync(fd.get()) != 0) return fail("cannot fsync");
  if (close(fd.Release()) != 0) return fail("cannot close");
  if (rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename");
  Fd dir(open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) fsync(dir.get());
  return absl::OkStatus();
}

}  // namespace accord::crypto
