#include "broker/http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "broker/http/client.h"
#include "broker/testing/wait.h"

namespace accord::http {
namespace {

using ::accord::testing::WaitUntil;

// A raw TCP connection to the server, to send exactly the bytes a test wants.
class RawConn {
 public:
  explicit RawConn(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  // From the loopback source address `source` ("127.0.0.2"): another client
  // address as the server sees it.
  RawConn(int port, const char* source) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source, &from.sin_addr);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof(from)) == 0 &&
        connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConn() { close(fd_); }
  bool connected() const { return connected_; }

  bool Send(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Reads one response (body framed by Content-Length unless `head_only`).
  // Returns "" when the connection closes or nothing arrives in 3 s.
  std::string ReadResponse(bool head_only = false) {
    while (true) {
      const size_t end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        const size_t cl = buffer_.find("Content-Length: ");
        if (!head_only && cl != std::string::npos && cl < end) {
          const size_t eol = buffer_.find("\r\n", cl);
          if (!absl::SimpleAtoi(buffer_.substr(cl + 16, eol - cl - 16),
                                &length)) {
            return "";
          }
        }
        if (buffer_.size() >= end + 4 + length) {
          std::string response = buffer_.substr(0, end + 4 + length);
          buffer_.erase(0, end + 4 + length);
          return response;
        }
      }
      if (!ReadSome()) return "";
    }
  }

  // True when the server closes the connection within `wait`.
  bool ClosedWithin(absl::Duration wait) {
    const absl::Time deadline = absl::Now() + wait;
    while (absl::Now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return true;
    }
    return false;
  }

 private:
  bool ReadSome() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 3000) <= 0) return false;
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  std::string buffer_;
};

int StatusOf(const std::string& response) {
  int status = 0;
  if (response.size() < 12 ||
      !absl::SimpleAtoi(response.substr(9, 3), &status)) {
    return -1;
  }
  return status;
}

std::string BodyOf(const std::string& response) {
  return response.substr(response.find("\r\n\r\n") + 4);
}

Router TestRouter() {
  Router router;
  router.Get("/x", [] {
    return Response{200, "text/plain", {{"X-Test", "1"}}, "hello x"};
  });
  router.Get("/bad", [] {
    return Response{200, "text/plain", {{"X", "a\r\nY: b"}}, "?"};
  });
  return router;
}

std::unique_ptr<HttpServer> StartTestServer(
    Router router = TestRouter(),
    const HttpServer::Options& options = HttpServer::Options()) {
  auto server = HttpServer::Start("127.0.0.1:0", std::move(router), options);
  REQUIRE(server.ok());
  REQUIRE((*server)->port() > 0);
  return *std::move(server);
}

std::string Addr(const HttpServer& server) {
  return absl::StrCat("127.0.0.1:", server.port());
}

constexpr char kGetX[] = "GET /x HTTP/1.1\r\nHost: t\r\n\r\n";

TEST_CASE("GET on a registered path returns the handler's response",
          "[http][server]") {
  auto server = StartTestServer();
  auto r = HttpGet(Addr(*server), "/x?query=ignored", absl::Seconds(5));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == "hello x");
  REQUIRE(r->Header("Content-Type") != nullptr);
  CHECK(*r->Header("Content-Type") == "text/plain");
  REQUIRE(r->Header("X-Test") != nullptr);
  CHECK(*r->Header("X-Test") == "1");
}

TEST_CASE("The server listens on IPv6 loopback", "[http][server]") {
  auto server = HttpServer::Start("[::1]:0", TestRouter());
  if (!server.ok() &&
      server.status().code() == absl::StatusCode::kUnavailable) {
    WARN("no IPv6 loopback here: " << server.status().message());
    return;
  }
  REQUIRE(server.ok());
  auto r = HttpGet(absl::StrCat("[::1]:", (*server)->port()), "/x",
                   absl::Seconds(5));
  REQUIRE(r.ok());
  CHECK(r->body == "hello x");
}

