#include "broker/service/key_ring.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "broker/crypto/json.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

constexpr absl::string_view kPrefix = "grant-";
constexpr absl::string_view kSuffix = ".pem";
constexpr absl::string_view kPrimaryFile = "primary";

absl::Status WritePrimary(const std::string& dir, const std::string& kid) {
  const std::string path = absl::StrCat(dir, "/", kPrimaryFile);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << kid << "\n";
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<KeyRing>> KeyRing::Open(const std::string& dir,
                                                       bool create_if_missing) {
  std::unique_ptr<KeyRing> ring(new KeyRing(dir));
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, kPrefix) && absl::EndsWith(name, kSuffix)) {
      files.push_back(entry.path().string());
    }
  }
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("keys directory ", dir, ": ", ec.message()));
  }
  if (files.empty()) {
    if (!create_if_missing) {
      return absl::NotFoundError(
          absl::StrCat("no grant-signing key (grant-*.pem) in ", dir));
    }
    auto key = crypto::SigningKey::Generate(crypto::Algorithm::kES256);
    if (!key.ok()) return key.status();
    const std::string path = absl::StrCat(dir, "/", kPrefix, key->kid(), kSuffix);
    if (absl::Status s = key->WritePemFile(path); !s.ok()) return s;
    if (absl::Status s = WritePrimary(dir, key->kid()); !s.ok()) return s;
    files.push_back(path);
  }
  std::string primary_kid;
  {
    std::ifstream in(absl::StrCat(dir, "/", kPrimaryFile));
    std::getline(in, primary_kid);
  }
  absl::MutexLock l(&ring->mu_);
  bool have_primary = false;
  for (const std::string& path : files) {
    auto key = crypto::SigningKey::ReadPemFile(path);
    if (!key.ok()) return key.status();
    struct stat st;
    const int64_t created = stat(path.c_str(), &st) == 0 ? st.st_mtime : 0;
    const bool primary = key->kid() == primary_kid;
    have_primary = have_primary || primary;
    ring->keys_.push_back(
        {std::make_shared<const crypto::SigningKey>(*std::move(key)),
         primary ? accord::v1::KEY_STATE_PRIMARY : accord::v1::KEY_STATE_RETIRED,
         created});
  }
  if (!have_primary) {
    return absl::FailedPreconditionError(absl::StrCat(
        "keys directory ", dir, ": file 'primary' names no key of the ring"));
  }
  return ring;
}

std::shared_ptr<const crypto::SigningKey> KeyRing::Primary() const {
  absl::MutexLock l(&mu_);
  for (const Entry& e : keys_) {
    if (e.state == accord::v1::KEY_STATE_PRIMARY) return e.key;
  }
  return nullptr;  // Open guarantees a primary.
}

std::string KeyRing::JwksJson() const {
  crypto::JsonValue keys = crypto::JsonValue::Array();
  {
    absl::MutexLock l(&mu_);
    for (const Entry& e : keys_) keys.Push(e.key->PublicJwk());
  }
  crypto::JsonValue jwks = crypto::JsonValue::Object();
  jwks.Set("keys", std::move(keys));
  return jwks.Serialize();
}

std::vector<accord::v1::KeyInfo> KeyRing::List() const {
  std::vector<accord::v1::KeyInfo> out;
  absl::MutexLock l(&mu_);
  for (const Entry& e : keys_) {
    accord::v1::KeyInfo info;
    info.set_kid(e.key->kid());
    info.set_alg(std::string(crypto::AlgorithmName(e.key->algorithm())));
    info.set_state(e.state);
    info.set_created_at(e.created_at);
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace accord::service
