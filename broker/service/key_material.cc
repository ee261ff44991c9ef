#include "broker/service/key_material.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "broker/crypto/random.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

constexpr size_t kSecretBytes = 32;
// A secret file is small; anything larger is not one.
constexpr off_t kMaxSecretFileBytes = 64 * 1024;

absl::Status SecretError(const std::string& path, absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat("pseudonym secret: ", path, ": ", what));
}

// Writes `secret` to `path` through a temporary file that is private from
// its creation (mkstemp: mode 0600), synced, then renamed into place.
absl::Status WriteSecret(const std::string& path, const std::string& secret) {
  const fs::path parent = fs::path(path).parent_path();
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) {
    return SecretError(path, absl::StrCat("cannot create a temporary file: ",
                                          std::strerror(errno)));
  }
  size_t done = 0;
  bool ok = fchmod(fd, 0600) == 0;
  while (ok && done < secret.size()) {
    const ssize_t n = write(fd, secret.data() + done, secret.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  ok = ok && rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) {
    const int err = errno;
    unlink(tmp.c_str());
    return SecretError(path,
                       absl::StrCat("cannot write: ", std::strerror(err)));
  }
  const int dir = open(parent.empty() ? "." : parent.c_str(),
                       O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSecret(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(
          absl::StrCat("pseudonym secret: missing file ", path));
    }
    return SecretError(path,
                       absl::StrCat("cannot open: ", std::strerror(errno)));
  }
  struct stat st;
  std::string secret;
  absl::Status status;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    status = SecretError(path, "not a regular file");
  } else if ((st.st_mode & 077) != 0) {
    status = SecretError(path,
                         "must have mode 0600 (it grants access to "
                         "group or others)");
  } else if (st.st_size > kMaxSecretFileBytes) {
    status = SecretError(path, "larger than 64 KiB");
  } else {
    secret.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < secret.size()) {
      const ssize_t n = read(fd, secret.data() + done, secret.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    if (done != secret.size()) status = SecretError(path, "cannot read");
  }
  close(fd);
  if (!status.ok()) return status;
  if (secret.size() < kSecretBytes) {
    return SecretError(path, "holds fewer than 32 bytes");
  }
  return secret;
}

}  // namespace

std::string ReceiptKeysDir(const BrokerConfig& config) {
  return config.keys_dir + "/receipts";
}

std::string CheckpointKeyPath(const BrokerConfig& config) {
  return config.keys_dir + "/checkpoint.key";
}

KeySchedule KeyScheduleOf(const BrokerConfig& config) {
  KeySchedule schedule;
  schedule.prepublish_seconds = config.key_prepublish_seconds;
  schedule.retention_seconds =
      config.max_grant_lifetime_seconds + config.clock_skew_seconds;
  return schedule;
}

absl::StatusOr<std::unique_ptr<KeyRing>> OpenGrantKeys(
    const BrokerConfig& config, bool create, const Clock* clock) {
  return KeyRing::Open(config.keys_dir, kGrantKeys, create,
                       KeyScheduleOf(config), clock);
}

absl::StatusOr<std::unique_ptr<KeyRing>> OpenReceiptKeys(
    const BrokerConfig& config, bool create, const Clock* clock) {
  return KeyRing::Open(ReceiptKeysDir(config), kReceiptKeys, create,
                       KeyScheduleOf(config), clock);
}

absl::StatusOr<crypto::SigningKey> LoadCheckpointKey(const BrokerConfig& config,
                                                     bool create) {
  const std::string path = CheckpointKeyPath(config);
  std::error_code ec;
  if (create && !fs::exists(fs::symlink_status(path, ec))) {
    auto key = crypto::SigningKey::Generate(crypto::Algorithm::kEdDSA);
    if (!key.ok()) return key.status();
    if (absl::Status s = key->WritePemFile(path); !s.ok()) return s;
  }
  auto key = crypto::SigningKey::ReadPemFile(path);
  if (!key.ok()) return key.status();
  if (key->algorithm() != crypto::Algorithm::kEdDSA) {
    return absl::FailedPreconditionError(
        absl::StrCat("checkpoint key ", path, " must be an Ed25519 key"));
  }
  return key;
}

absl::StatusOr<std::string> LoadPseudonymSecret(const BrokerConfig& config,
                                                bool create) {
  const std::string& path = config.pseudonym_secret_file;
  std::error_code ec;
  if (create && !fs::exists(fs::symlink_status(path, ec))) {
    if (absl::Status s = WriteSecret(path, crypto::RandomBytes(kSecretBytes));
        !s.ok()) {
      return s;
    }
  }
  return ReadSecret(path);
}

}  // namespace accord::service
