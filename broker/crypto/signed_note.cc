#include "broker/crypto/signed_note.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "broker/crypto/sha256.h"
#include "broker/crypto/verifying_key.h"
#include "broker/formats/base64url.h"
#include "broker/formats/json.h"
#include "broker/formats/utf8.h"

namespace accord::crypto {
namespace {

constexpr char kEd25519Type = 0x01;
constexpr absl::string_view kSigPrefix = "\xE2\x80\x94 ";  // U+2014, space
constexpr size_t kMaxNoteBytes = 1024 * 1024;
constexpr size_t kMaxSignatures = 100;

bool IsUnicodeSpace(uint32_t cp) {
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool IsValidName(absl::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    uint32_t cp;
    size_t len = formats::internal::DecodeUtf8(name, i, &cp);
    if (len == 0 || cp <= 0x20 || cp == 0x7F || cp == '+' ||
        IsUnicodeSpace(cp)) {
      return false;
    }
    i += len;
  }
  return true;
}

// UTF-8 with no control characters other than '\n'.
bool IsValidText(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    uint32_t cp;
    size_t len = formats::internal::DecodeUtf8(text, i, &cp);
    if (len == 0 || (cp < 0x20 && cp != '\n') || cp == 0x7F) return false;
    i += len;
  }
  return true;
}

uint32_t KeyHash(absl::string_view name, absl::string_view public_key) {
  Digest d = Sha256(name, absl::StrCat("\n", std::string(1, kEd25519Type)),
                    public_key);
  return (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) |
         (uint32_t{d[2]} << 8) | uint32_t{d[3]};
}

std::string HashBytes(uint32_t hash) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<char>((hash >> (24 - 8 * i)) & 0xFF);
  }
  return out;
}

struct ParsedVerifier {
  std::string name;
  uint32_t hash;
  VerifyingKey key;
};

absl::StatusOr<ParsedVerifier> ParseVerifierKey(absl::string_view vkey) {
  auto bad = [](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("verifier key: ", what));
  };
  size_t plus1 = vkey.find('+');
  if (plus1 == absl::string_view::npos) return bad("no '+' separators");
  size_t plus2 = vkey.find('+', plus1 + 1);
  if (plus2 == absl::string_view::npos) return bad("no key hash");
  absl::string_view name = vkey.substr(0, plus1);
  absl::string_view hash_hex = vkey.substr(plus1 + 1, plus2 - plus1 - 1);
  if (!IsValidName(name)) return bad("invalid name");
  if (hash_hex.size() != 8) return bad("key hash is not 8 hex digits");
  uint32_t hash = 0;
  for (char c : hash_hex) {
    int v = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                     : -1;
    if (v < 0) return bad("key hash is not 8 lowercase hex digits");
    hash = (hash << 4) | static_cast<uint32_t>(v);
  }
  absl::StatusOr<std::string> data =
      formats::Base64Decode(vkey.substr(plus2 + 1));
  if (!data.ok()) return bad("key is not base64");
  if (data->size() != 33 || (*data)[0] != kEd25519Type) {
    return bad("not an Ed25519 (type 0x01) key");
  }
  absl::string_view pub = absl::string_view(*data).substr(1);
  if (KeyHash(name, pub) != hash) return bad("key hash does not match");
  formats::JsonValue jwk = formats::JsonValue::Object();
  jwk.Set("kty", "OKP")
      .Set("crv", "Ed25519")
      .Set("x", formats::Base64UrlEncode(pub));
  absl::StatusOr<VerifyingKey> key = VerifyingKey::FromJwk(jwk);
  if (!key.ok()) return bad("not a valid Ed25519 public key");
  return ParsedVerifier{std::string(name), hash, std::move(*key)};
}

}  // namespace

absl::StatusOr<NoteSigner> NoteSigner::Create(std::string name,
                                              SigningKey ed25519_key) {
  if (!IsValidName(name)) {
    return absl::InvalidArgumentError(
        "note signer: name must be non-empty UTF-8 without '+' or spaces");
  }
  if (ed25519_key.algorithm() != Algorithm::kEdDSA) {
    return absl::InvalidArgumentError("note signer: key is not Ed25519");
  }
  uint32_t hash = KeyHash(name, ed25519_key.RawPublicKey());
  return NoteSigner(std::move(name), std::move(ed25519_key), hash);
}

absl::StatusOr<std::string> NoteSigner::Sign(absl::string_view text) const {
  if (text.empty() || text.back() != '\n' || !IsValidText(text)) {
    return absl::InvalidArgumentError(
        "note: text must be non-empty UTF-8 without control characters, "
        "ending in a newline");
  }
  absl::StatusOr<std::string> sig = key_.Sign(text);
  if (!sig.ok()) return sig.status();
  return absl::StrCat(text, "\n", kSigPrefix, name_, " ",
                      formats::Base64Encode(HashBytes(key_hash_) + *sig), "\n");
}

std::string NoteSigner::VerifierKey() const {
  return absl::StrFormat("%s+%08x+%s", name_, key_hash_,
                         formats::Base64Encode(std::string(1, kEd25519Type) +
                                               key_.RawPublicKey()));
}

absl::StatusOr<std::string> VerifyNote(absl::string_view note,
                                       absl::string_view verifier_key) {
  absl::StatusOr<ParsedVerifier> verifier = ParseVerifierKey(verifier_key);
  if (!verifier.ok()) return verifier.status();
  auto malformed = [](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("note: ", what));
  };
  if (note.size() > kMaxNoteBytes) return malformed("larger than 1 MiB");
  if (!IsValidText(note)) {
    return malformed("invalid UTF-8 or control characters");
  }
  size_t split = note.rfind("\n\n");
  if (split == absl::string_view::npos) {
    return malformed("no blank line before the signatures");
  }
  absl::string_view text = note.substr(0, split + 1);
  absl::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') {
    return malformed("signature block does not end in a newline");
  }
  sigs.remove_suffix(1);
  std::vector<absl::string_view> lines = absl::StrSplit(sigs, '\n');
  if (lines.size() > kMaxSignatures) return malformed("too many signatures");
  bool verified = false;
  for (absl::string_view line : lines) {
    if (!absl::ConsumePrefix(&line, kSigPrefix)) {
      return malformed("signature line does not start with an em dash");
    }
    size_t space = line.find(' ');
    if (space == absl::string_view::npos) {
      return malformed("signature line has no signature");
    }
    absl::string_view name = line.substr(0, space);
    if (!IsValidName(name)) return malformed("invalid signer name");
    absl::StatusOr<std::string> blob =
        formats::Base64Decode(line.substr(space + 1));
    if (!blob.ok() || blob->size() < 5) {
      return malformed("signature is not base64 of hash and signature");
    }
    if (name != verifier->name ||
        blob->substr(0, 4) != HashBytes(verifier->hash)) {
      continue;  // another signer's line
    }
    if (!verifier->key.Verify(text, absl::string_view(*blob).substr(4)).ok()) {
      return absl::UnauthenticatedError(absl::StrCat(
          "note: signature by ", verifier->name, " does not verify"));
    }
    verified = true;
  }
  if (!verified) {
    return absl::UnauthenticatedError(
        absl::StrCat("note: no signature by ", verifier->name));
  }
  return std::string(text);
}

}  // namespace accord::crypto