TEST_CASE("HEAD returns the headers without the body", "[http][server]") {
  auto server = StartTestServer();
  RawConn c(server->port());
  REQUIRE(c.connected());
  REQUIRE(c.Send("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n"));
  const std::string head = c.ReadResponse(/*head_only=*/true);
  CHECK(StatusOf(head) == 200);
  CHECK(head.find("Content-Length: 7\r\n") != std::string::npos);
  CHECK(BodyOf(head).empty());
  // The next request on the connection is answered normally: no stray body.
  REQUIRE(c.Send(kGetX));
  CHECK(BodyOf(c.ReadResponse()) == "hello x");
}

TEST_CASE("Unknown paths get 404", "[http][server]") {
  auto server = StartTestServer();
  auto r = HttpGet(Addr(*server), "/nope", absl::Seconds(5));
  REQUIRE(r.ok());
  CHECK(r->status == 404);
}

TEST_CASE("Other methods get 405 with Allow", "[http][server]") {
  auto server = StartTestServer();
  RawConn c(server->port());
  REQUIRE(c.connected());
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "get"}) {
    INFO(method);
    REQUIRE(c.Send(absl::StrCat(method, " /x HTTP/1.1\r\nHost: t\r\n\r\n")));
    const std::string response = c.ReadResponse();
    CHECK(StatusOf(response) == 405);
    CHECK(response.find("Allow: GET, HEAD\r\n") != std::string::npos);
  }
}

TEST_CASE("An invalid handler response becomes a 500", "[http][server]") {
  auto server = StartTestServer();
  auto r = HttpGet(Addr(*server), "/bad", absl::Seconds(5));
  REQUIRE(r.ok());
  CHECK(r->status == 500);
  CHECK(r->Header("X") == nullptr);
  CHECK(r->Header("Y") == nullptr);
}

