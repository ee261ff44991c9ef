// libFuzzer target over the HTTP request-head parser (broker/http/request.h),
// which reads whatever any client sends to the broker's HTTP listener. Beyond
// not crashing, it checks the contract the server relies on: a complete head
// lies within the buffer and the size limit, its path is an origin-form path
// without query, it parses the same from exactly its own bytes, and an error
// carries one of the documented statuses. Built only with -DACCORD_FUZZ=ON
// (clang); seeds in fuzz/corpus/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "broker/http/request.h"

namespace {

using accord::http::ParsedHead;
using accord::http::ParseRequestHead;

void Check(absl::string_view buffer, size_t max_head_bytes) {
  const ParsedHead head = ParseRequestHead(buffer, max_head_bytes);
  switch (head.state) {
    case ParsedHead::State::kIncomplete:
      // More input may complete it only while the head can still fit.
      if (buffer.size() >= max_head_bytes) std::abort();
      return;
    case ParsedHead::State::kError:
      if (head.error_status != 400 && head.error_status != 413 &&
          head.error_status != 414 && head.error_status != 431 &&
          head.error_status != 505) {
        std::abort();
      }
      return;
    case ParsedHead::State::kComplete: {
      if (head.consumed < 4 || head.consumed > buffer.size() ||
          head.consumed > max_head_bytes) {
        std::abort();
      }
      if (buffer.substr(head.consumed - 4, 4) != "\r\n\r\n") std::abort();
      const std::string& path = head.request.path;
      if (path.empty() || path[0] != '/' ||
          path.find('?') != std::string::npos) {
        std::abort();
      }
      if (head.request.method.empty()) std::abort();
      const ParsedHead again =
          ParseRequestHead(buffer.substr(0, head.consumed), max_head_bytes);
      if (again.state != ParsedHead::State::kComplete ||
          again.consumed != head.consumed || again.request.path != path ||
          again.request.method != head.request.method ||
          again.request.keep_alive != head.request.keep_alive) {
        std::abort();
      }
      return;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view buffer(reinterpret_cast<const char*>(data), size);
  Check(buffer, 8192);  // the server's default
  // A small limit, so the 414 and 431 paths are reached by short inputs.
  if (size > 0) Check(buffer.substr(1), 64 + data[0]);
  return 0;
}
