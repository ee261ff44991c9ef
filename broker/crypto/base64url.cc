#include "broker/crypto/base64url.h"

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace accord::crypto {
namespace {

constexpr char kUrlAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kStdAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

using ReverseTable = std::array<int8_t, 256>;

constexpr ReverseTable MakeReverse(const char* alphabet) {
  ReverseTable t{};
  for (int i = 0; i < 256; ++i) t[i] = -1;
  for (int i = 0; i < 64; ++i) {
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  }
  return t;
}

constexpr ReverseTable kUrlReverse = MakeReverse(kUrlAlphabet);
constexpr ReverseTable kStdReverse = MakeReverse(kStdAlphabet);

std::string Encode(absl::string_view data, const char* alphabet, bool pad) {
  const size_t full = data.size() / 3;
  const size_t rest = data.size() - full * 3;
  const size_t tail = rest == 0 ? 0 : (pad ? 4 : rest + 1);
  std::string out(full * 4 + tail, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  char* o = out.data();
  for (size_t i = 0; i < full; ++i, in += 3, o += 4) {
    const uint32_t v = (uint32_t{in[0]} << 16) | (uint32_t{in[1]} << 8) | in[2];
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    o[2] = alphabet[(v >> 6) & 63];
    o[3] = alphabet[v & 63];
  }
  if (rest != 0) {
    const uint32_t v = (uint32_t{in[0]} << 16) | (rest == 2 ? uint32_t{in[1]} << 8 : 0);
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    if (rest == 2) o[2] = alphabet[(v >> 6) & 63];
    if (pad) {
      if (rest == 1) o[2] = '=';
      o[3] = '=';
    }
  }
  return out;
}

// Decodes unpadded text with the given table, four characters to three
// bytes at a time into a buffer sized up front.
absl::StatusOr<std::string> Decode(absl::string_view text,
                                   const ReverseTable& table,
                                   absl::string_view name) {
  if (text.size() % 4 == 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": impossible length ", text.size()));
  }
  const size_t full = text.size() / 4;
  const size_t rest = text.size() % 4;  // 0, 2 or 3
  std::string out(full * 3 + (rest == 0 ? 0 : rest - 1), '\0');
  auto bad_at = [&](size_t i) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": invalid character at offset ", i));
  };
  auto value = [&](size_t i) {
    return table[static_cast<unsigned char>(text[i])];
  };
  char* o = out.data();
  for (size_t q = 0; q < full; ++q) {
    const size_t i = q * 4;
    const int a = value(i), b = value(i + 1), c = value(i + 2),
              d = value(i + 3);
    if ((a | b | c | d) < 0) {
      for (size_t k = i;; ++k) {
        if (value(k) < 0) return bad_at(k);
      }
    }
    const uint32_t v = (static_cast<uint32_t>(a) << 18) |
                       (static_cast<uint32_t>(b) << 12) |
                       (static_cast<uint32_t>(c) << 6) | static_cast<uint32_t>(d);
    *o++ = static_cast<char>(v >> 16);
    *o++ = static_cast<char>((v >> 8) & 0xFF);
    *o++ = static_cast<char>(v & 0xFF);
  }
  if (rest == 0) return out;
  const size_t i = full * 4;
  uint32_t v = 0;
  for (size_t k = 0; k < rest; ++k) {
    const int x = value(i + k);
    if (x < 0) return bad_at(i + k);
    v = (v << 6) | static_cast<uint32_t>(x);
  }
  // 2 characters carry 12 bits for 1 byte, 3 carry 18 bits for 2 bytes; the
  // unused low bits must be zero.
  const int unused = rest == 2 ? 4 : 2;
  if ((v & ((1u << unused) - 1)) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": non-zero trailing bits"));
  }
  v >>= unused;
  if (rest == 2) {
    *o = static_cast<char>(v);
  } else {
    *o++ = static_cast<char>(v >> 8);
    *o = static_cast<char>(v & 0xFF);
  }
  return out;
}

}  // namespace

std::string Base64UrlEncode(absl::string_view data) {
  return Encode(data, kUrlAlphabet, /*pad=*/false);
}

absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text) {
  return Decode(text, kUrlReverse, "base64url");
}

std::string Base64Encode(absl::string_view data) {
  return Encode(data, kStdAlphabet, /*pad=*/true);
}

absl::StatusOr<std::string> Base64Decode(absl::string_view text) {
  if (text.size() % 4 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "base64: length ", text.size(), " is not a multiple of 4"));
  }
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') {
    ++pad;
    if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  }
  absl::string_view body = text.substr(0, text.size() - pad);
  // A remaining '=' is rejected by the alphabet check; padding must make the
  // unpadded length one that Decode accepts.
  if (pad > 0 && body.size() % 4 != 4 - pad) {
    return absl::InvalidArgumentError("base64: invalid padding");
  }
  return Decode(body, kStdReverse, "base64");
}

}  // namespace accord::crypto