TEST_CASE("Keep-alive serves several requests on one connection",
          "[http][server]") {
  auto server = StartTestServer();
  RawConn c(server->port());
  REQUIRE(c.connected());
  REQUIRE(c.Send(kGetX));
  const std::string first = c.ReadResponse();
  CHECK(StatusOf(first) == 200);
  CHECK(first.find("Connection: close") == std::string::npos);
  REQUIRE(c.Send(kGetX));
  CHECK(BodyOf(c.ReadResponse()) == "hello x");

  // Pipelined: two requests in one write, two responses in order.
  REQUIRE(c.Send(absl::StrCat("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n", kGetX)));
  CHECK(StatusOf(c.ReadResponse()) == 404);
  CHECK(BodyOf(c.ReadResponse()) == "hello x");

  REQUIRE(c.Send("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  const std::string last = c.ReadResponse();
  CHECK(StatusOf(last) == 200);
  CHECK(last.find("Connection: close\r\n") != std::string::npos);
  CHECK(c.ClosedWithin(absl::Seconds(3)));
}

TEST_CASE("HTTP/1.0 closes after one response", "[http][server]") {
  auto server = StartTestServer();
  RawConn c(server->port());
  REQUIRE(c.connected());
  REQUIRE(c.Send("GET /x HTTP/1.0\r\n\r\n"));
  CHECK(StatusOf(c.ReadResponse()) == 200);
  CHECK(c.ClosedWithin(absl::Seconds(3)));
}

TEST_CASE("An oversize head gets 431 and the connection closes",
          "[http][server]") {
  auto server = StartTestServer();
  RawConn c(server->port());
  REQUIRE(c.connected());
  REQUIRE(c.Send("GET /x HTTP/1.1\r\nHost: t\r\nX-Big: " +
                 std::string(9000, 'a') + "\r\n\r\n"));
  CHECK(StatusOf(c.ReadResponse()) == 431);
  CHECK(c.ClosedWithin(absl::Seconds(3)));
}

TEST_CASE("Request bodies get 413, garbage gets 400", "[http][server]") {
  auto server = StartTestServer();
  {
    RawConn c(server->port());
    REQUIRE(c.connected());
    REQUIRE(
        c.Send("GET /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"));
    CHECK(StatusOf(c.ReadResponse()) == 413);
    CHECK(c.ClosedWithin(absl::Seconds(3)));
  }
  {
    RawConn c(server->port());
    REQUIRE(c.connected());
    REQUIRE(c.Send("\x16\x03\x01 not http at all\r\n\r\n"));
    CHECK(StatusOf(c.ReadResponse()) == 400);
    CHECK(c.ClosedWithin(absl::Seconds(3)));
  }
}

TEST_CASE("A misbehaving client does not disturb another", "[http][server]") {
  auto server = StartTestServer();
  RawConn good(server->port());
  REQUIRE(good.connected());
  REQUIRE(good.Send(kGetX));
  CHECK(StatusOf(good.ReadResponse()) == 200);

  RawConn slow(server->port());  // half a request, never finished
  REQUIRE(slow.connected());
  REQUIRE(slow.Send("GET /x HTTP/1.1\r\nHo"));
  RawConn bad(server->port());
  REQUIRE(bad.connected());
  REQUIRE(bad.Send("BREW /pot HTCPCP/1.0\r\n\r\n"));
  CHECK(StatusOf(bad.ReadResponse()) == 400);

  REQUIRE(good.Send(kGetX));
  CHECK(BodyOf(good.ReadResponse()) == "hello x");
}

TEST_CASE("Many concurrent clients are all served", "[http][server]") {
  // All from one address, each reconnecting at once: not what the
  // per-address cap is for.
  HttpServer::Options options;
  options.max_connections_per_ip = 64;
  auto server = StartTestServer(TestRouter(), options);
  constexpr int kClients = 16;
  constexpr int kRequests = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  const std::string addr = Addr(*server);
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRequests; ++i) {
        auto r = HttpGet(addr, "/x", absl::Seconds(10));
        if (r.ok() && r->status == 200 && r->body == "hello x") ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok.load() == kClients * kRequests);
}

TEST_CASE("Connections are bounded and idle ones time out", "[http][server]") {
  HttpServer::Options options;
  options.max_connections = 2;
  options.reserved_connections = 0;
  options.idle_timeout = absl::Milliseconds(300);
  auto server = StartTestServer(TestRouter(), options);

  RawConn idle1(server->port());
  RawConn idle2(server->port());
  REQUIRE(idle1.connected());
  REQUIRE(idle2.connected());
  // A slow client trickling its head is not given more time per byte.
  REQUIRE(idle2.Send("GET /x HTTP/1.1\r\n"));

  // The third client waits in the backlog until a slot frees up.
  const absl::Time start = absl::Now();
  auto r = HttpGet(Addr(*server), "/x", absl::Seconds(5));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(absl::Now() - start >= absl::Milliseconds(200));
  CHECK(idle1.ClosedWithin(absl::Seconds(2)));
  CHECK(idle2.ClosedWithin(absl::Seconds(2)));
}

TEST_CASE("Shutdown closes idle connections and stops accepting",
          "[http][server]") {
  auto server = StartTestServer();
  const int port = server->port();
  RawConn idle(port);
  REQUIRE(idle.connected());
  REQUIRE(idle.Send(kGetX));
  CHECK(StatusOf(idle.ReadResponse()) == 200);

  // Shutdown returns (a hang fails the test by ctest's timeout) and the idle
  // connection is closed.
  server->Shutdown();
  CHECK(idle.ClosedWithin(absl::Seconds(2)));
  server->Shutdown();  // idempotent
  RawConn late(port);
  CHECK_FALSE(late.connected());
}

TEST_CASE("Shutdown lets an in-flight request finish", "[http][server]") {
  absl::Notification entered;
  std::atomic<HttpServer*> running{nullptr};
  bool handled_during_shutdown = false;  // loop thread; read after the join
  Router router;
  router.Get("/slow", [&] {
    entered.Notify();
    // Still in the handler when Shutdown is called.
    handled_during_shutdown =
        WaitUntil([&] { return running.load()->shutdown_requested(); });
    return Response{200, "text/plain", {}, "done"};
  });
  auto server = StartTestServer(std::move(router));
  running = server.get();
  absl::StatusOr<HttpResult> result = absl::UnknownError("not run");
  std::thread client(
      [&] { result = HttpGet(Addr(*server), "/slow", absl::Seconds(5)); });
  const bool in_flight =
      entered.WaitForNotificationWithTimeout(absl::Minutes(2));
  server->Shutdown();
  client.join();
  REQUIRE(in_flight);
  CHECK(handled_during_shutdown);
  REQUIRE(result.ok());
  CHECK(result->status == 200);
  CHECK(result->body == "done");
}

TEST_CASE("Shutdown answers a request that was partly received",
          "[http][server]") {
  auto server = StartTestServer();
  const int port = server->port();
  RawConn c(port);
  REQUIRE(c.connected());
  const std::string part = "GET /x HTTP/1.1\r\nHost: t\r\n";
  REQUIRE(c.Send(part));
  REQUIRE(WaitUntil([&] { return server->bytes_received() >= part.size(); }));
  std::thread stopper([&server] { server->Shutdown(); });
  // The listener closes when the server starts shutting down.
  const bool stopping =
      WaitUntil([port] { return !RawConn(port).connected(); });
  const bool sent = c.Send("\r\n");
  const std::string response = c.ReadResponse();
  const bool closed = c.ClosedWithin(absl::Seconds(2));
  stopper.join();
  REQUIRE(stopping);
  REQUIRE(sent);
  CHECK(StatusOf(response) == 200);
  CHECK(response.find("Connection: close\r\n") != std::string::npos);
  CHECK(closed);
}

TEST_CASE("Start rejects bad addresses, routers and options",
          "[http][server]") {
  CHECK(HttpServer::Start("127.0.0.1", TestRouter()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(HttpServer::Start(":0", TestRouter()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  Router twice;
  twice.Get("/a", [] { return Response{}; });
  twice.Get("/a", [] { return Response{}; });
  CHECK(HttpServer::Start("127.0.0.1:0", std::move(twice)).status().code() ==
        absl::StatusCode::kInvalidArgument);
  HttpServer::Options options;
  options.max_connections = 0;
  CHECK(
      HttpServer::Start("127.0.0.1:0", TestRouter(), options).status().code() ==
      absl::StatusCode::kInvalidArgument);
  for (auto bad : std::vector<void (*)(HttpServer::Options&)>{
           [](HttpServer::Options& o) { o.reserved_connections = -1; },
           [](HttpServer::Options& o) { o.max_connections_per_ip = 0; },
           [](HttpServer::Options& o) {
             o.idle_timeout = absl::ZeroDuration();
           },
       }) {
    HttpServer::Options o;
    bad(o);
    CHECK(HttpServer::Start("127.0.0.1:0", TestRouter(), o).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }

  auto first = StartTestServer();
  CHECK(HttpServer::Start(Addr(*first), TestRouter()).status().code() ==
        absl::StatusCode::kUnavailable);
}

Router ReservedRouter() {
  Router router = TestRouter();
  router.GetReserved("/healthz", [] {
    return Response{200, "text/plain", {}, "ok"};
  });
  return router;
}

TEST_CASE("Reserved slots serve reserved paths when the shared ones are full",
          "[http][server][limits]") {
  HttpServer::Options options;
  options.max_connections = 2;
  options.reserved_connections = 1;
  options.idle_timeout = absl::Minutes(10);
  options.io_timeout = absl::Minutes(10);
  auto server = StartTestServer(ReservedRouter(), options);
  // Two clients take both shared slots and keep them.
  RawConn hog1(server->port());
  RawConn hog2(server->port());
  REQUIRE(hog1.connected());
  REQUIRE(hog2.connected());
  REQUIRE(hog1.Send(kGetX));
  REQUIRE(StatusOf(hog1.ReadResponse()) == 200);
  REQUIRE(hog2.Send(kGetX));
  REQUIRE(StatusOf(hog2.ReadResponse()) == 200);

  // A third client gets the reserved slot: the reserved path is answered,
  // once, and the slot is given back.
  for (int i = 0; i < 3; ++i) {
    RawConn probe(server->port());
    REQUIRE(probe.connected());
    REQUIRE(probe.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
    const std::string response = probe.ReadResponse();
    CHECK(StatusOf(response) == 200);
    CHECK(response.find("Connection: close\r\n") != std::string::npos);
    CHECK(probe.ClosedWithin(absl::Seconds(5)));
  }
  // Another path there is refused.
  RawConn other(server->port());
  REQUIRE(other.connected());
  REQUIRE(other.Send(kGetX));
  CHECK(StatusOf(other.ReadResponse()) == 503);
  CHECK(other.ClosedWithin(absl::Seconds(5)));
  // The shared slots still serve anything.
  REQUIRE(hog1.Send(kGetX));
  CHECK(StatusOf(hog1.ReadResponse()) == 200);
}

TEST_CASE("Connections over the per-address cap are closed unanswered",
          "[http][server][limits]") {
  HttpServer::Options options;
  options.max_connections_per_ip = 2;
  options.idle_timeout = absl::Minutes(10);
  auto server = StartTestServer(ReservedRouter(), options);
  RawConn first(server->port());
  RawConn second(server->port());
  REQUIRE(first.connected());
  REQUIRE(second.connected());
  REQUIRE(first.Send(kGetX));
  REQUIRE(StatusOf(first.ReadResponse()) == 200);
  REQUIRE(second.Send(kGetX));
  REQUIRE(StatusOf(second.ReadResponse()) == 200);

  RawConn third(server->port());
  REQUIRE(third.connected());  // the kernel accepts; the server drops it
  third.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
  CHECK(third.ReadResponse().empty());
  CHECK(third.ClosedWithin(absl::Seconds(5)));

  // Another address is not affected; the first two still work.
  RawConn elsewhere(server->port(), "127.0.0.2");
  REQUIRE(elsewhere.connected());
  REQUIRE(elsewhere.Send(kGetX));
  CHECK(StatusOf(elsewhere.ReadResponse()) == 200);
  REQUIRE(first.Send(kGetX));
  CHECK(StatusOf(first.ReadResponse()) == 200);

  // A freed slot is available again to that address.
  REQUIRE(
      second.Send("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  CHECK(StatusOf(second.ReadResponse()) == 200);
  CHECK(second.ClosedWithin(absl::Seconds(5)));
  bool served = false;
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (!served && absl::Now() < until) {
    RawConn again(server->port());
    served = again.connected() && again.Send(kGetX) &&
             StatusOf(again.ReadResponse()) == 200;
  }
  CHECK(served);
}

TEST_CASE("An idle keep-alive connection is closed after idle_timeout",
          "[http][server][limits]") {
  HttpServer::Options options;
  options.idle_timeout = absl::Milliseconds(200);
  options.io_timeout = absl::Minutes(10);  // so only the idle limit applies
  auto server = StartTestServer(TestRouter(), options);
  RawConn c(server->port());
  REQUIRE(c.connected());
  REQUIRE(c.Send(kGetX));
  const std::string response = c.ReadResponse();
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.find("Connection: close") == std::string::npos);
  CHECK(c.ClosedWithin(absl::Seconds(30)));
  // A connection that never sends a byte is closed as well.
  RawConn silent(server->port());
  REQUIRE(silent.connected());
  CHECK(silent.ClosedWithin(absl::Seconds(30)));
}

}  // namespace
}  // namespace accord::http
