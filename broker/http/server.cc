#include "broker/http/server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "broker/http/listener.h"
#include "broker/http/request.h"

namespace accord::http {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kText[] = "text/plain; charset=utf-8";
// How long a closing connection may keep sending before it is dropped; see
// Flush().
constexpr auto kMaxDrain = std::chrono::seconds(1);
// Pause after the process runs out of descriptors, instead of spinning.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

Clock::duration ToClock(absl::Duration d) {
  return std::chrono::duration_cast<Clock::duration>(
      absl::ToChronoNanoseconds(d));
}

bool Transient(int error) {
  return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

}  // namespace

struct HttpServer::Connection {
  int fd = -1;                     // -1 once closed
  std::string peer;                // the client's IP address, as bytes
  bool reserved_slot = false;      // serves reserved paths only, one request
  std::unique_ptr<TlsStream> tls;  // null for plain HTTP
  // The TLS session must wait for the socket in this direction before the
  // pending read or write can go on (kOk: no such wait).
  TlsIo::State tls_wait = TlsIo::State::kOk;
  std::string in;
  std::string out;
  size_t sent = 0;
  bool close_after_write = false;
  bool draining = false;  // response sent, write side shut, input discarded
  Clock::time_point deadline;

  void Close() {
    tls.reset();
    if (fd >= 0) close(fd);
    fd = -1;
  }
  bool idle() const { return in.empty() && out.empty() && !draining; }
  // Decrypted input waiting inside the TLS session, which poll cannot see.
  bool buffered() const {
    return tls != nullptr && !draining && out.empty() && tls->HasBuffered();
  }
  short events() const {
    if (tls_wait == TlsIo::State::kWantRead) return POLLIN;
    if (tls_wait == TlsIo::State::kWantWrite) return POLLOUT;
    return out.empty() ? POLLIN : POLLOUT;
  }

  // recv/send, or their TLS counterparts: bytes moved (> 0), 0 when the call
  // must wait for the socket, -1 when the connection is finished.
  ssize_t Receive(char* data, size_t size) {
    if (tls == nullptr || draining) {
      const ssize_t n = recv(fd, data, size, 0);
      if (n < 0 && Transient(errno)) return 0;
      return n > 0 ? n : -1;
    }
    return FromTls(tls->Read(data, size));
  }
  ssize_t Send(const char* data, size_t size) {
    if (tls == nullptr) {
      const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
      if (n < 0 && Transient(errno)) return 0;
      return n > 0 ? n : -1;
    }
    return FromTls(tls->Write(data, size));
  }
  ssize_t FromTls(TlsIo io) {
    tls_wait = TlsIo::State::kOk;
    switch (io.state) {
      case TlsIo::State::kOk:
        return static_cast<ssize_t>(io.bytes);
      case TlsIo::State::kWantRead:
      case TlsIo::State::kWantWrite:
        tls_wait = io.state;
        return 0;
      default:
        return -1;
    }
  }
};

// The loop thread's connections and poll set.
struct HttpServer::Connections {
  std::vector<std::unique_ptr<Connection>> conns;
  std::vector<pollfd> fds;
  // Connections per client address and in the shared slots, counting those
  // closed but not yet removed.
  absl::flat_hash_map<std::string, int> per_ip;
  int shared = 0;
  size_t slots = 0;  // max_connections + reserved_connections
  Clock::time_point accept_resume;
  bool accepting = false;  // the listener is in the poll set, at fds[1]
  size_t first = 0;        // the index in fds of conns[0]
};

namespace {

// The client's address bytes, the key of the per-address connection count.
std::string PeerKey(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr;
    return std::string(reinterpret_cast<const char*>(&in6), sizeof(in6));
  }
  if (addr.ss_family == AF_INET) {
    const auto& in4 = reinterpret_cast<const sockaddr_in&>(addr).sin_addr;
    return std::string(reinterpret_cast<const char*>(&in4), sizeof(in4));
  }
  return std::string();
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const std::string& address, Router router) {
  return Start(address, std::move(router), Options());
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const std::string& address, Router router, const Options& options) {
  if (options.max_connections <= 0) {
    return absl::InvalidArgumentError("options.max_connections");
  }
  if (options.reserved_connections < 0) {
    return absl::InvalidArgumentError("options.reserved_connections");
  }
  if (options.max_connections_per_ip <= 0) {
    return absl::InvalidArgumentError("options.max_connections_per_ip");
  }
  if (options.idle_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("options.idle_timeout");
  }
  if (options.io_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("options.io_timeout");
  }
  if (options.max_head_bytes < 64) {
    return absl::InvalidArgumentError("options.max_head_bytes");
  }
  absl::Status valid = router.Validate();
  if (!valid.ok()) return valid;
  absl::StatusOr<Listener> listener = OpenListener(address);
  if (!listener.ok()) return listener.status();
  int wake[2];
  if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) != 0) {
    close(listener->fd);
    return absl::UnavailableError(
        absl::StrCat("wake-up pipe: ", std::strerror(errno)));
  }
  std::unique_ptr<HttpServer> server(
      new HttpServer(listener->fd, wake[0], wake[1], listener->port,
                     std::move(router), options));
  HttpServer* s = server.get();
  absl::MutexLock l(&s->mu_);
  s->thread_ = std::thread([s] { s->Loop(); });
  return server;
}

