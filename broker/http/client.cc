#include "broker/http/client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/http/host_port.h"
#include "broker/http/tls.h"

namespace accord::http {
namespace {

constexpr size_t kMaxResponseBytes = 4 << 20;

// Closes the descriptor it holds.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

bool IsTarget(absl::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  for (char c : path) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

// OK once `fd` is ready for `events`, DEADLINE_EXCEEDED at `deadline`.
absl::Status WaitFor(int fd, short events, absl::Time deadline) {
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("HTTP request timed out");
    }
    pollfd p{fd, events, 0};
    const int n =
        poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (n > 0) return absl::OkStatus();
    if (n < 0 && errno != EINTR) {
      return absl::UnavailableError(
          absl::StrCat("poll: ", std::strerror(errno)));
    }
  }
}

absl::StatusOr<int> Connect(const HostPort& hp, absl::Time deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = absl::StrCat(hp.port);
  const int gai = getaddrinfo(hp.host.c_str(), port.c_str(), &hints, &found);
  if (gai != 0) {
    return absl::UnavailableError(
        absl::StrCat("host \"", hp.host, "\": ", gai_strerror(gai)));
  }
  absl::Status last = absl::UnavailableError("no address");
  int result = -1;
  for (addrinfo* ai = found; ai != nullptr && result < 0; ai = ai->ai_next) {
    const int fd =
        socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = absl::UnavailableError(
          absl::StrCat("connect: ", std::strerror(errno)));
      close(fd);
      continue;
    }
    last = WaitFor(fd, POLLOUT, deadline);
    int error = 0;
    socklen_t len = sizeof(error);
    if (last.ok() && (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 ||
                      error != 0)) {
      last = absl::UnavailableError(
          absl::StrCat("connect: ", std::strerror(error)));
    }
    if (last.ok()) {
      result = fd;
    } else {
      close(fd);
      if (absl::IsDeadlineExceeded(last)) break;
    }
  }
  freeaddrinfo(found);
  if (result < 0) return last;
  return result;
}

absl::Status Truncated(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("HTTP response: truncated ", what));
}

// Decodes a chunked body; nullopt when `raw` may still grow.
absl::StatusOr<std::optional<std::string>> Dechunk(absl::string_view raw,
                                                   bool eof) {
  std::string body;
  while (true) {
    const size_t eol = raw.find("\r\n");
    if (eol == absl::string_view::npos) {
      if (eof) return Truncated("chunked body");
      return std::nullopt;
    }
    absl::string_view size_field = raw.substr(0, std::min(eol, raw.find(';')));
    size_field = absl::StripAsciiWhitespace(size_field);
    uint64_t size = 0;
    if (size_field.empty() || size_field.size() > 8 ||
        !absl::SimpleHexAtoi(size_field, &size) || size_field.front() == '-' ||
        size_field.front() == '+') {
      return absl::DataLossError("HTTP response: chunk size");
    }
    raw.remove_prefix(eol + 2);
    if (size == 0) {
      // Trailer fields, then the final blank line.
      if (absl::StartsWith(raw, "\r\n") ||
          raw.find("\r\n\r\n") != absl::string_view::npos) {
        return std::optional<std::string>(std::move(body));
      }
      if (eof) return Truncated("chunked trailer");
      return std::nullopt;
    }
    if (raw.size() < size + 2) {
      if (eof) return Truncated("chunk");
      return std::nullopt;
    }
    if (raw.substr(size, 2) != "\r\n") {
      return absl::DataLossError("HTTP response: chunk terminator");
    }
    body.append(raw.data(), size);
    raw.remove_prefix(size + 2);
  }
}

