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
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) {
    return static_cast<uint32_t>(static_cast<unsigned char>(data[k]));
  };
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = byte(i) << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out.append("==");
  } else if (rest == 2) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.push_back('=');
  }
  return out;
}

// Decodes unpadded text with the given table.
absl::StatusOr<std::string> Decode(absl::string_view text,
                                   const ReverseTable& table,
                                   absl::string_view name) {
  if (text.size() % 4 == 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": impossible length ", text.size()));
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    int v = table[static_cast<unsigned char>(text[i])];
    if (v < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": invalid character at offset ", i));
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": non-zero trailing bits"));
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