HttpServer::HttpServer(int listen_fd, int wake_read, int wake_write, int port,
                       Router router, const Options& options)
    : listen_fd_(listen_fd),
      wake_read_(wake_read),
      wake_write_(wake_write),
      port_(port),
      router_(std::move(router)),
      options_(options) {}

HttpServer::~HttpServer() {
  Shutdown();
  if (listen_fd_ >= 0) close(listen_fd_);
  close(wake_read_);
  close(wake_write_);
}

void HttpServer::Shutdown() {
  absl::MutexLock l(&mu_);
  if (!thread_.joinable()) return;
  stop_.store(true);
  const char byte = 1;
  // A full pipe is already readable, so a failed write loses nothing.
  ssize_t ignored = write(wake_write_, &byte, 1);
  (void)ignored;
  thread_.join();
}

void HttpServer::Loop() {
  Connections t;
  t.slots = static_cast<size_t>(options_.max_connections) +
            static_cast<size_t>(options_.reserved_connections);
  t.accept_resume = Clock::now();
  while (true) {
    CloseForShutdown(t);
    RemoveClosed(t);
    if (stopping_ && t.conns.empty()) return;
    const int timeout_ms = PreparePoll(t);
    if (poll(t.fds.data(), t.fds.size(), timeout_ms) < 0) continue;  // EINTR

    if (t.fds[0].revents != 0) {
      char buf[64];
      while (read(wake_read_, buf, sizeof(buf)) > 0) {
      }
    }
    ServeReady(t);
    if (t.accepting && t.fds[1].revents != 0) AcceptNew(t);
    const Clock::time_point after = Clock::now();
    for (auto& c : t.conns) {
      if (c->deadline <= after) c->Close();
    }
  }
}

void HttpServer::CloseForShutdown(Connections& t) {
  if (!stopping_ && stop_.load()) {
    stopping_ = true;
    close(listen_fd_);
    listen_fd_ = -1;
  }
  if (stopping_) {
    for (auto& c : t.conns) {
      if (c->idle()) c->Close();
    }
  }
}

void HttpServer::RemoveClosed(Connections& t) {
  std::erase_if(t.conns, [&](const auto& c) {
    if (c->fd >= 0) return false;
    if (--t.per_ip[c->peer] == 0) t.per_ip.erase(c->peer);
    if (!c->reserved_slot) --t.shared;
    return true;
  });
}

int HttpServer::PreparePoll(Connections& t) {
  const Clock::time_point now = Clock::now();
  t.fds.clear();
  t.fds.push_back({wake_read_, POLLIN, 0});
  t.accepting =
      !stopping_ && now >= t.accept_resume && t.conns.size() < t.slots;
  if (t.accepting) t.fds.push_back({listen_fd_, POLLIN, 0});
  t.first = t.fds.size();
  Clock::time_point wake_at = (!stopping_ && now < t.accept_resume)
                                  ? t.accept_resume
                                  : Clock::time_point::max();
  bool buffered = false;
  for (const auto& c : t.conns) {
    t.fds.push_back({c->fd, c->events(), 0});
    wake_at = std::min(wake_at, c->deadline);
    buffered = buffered || c->buffered();
  }
  int timeout_ms = -1;
  if (buffered) {
    timeout_ms = 0;
  } else if (wake_at != Clock::time_point::max()) {
    auto ms =
        std::chrono::ceil<std::chrono::milliseconds>(wake_at - now).count();
    timeout_ms = static_cast<int>(std::clamp<int64_t>(ms, 0, 60000));
  }
  return timeout_ms;
}

void HttpServer::ServeReady(Connections& t) {
  const size_t known = t.conns.size();
  for (size_t i = 0; i < known; ++i) {
    Connection& c = *t.conns[i];
    if (t.fds[t.first + i].revents == 0 && !c.buffered()) continue;
    if (!c.out.empty()) {
      Flush(c);
      Process(c);
    } else {
      OnReadable(c);
    }
  }
}

