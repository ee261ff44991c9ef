#include "broker/http/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <climits>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace accord::http {
namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

// Whether `path` names a regular file this process can open for reading:
// OpenSSL's own errors do not say which.
bool Readable(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  std::fclose(f);
  return true;
}

class Stream final : public TlsStream {
 public:
  explicit Stream(SslPtr ssl) : ssl_(std::move(ssl)) {}
  ~Stream() override { Close(); }

  TlsIo Read(char* data, size_t size) override {
    return Io(SSL_read(ssl_.get(), data, Clamp(size)));
  }
  TlsIo Write(const char* data, size_t size) override {
    return Io(SSL_write(ssl_.get(), data, Clamp(size)));
  }
  bool HasBuffered() const override { return SSL_pending(ssl_.get()) > 0; }
  void Close() override {
    if (healthy_ && SSL_is_init_finished(ssl_.get())) {
      SSL_shutdown(ssl_.get());
      ERR_clear_error();
    }
    healthy_ = false;
  }

 private:
  static int Clamp(size_t size) {
    return size > INT_MAX ? INT_MAX : static_cast<int>(size);
  }

  TlsIo Io(int n) {
    if (n > 0) return TlsIo{TlsIo::State::kOk, static_cast<size_t>(n)};
    const int error = SSL_get_error(ssl_.get(), n);
    // One connection's failure must not leave errors queued for the next.
    ERR_clear_error();
    switch (error) {
      case SSL_ERROR_WANT_READ:
        return TlsIo{TlsIo::State::kWantRead, 0};
      case SSL_ERROR_WANT_WRITE:
        return TlsIo{TlsIo::State::kWantWrite, 0};
      case SSL_ERROR_ZERO_RETURN:
        return TlsIo{TlsIo::State::kClosed, 0};
      case SSL_ERROR_SYSCALL:
        healthy_ = false;
        return TlsIo{TlsIo::State::kClosed, 0};
      default:
        healthy_ = false;
        return TlsIo{TlsIo::State::kError, 0};
    }
  }

  SslPtr ssl_;
  bool healthy_ = true;
};

class ServerContext final : public TlsServerContext {
 public:
  explicit ServerContext(CtxPtr ctx) : ctx_(std::move(ctx)) {}
  std::unique_ptr<TlsStream> Accept(int fd) const override {
    SslPtr ssl(SSL_new(ctx_.get()));
    if (ssl == nullptr || SSL_set_fd(ssl.get(), fd) != 1) {
      ERR_clear_error();
      return nullptr;
    }
    SSL_set_accept_state(ssl.get());
    return std::make_unique<Stream>(std::move(ssl));
  }

 private:
  CtxPtr ctx_;
};

class ClientContext final : public TlsClientContext {
 public:
  explicit ClientContext(CtxPtr ctx) : ctx_(std::move(ctx)) {}
  std::unique_ptr<TlsStream> Connect(int fd,
                                     const std::string& host) const override {
    SslPtr ssl(SSL_new(ctx_.get()));
    if (ssl == nullptr || SSL_set_fd(ssl.get(), fd) != 1) {
      ERR_clear_error();
      return nullptr;
    }
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
    // An IP literal is checked against IP SANs, anything else as a DNS name.
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      ERR_clear_error();
      if (X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1 ||
          SSL_set_tlsext_host_name(ssl.get(), host.c_str()) != 1) {
        ERR_clear_error();
        return nullptr;
      }
    }
    SSL_set_connect_state(ssl.get());
    return std::make_unique<Stream>(std::move(ssl));
  }

 private:
  CtxPtr ctx_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<const TlsServerContext>> TlsServerContext::Load(
    const std::string& cert_file, const std::string& key_file) {
  CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (ctx == nullptr) {
    ERR_clear_error();
    return absl::InternalError("TLS: cannot create a server context");
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // No resumption state kept per client: each connection is independent.
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                                     SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Partial writes let the poll loop resume a large response where it stopped.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE |
                                  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (!Readable(cert_file) ||
      SSL_CTX_use_certificate_chain_file(ctx.get(), cert_file.c_str()) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(absl::StrCat(
        "http_tls_cert: ", cert_file, " holds no readable PEM certificate"));
  }
  if (!Readable(key_file) ||
      SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(),
                                  SSL_FILETYPE_PEM) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(absl::StrCat(
        "http_tls_key: ", key_file, " holds no readable PEM private key"));
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(
        absl::StrCat("http_tls_key: ", key_file,
                     " does not match the certificate of http_tls_cert"));
  }
  return std::shared_ptr<const TlsServerContext>(
      std::make_shared<ServerContext>(std::move(ctx)));
}

absl::StatusOr<std::shared_ptr<const TlsClientContext>> TlsClientContext::Load(
    const std::string& ca_file) {
  CtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (ctx == nullptr) {
    ERR_clear_error();
    return absl::InternalError("TLS: cannot create a client context");
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_AUTO_RETRY);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (!Readable(ca_file) ||
      SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(
        absl::StrCat(ca_file, " holds no readable PEM CA certificate"));
  }
  return std::shared_ptr<const TlsClientContext>(
      std::make_shared<ClientContext>(std::move(ctx)));
}

}  // namespace accord::http
