#include "broker/crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "broker/formats/base64url.h"

namespace accord::crypto {

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  size_t done = 0;
  while (done < n) {
    size_t chunk = std::min<size_t>(n - done, INT_MAX);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + done),
                   static_cast<int>(chunk)) != 1) {
      std::fputs("accord: RAND_bytes failed; aborting\n", stderr);
      std::abort();
    }
    done += chunk;
  }
  return out;
}

std::string RandomId() {
  // An id that starts with '-' reads as a flag on a command line; draw again
  // (and keep '_' out of the first place too, for symmetry).
  while (true) {
    std::string id = formats::Base64UrlEncode(RandomBytes(16));
    if (id[0] != '-' && id[0] != '_') return id;
  }
}

}  // namespace accord::crypto