void HttpServer::AcceptNew(Connections& t) {
  while (t.conns.size() < t.slots) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
          errno == ENOMEM) {
        t.accept_resume = Clock::now() + kAcceptPause;
      }
      break;
    }
    std::string peer = PeerKey(addr);
    auto known_peer = t.per_ip.find(peer);
    if (known_peer != t.per_ip.end() &&
        known_peer->second >= options_.max_connections_per_ip) {
      close(fd);  // over the per-address cap: refused unanswered
      continue;
    }
    auto c = std::make_unique<Connection>();
    if (options_.tls != nullptr) {
      c->tls = options_.tls->Accept(fd);
      if (c->tls == nullptr) {
        close(fd);
        continue;
      }
    }
    ++t.per_ip[peer];
    c->peer = std::move(peer);
    c->reserved_slot = t.shared >= options_.max_connections;
    if (!c->reserved_slot) ++t.shared;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->fd = fd;
    c->deadline = Clock::now() + ToClock(options_.idle_timeout);
    t.conns.push_back(std::move(c));
  }
}

void HttpServer::OnReadable(Connection& c) {
  char buf[4096];
  size_t want = sizeof(buf);
  if (!c.draining) {
    if (c.in.size() >= options_.max_head_bytes) return Process(c);
    want = std::min(want, options_.max_head_bytes - c.in.size());
  }
  const ssize_t n = c.Receive(buf, want);
  if (n == 0) return;
  if (n < 0) return c.Close();  // peer gone; a partial request is dropped
  if (c.draining) return;
  c.in.append(buf, static_cast<size_t>(n));
  bytes_received_.fetch_add(static_cast<uint64_t>(n));
  Process(c);
}

// Answers complete requests at the head of the input one at a time; stops
// while a response is still being written, so a client that pipelines
// without reading holds at most one response in memory.
void HttpServer::Process(Connection& c) {
  while (c.fd >= 0 && c.out.empty() && !c.close_after_write && !c.draining) {
    ParsedHead head = ParseRequestHead(c.in, options_.max_head_bytes);
    if (head.state == ParsedHead::State::kIncomplete) return;
    if (head.state == ParsedHead::State::kError) {
      Queue(c, Response{head.error_status, kText, {}, head.error + "\n"}, false,
            true);
    } else {
      c.in.erase(0, head.consumed);
      const Request& r = head.request;
      const bool head_only = r.method == "HEAD";
      const Handler* handler = router_.Find(r.path);
      // A reserved slot answers one request, so it is free again soon.
      const bool close = !r.keep_alive || c.reserved_slot;
      if (c.reserved_slot && !router_.IsReserved(r.path)) {
        Queue(c, Response{503, kText, {}, "busy\n"}, head_only, true);
      } else if (r.method != "GET" && !head_only) {
        Queue(c,
              Response{
                  405, kText, {{"Allow", "GET, HEAD"}}, "method not allowed\n"},
              false, close);
      } else if (handler == nullptr) {
        Queue(c, Response{404, kText, {}, "not found\n"}, head_only, close);
      } else {
        Queue(c, (*handler)(), head_only, close);
      }
    }
    Flush(c);
  }
}

void HttpServer::Queue(Connection& c, const Response& response, bool head_only,
                       bool close) {
  close = close || stopping_;
  absl::StatusOr<std::string> bytes =
      SerializeResponse(response, head_only, close);
  if (!bytes.ok()) {
    bytes = SerializeResponse(
        Response{500, kText, {}, "invalid response from handler\n"}, head_only,
        close);
  }
  c.out = *std::move(bytes);
  c.sent = 0;
  c.close_after_write = close;
  c.deadline = Clock::now() + ToClock(options_.io_timeout);
}

void HttpServer::Flush(Connection& c) {
  while (c.fd >= 0 && c.sent < c.out.size()) {
    const ssize_t n = c.Send(c.out.data() + c.sent, c.out.size() - c.sent);
    if (n == 0) return;
    if (n < 0) return c.Close();
    c.sent += static_cast<size_t>(n);
  }
  if (c.fd < 0) return;
  c.out.clear();
  c.sent = 0;
  const Clock::time_point now = Clock::now();
  if (!c.close_after_write) {
    c.deadline = now + ToClock(options_.idle_timeout);
    return;
  }
  // Closing with unread input would reset the connection and could destroy
  // the response before the client reads it: shut the write side and discard
  // input until the client closes, for a short while.
  if (c.tls != nullptr) c.tls->Close();
  shutdown(c.fd, SHUT_WR);
  c.draining = true;
  c.tls_wait = TlsIo::State::kOk;
  c.in.clear();
  c.deadline =
      now + std::min(ToClock(options_.io_timeout),
                     std::chrono::duration_cast<Clock::duration>(kMaxDrain));
}

}  // namespace accord::http