// The response in `raw`; nullopt when it may still grow.
absl::StatusOr<std::optional<HttpResult>> Parse(absl::string_view raw,
                                                bool eof) {
  const size_t end = raw.find("\r\n\r\n");
  if (end == absl::string_view::npos) {
    if (eof) return Truncated("head");
    return std::nullopt;
  }
  absl::string_view head = raw.substr(0, end);
  absl::string_view rest = raw.substr(end + 4);
  const size_t eol = std::min(head.find("\r\n"), head.size());
  absl::string_view status_line = head.substr(0, eol);
  HttpResult result;
  if (!absl::StartsWith(status_line, "HTTP/1.") || status_line.size() < 12 ||
      status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ') ||
      !absl::SimpleAtoi(status_line.substr(9, 3), &result.status) ||
      !absl::ascii_isdigit(status_line[9]) || result.status < 100) {
    return absl::DataLossError("HTTP response: status line");
  }
  head.remove_prefix(std::min(eol + 2, head.size()));
  while (!head.empty()) {
    const size_t line_end = std::min(head.find("\r\n"), head.size());
    absl::string_view line = head.substr(0, line_end);
    head.remove_prefix(std::min(line_end + 2, head.size()));
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos || colon == 0) {
      return absl::DataLossError("HTTP response: header line");
    }
    result.headers.emplace_back(
        std::string(line.substr(0, colon)),
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  if (const std::string* te = result.Header("transfer-encoding")) {
    if (!absl::EndsWithIgnoreCase(*te, "chunked")) {
      return absl::DataLossError("HTTP response: transfer-encoding");
    }
    absl::StatusOr<std::optional<std::string>> body = Dechunk(rest, eof);
    if (!body.ok()) return body.status();
    if (!body->has_value()) return std::nullopt;
    result.body = **std::move(body);
  } else if (const std::string* cl = result.Header("content-length")) {
    uint64_t length = 0;
    if (cl->empty() || !absl::ascii_isdigit(cl->front()) ||
        !absl::SimpleAtoi(*cl, &length)) {
      return absl::DataLossError("HTTP response: content-length");
    }
    if (rest.size() < length) {
      if (eof) return Truncated("body");
      return std::nullopt;
    }
    result.body = std::string(rest.substr(0, length));
  } else {
    if (!eof) return std::nullopt;
    result.body = std::string(rest);
  }
  return std::optional<HttpResult>(std::move(result));
}

}  // namespace

const std::string* HttpResult::Header(absl::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (absl::EqualsIgnoreCase(n, name)) return &v;
  }
  return nullptr;
}

absl::StatusOr<HttpUrl> ParseHttpUrl(absl::string_view url) {
  constexpr absl::string_view kScheme = "http://";
  if (url.size() < kScheme.size() ||
      !absl::EqualsIgnoreCase(url.substr(0, kScheme.size()), kScheme)) {
    return absl::InvalidArgumentError(
        absl::StrCat("url \"", url, "\": scheme must be http"));
  }
  url.remove_prefix(kScheme.size());
  url = url.substr(0, url.find('#'));
  const size_t slash = url.find_first_of("/?");
  absl::string_view authority = url.substr(0, slash);
  std::string path = slash == absl::string_view::npos
                         ? std::string("/")
                         : std::string(url.substr(slash));
  if (path.front() == '?') path = absl::StrCat("/", path);
  if (authority.find('@') != absl::string_view::npos) {
    return absl::InvalidArgumentError("url: userinfo is not allowed");
  }
  std::string host_port(authority);
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  const bool has_port = colon != absl::string_view::npos &&
                        (bracket == absl::string_view::npos || colon > bracket);
  if (!has_port) host_port = absl::StrCat(authority, ":80");
  absl::StatusOr<HostPort> hp = SplitHostPort(host_port);
  if (!hp.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("url: ", hp.status().message()));
  }
  if (!IsTarget(path)) return absl::InvalidArgumentError("url: path");
  return HttpUrl{std::move(host_port), std::move(path)};
}

absl::StatusOr<HttpResult> ParseHttpResponse(absl::string_view raw) {
  absl::StatusOr<std::optional<HttpResult>> parsed = Parse(raw, /*eof=*/true);
  if (!parsed.ok()) return parsed.status();
  return **std::move(parsed);
}

namespace {

// The bytes of one connection, in clear or through a TLS session.
class Channel {
 public:
  Channel(int fd, TlsStream* tls) : fd_(fd), tls_(tls) {}

