#ifndef ACCORD_BROKER_HTTP_TLS_H_
#define ACCORD_BROKER_HTTP_TLS_H_

// TLS for the HTTP listener, in the listener's terms: a context made once
// from PEM files, and a byte stream over one connected socket whose reads and
// writes say when they must wait for the socket. The only file of this
// library that includes OpenSSL is tls.cc.

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace accord::http {

// What one Read or Write did. kOk moved `bytes` (> 0) bytes; kWantRead and
// kWantWrite: nothing moved, retry the same call once the socket is readable
// (writable); kClosed: the peer closed (cleanly or not); kError: the TLS
// session failed (bad handshake, plain HTTP sent to a TLS port, ...) and the
// connection must be dropped.
struct TlsIo {
  enum class State { kOk, kWantRead, kWantWrite, kClosed, kError };
  State state = State::kError;
  size_t bytes = 0;
};

// One TLS session over a socket the caller owns (and closes after the
// stream). Not thread-safe: one connection, one thread at a time.
class TlsStream {
 public:
  virtual ~TlsStream() = default;
  // Reads up to `size` plaintext bytes; drives the handshake as needed.
  virtual TlsIo Read(char* data, size_t size) = 0;
  // Writes up to `size` plaintext bytes; drives the handshake as needed.
  virtual TlsIo Write(const char* data, size_t size) = 0;
  // True when decrypted bytes wait inside the session: the socket will not
  // signal them, so the caller must Read again before polling.
  virtual bool HasBuffered() const = 0;
  // Sends the TLS close alert once, if the session got that far and has not
  // failed; never waits. Reads and writes afterwards fail.
  virtual void Close() = 0;
};

// Server side: the listener's certificate chain and private key. Immutable
// once loaded; shared by every connection.
class TlsServerContext {
 public:
  virtual ~TlsServerContext() = default;
  // Loads `cert_file` (PEM, leaf first, then intermediates) and `key_file`
  // (PEM private key matching the leaf). Sessions accept TLS 1.2 and 1.3
  // only. Returns the context, or FAILED_PRECONDITION naming the config key
  // (`http_tls_cert`, `http_tls_key`) and file at fault when a file cannot be
  // read or parsed, or when the key does not match the certificate.
  static absl::StatusOr<std::shared_ptr<const TlsServerContext>> Load(
      const std::string& cert_file, const std::string& key_file);
  // A new server session over the connected, non-blocking socket `fd`, or
  // nullptr when OpenSSL cannot allocate one.
  virtual std::unique_ptr<TlsStream> Accept(int fd) const = 0;
};

// Client side, for probes and tests: trusts the CA certificates of
// `ca_file` only and checks the server's name or IP address.
class TlsClientContext {
 public:
  virtual ~TlsClientContext() = default;
  // Returns the context, or FAILED_PRECONDITION naming `ca_file` when it
  // holds no readable PEM certificate.
  static absl::StatusOr<std::shared_ptr<const TlsClientContext>> Load(
      const std::string& ca_file);
  // A client session over the connected socket `fd` for server `host` (a DNS
  // name, or an IP address checked against the certificate's IP SANs), or
  // nullptr when OpenSSL cannot allocate one. The handshake, with the
  // certificate check, happens on the first Read or Write (kError when the
  // server is not trusted).
  virtual std::unique_ptr<TlsStream> Connect(int fd,
                                             const std::string& host) const = 0;
};

}  // namespace accord::http

#endif  // ACCORD_BROKER_HTTP_TLS_H_
