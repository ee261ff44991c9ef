#include "broker/http/listener.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/http/host_port.h"

namespace accord::http {
namespace {

constexpr int kBacklog = 128;

int BoundPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

// A socket bound and listening on `ai` (SO_REUSEADDR, never SO_REUSEPORT:
// a port in use is an error), or -1 with `*error` set to errno.
int BindAndListen(const addrinfo* ai, int* error) {
  const int fd =
      socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = errno;
    return -1;
  }
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, kBacklog) != 0) {
    *error = errno;
    close(fd);
    return -1;
  }
  return fd;
}

// getaddrinfo for a listener on `address`; the caller frees the list.
absl::StatusOr<addrinfo*> Resolve(absl::string_view address) {
  absl::StatusOr<HostPort> hp = SplitHostPort(address);
  if (!hp.ok()) return hp.status();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = absl::StrCat(hp->port);
  const int gai = getaddrinfo(hp->host.c_str(), port.c_str(), &hints, &found);
  if (gai != 0) {
    return absl::UnavailableError(
        absl::StrCat("address \"", address, "\": ", gai_strerror(gai)));
  }
  return found;
}

absl::Status BindError(absl::string_view address, int error) {
  return absl::UnavailableError(
      absl::StrCat("address \"", address, "\": ", std::strerror(error)));
}

}  // namespace

absl::StatusOr<Listener> OpenListener(absl::string_view address) {
  absl::StatusOr<addrinfo*> found = Resolve(address);
  if (!found.ok()) return found.status();
  int error = 0;
  int fd = -1;
  for (addrinfo* ai = *found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = BindAndListen(ai, &error);
  }
  freeaddrinfo(*found);
  if (fd < 0) return BindError(address, error);
  return Listener{fd, BoundPort(fd)};
}

absl::Status CheckListenable(absl::string_view address) {
  absl::StatusOr<addrinfo*> found = Resolve(address);
  if (!found.ok()) return found.status();
  absl::Status status;
  std::vector<int> open;
  for (addrinfo* ai = *found; ai != nullptr && status.ok(); ai = ai->ai_next) {
    int error = 0;
    const int fd = BindAndListen(ai, &error);
    if (fd < 0) {
      status = BindError(address, error);
    } else {
      open.push_back(fd);
    }
  }
  freeaddrinfo(*found);
  for (int fd : open) close(fd);
  return status;
}

}  // namespace accord::http