  // OK once all of `data` is sent.
  absl::Status WriteAll(absl::string_view data, absl::Time deadline) {
    for (size_t sent = 0; sent < data.size();) {
      if (tls_ != nullptr) {
        TlsIo io = tls_->Write(data.data() + sent, data.size() - sent);
        if (io.state == TlsIo::State::kOk) {
          sent += io.bytes;
          continue;
        }
        absl::Status s = WaitTls(io, deadline);
        if (!s.ok()) return s;
        continue;
      }
      absl::Status ready = WaitFor(fd_, POLLOUT, deadline);
      if (!ready.ok()) return ready;
      const ssize_t n =
          send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) {
        return absl::UnavailableError(
            absl::StrCat("send: ", std::strerror(errno)));
      }
      sent += static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }

  // Bytes read (> 0), or 0 when the server closed the connection.
  absl::StatusOr<size_t> ReadSome(char* buf, size_t size, absl::Time deadline) {
    while (true) {
      if (tls_ != nullptr) {
        TlsIo io = tls_->Read(buf, size);
        if (io.state == TlsIo::State::kOk) return io.bytes;
        if (io.state == TlsIo::State::kClosed) return 0;
        absl::Status s = WaitTls(io, deadline);
        if (!s.ok()) return s;
        continue;
      }
      absl::Status ready = WaitFor(fd_, POLLIN, deadline);
      if (!ready.ok()) return ready;
      const ssize_t n = recv(fd_, buf, size, 0);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n < 0) {
        return absl::UnavailableError(
            absl::StrCat("recv: ", std::strerror(errno)));
      }
      return static_cast<size_t>(n);
    }
  }

 private:
  absl::Status WaitTls(const TlsIo& io, absl::Time deadline) {
    if (io.state == TlsIo::State::kWantRead) {
      return WaitFor(fd_, POLLIN, deadline);
    }
    if (io.state == TlsIo::State::kWantWrite) {
      return WaitFor(fd_, POLLOUT, deadline);
    }
    return absl::UnavailableError(
        "TLS session failed (untrusted certificate or protocol error)");
  }

  int fd_;
  TlsStream* tls_;
};

absl::StatusOr<HttpResult> Get(const std::string& host_port,
                               const std::string& path,
                               const TlsClientContext* tls,
                               absl::Duration timeout) {
  absl::StatusOr<HostPort> hp = SplitHostPort(host_port);
  if (!hp.ok()) return hp.status();
  if (!IsTarget(path)) {
    return absl::InvalidArgumentError(absl::StrCat("path \"", path, "\""));
  }
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<int> connected = Connect(*hp, deadline);
  if (!connected.ok()) return connected.status();
  Fd fd(*connected);
  std::unique_ptr<TlsStream> session;
  if (tls != nullptr) {
    session = tls->Connect(fd.get(), hp->host);
    if (session == nullptr) {
      return absl::UnavailableError("TLS: cannot start a session");
    }
  }
  Channel channel(fd.get(), session.get());

  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: ", host_port,
                   "\r\nAccept: */*\r\nConnection: close\r\n\r\n");
  if (absl::Status s = channel.WriteAll(request, deadline); !s.ok()) return s;

  std::string raw;
  char buf[16384];
  while (true) {
    absl::StatusOr<size_t> n = channel.ReadSome(buf, sizeof(buf), deadline);
    if (!n.ok()) return n.status();
    if (*n == 0) return ParseHttpResponse(raw);
    raw.append(buf, *n);
    if (raw.size() > kMaxResponseBytes) {
      return absl::ResourceExhaustedError("HTTP response larger than 4 MiB");
    }
    absl::StatusOr<std::optional<HttpResult>> parsed =
        Parse(raw, /*eof=*/false);
    if (!parsed.ok()) return parsed.status();
    if (parsed->has_value()) return **std::move(parsed);
  }
}

}  // namespace

absl::StatusOr<HttpResult> HttpGet(const std::string& host_port,
                                   const std::string& path,
                                   absl::Duration timeout) {
  return Get(host_port, path, nullptr, timeout);
}

absl::StatusOr<HttpResult> HttpsGet(const std::string& host_port,
                                    const std::string& path,
                                    const TlsClientContext& tls,
                                    absl::Duration timeout) {
  return Get(host_port, path, &tls, timeout);
}

}  // namespace accord::http
