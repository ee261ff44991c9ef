#ifndef ACCORD_BROKER_SERVICE_STARTUP_FILES_H_
#define ACCORD_BROKER_SERVICE_STARTUP_FILES_H_

// The files the broker reads at start (TLS material, the taxonomy
// extension), checked before anything listens, so that a wrong file stops
// the start with a message naming its config key instead of failing every
// handshake later. No error message holds a file's content.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/http/tls.h"
#include "broker/service/config.h"

namespace accord::service {

// The whole of the regular file `path`.
// Errors: FAILED_PRECONDITION naming `what` (the config key) and the path.
absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     absl::string_view what);

// The gRPC listener's CA, certificate and key (their contents): the CA and
// certificate parse, the certificate is valid at `now` (within the
// configured clock skew), the key is PEM.
// Errors: FAILED_PRECONDITION naming the file at fault.
absl::Status CheckTlsMaterial(const BrokerConfig& config, const std::string& ca,
                              const std::string& cert, const std::string& key,
                              int64_t now);

// The HTTP listener's TLS context, or null for plain HTTP, which only dev
// mode and loopback addresses get. The files are checked like the gRPC
// material; outside dev mode the key must not be readable by group or
// others. Errors: FAILED_PRECONDITION naming the config key at fault.
absl::StatusOr<std::shared_ptr<const http::TlsServerContext>> LoadHttpTls(
    const BrokerConfig& config, int64_t now);

// A file holding secret material (a TLS private key) must grant nothing to
// group or others, in dev mode too. Returns OK (also for an empty path, a
// missing file or not a regular file, which the reader reports), or
// FAILED_PRECONDITION naming `what` and the file.
absl::Status CheckPrivateFile(const std::string& path, absl::string_view what);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_STARTUP_FILES_H_
