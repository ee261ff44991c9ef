#include "broker/service/startup_files.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "broker/crypto/x509.h"
#include "broker/service/dev_mode.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

// A server certificate and its private key, read from the files that the
// config keys `cert_key` and `key_key` name: the certificate must parse and
// be valid now, the key must be PEM. Errors name the key and the file at
// fault, never their content.
absl::Status CheckCertAndKey(absl::string_view cert_key,
                             const std::string& cert_file,
                             const std::string& cert, absl::string_view key_key,
                             const std::string& key_file,
                             const std::string& key, int64_t now,
                             int64_t clock_skew_seconds) {
  auto info = crypto::ParseCertificatePem(cert);
  if (!info.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(cert_key, ": ", cert_file, " holds no PEM certificate"));
  }
  if (info->not_after < now) {
    return absl::FailedPreconditionError(
        absl::StrCat(cert_key, ": ", cert_file, " expired at ",
                     absl::FormatTime(absl::FromUnixSeconds(info->not_after))));
  }
  if (info->not_before > now + clock_skew_seconds) {
    return absl::FailedPreconditionError(absl::StrCat(
        cert_key, ": ", cert_file, " is not valid before ",
        absl::FormatTime(absl::FromUnixSeconds(info->not_before))));
  }
  if (key.find("-----BEGIN") == std::string::npos ||
      key.find("PRIVATE KEY-----") == std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat(key_key, ": ", key_file, " holds no PEM private key"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     absl::string_view what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": ", path, " is not a readable regular file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": cannot read ", path));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad() || buffer.fail()) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": cannot read ", path));
  }
  return buffer.str();
}

// The TLS files must hold what they claim, and the server certificate must
// be valid now: gRPC would otherwise start and fail every handshake later.
// Errors name the file at fault, never its content.
absl::Status CheckTlsMaterial(const BrokerConfig& config, const std::string& ca,
                              const std::string& cert, const std::string& key,
                              int64_t now) {
  if (!crypto::ParseCertificatePem(ca).ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "tls_ca: ", config.tls_ca_file, " holds no PEM certificate"));
  }
  return CheckCertAndKey("tls_cert", config.tls_cert_file, cert, "tls_key",
                         config.tls_key_file, key, now,
                         config.clock_skew_seconds);
}

// The HTTP listener's TLS context, or null for plain HTTP, which only dev
// mode and loopback addresses get. The files are checked like the gRPC
// material; outside dev mode the key must not be readable by group or
// others. Errors: FAILED_PRECONDITION naming the config key at fault.
absl::StatusOr<std::shared_ptr<const http::TlsServerContext>> LoadHttpTls(
    const BrokerConfig& config, int64_t now) {
  if (config.http_tls_cert_file.empty() && config.http_tls_key_file.empty()) {
    if (!config.dev && !IsLoopbackAddress(config.http_address)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "http_tls_cert: required outside dev mode when http_address (",
          config.http_address, ") is not a loopback address"));
    }
    return nullptr;
  }
  if (config.http_tls_cert_file.empty()) {
    return absl::FailedPreconditionError(
        "http_tls_cert: required with http_tls_key");
  }
  if (config.http_tls_key_file.empty()) {
    return absl::FailedPreconditionError(
        "http_tls_key: required with http_tls_cert");
  }
  auto cert = ReadFile(config.http_tls_cert_file, "http_tls_cert");
  if (!cert.ok()) return cert.status();
  auto key = ReadFile(config.http_tls_key_file, "http_tls_key");
  if (!key.ok()) return key.status();
  if (absl::Status s = CheckCertAndKey(
          "http_tls_cert", config.http_tls_cert_file, *cert, "http_tls_key",
          config.http_tls_key_file, *key, now, config.clock_skew_seconds);
      !s.ok()) {
    return s;
  }
  struct stat st;
  if (!config.dev && (stat(config.http_tls_key_file.c_str(), &st) != 0 ||
                      (st.st_mode & (S_IRGRP | S_IROTH)) != 0)) {
    return absl::FailedPreconditionError(
        absl::StrCat("http_tls_key: ", config.http_tls_key_file,
                     " must not be readable by group or others (mode 0600)"));
  }
  return http::TlsServerContext::Load(config.http_tls_cert_file,
                                      config.http_tls_key_file);
}

// A file holding secret material (a TLS private key) must grant nothing to
// group or others, in dev mode too. Returns OK (also for an empty path, a
// missing file or not a regular file, which the reader reports), or
// FAILED_PRECONDITION naming `what` and the file, never its content.
absl::Status CheckPrivateFile(const std::string& path, absl::string_view what) {
  struct stat st;
  if (path.empty() || stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::OkStatus();
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, ": ", path, " grants access to group or others; chmod 600 it"));
  }
  return absl::OkStatus();
}

}  // namespace accord::service
