#include "broker/service/key_ring.h"

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/formats/json.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

constexpr char kRingFile[] = "ring.json";
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

absl::string_view StateName(accord::v1::KeyState s) {
  switch (s) {
    case accord::v1::KEY_STATE_PENDING:
      return "pending";
    case accord::v1::KEY_STATE_PRIMARY:
      return "primary";
    case accord::v1::KEY_STATE_RETIRED:
      return "retired";
    default:
      return "unknown";
  }
}

accord::v1::KeyState StateFromName(absl::string_view name) {
  if (name == "pending") return accord::v1::KEY_STATE_PENDING;
  if (name == "primary") return accord::v1::KEY_STATE_PRIMARY;
  if (name == "retired") return accord::v1::KEY_STATE_RETIRED;
  return accord::v1::KEY_STATE_UNSPECIFIED;
}

// The name of one `<prefix>*.pem` file in `dir`, or "" when there is none
// (or no such directory).
std::string FirstKeyFile(const std::string& dir, const KeyRingKind& kind) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (absl::StartsWith(name, kind.file_prefix) &&
        absl::EndsWith(name, ".pem")) {
      return name;
    }
  }
  return "";
}

}  // namespace

std::string KeyRing::KeyPath(absl::string_view kid) const {
  return absl::StrCat(dir_, "/", kind_.file_prefix, kid, ".pem");
}

absl::StatusOr<std::unique_ptr<KeyRing>> KeyRing::Open(const std::string& dir,
                                                       const KeyRingKind& kind,
                                                       bool create_if_missing,
                                                       KeySchedule schedule,
                                                       const Clock* clock) {
  std::unique_ptr<KeyRing> ring(new KeyRing(dir, kind, schedule, clock));
  absl::MutexLock l(&ring->mu_);
  std::error_code exists_error;
  if (fs::exists(fs::symlink_status(absl::StrCat(dir, "/", kRingFile),
                                    exists_error))) {
    if (absl::Status s = ring->Load(); !s.ok()) return s;
  } else if (const std::string stray = FirstKeyFile(dir, kind);
             !stray.empty()) {
    // Key files without their ring.json: a ring cut short while it was
    // made, or half restored. A new ring beside them would hide them.
    return absl::FailedPreconditionError(absl::StrCat(
        "partial ", kind.name, " key ring in ", dir, ": ", stray, " but no ",
        kRingFile, "; restore ", kRingFile, " or move the key files away"));
  } else if (create_if_missing) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    fs::permissions(dir, fs::perms::owner_all, ec);
    if (ec) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot create the ", kind.name, " key ring directory ", dir));
    }
    if (absl::Status s = ring->AddNewKey(crypto::Algorithm::kES256,
                                         accord::v1::KEY_STATE_PRIMARY,
                                         clock->NowSeconds(), 0);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = ring->Save(); !s.ok()) return s;
  } else {
    return absl::NotFoundError(
        absl::StrCat("no ", kind.name, " key ring (", kRingFile, ") in ", dir));
  }
  ring->Advance(clock->NowSeconds());
  bool has_primary = false;
  for (const Entry& e : ring->keys_) {
    has_primary = has_primary || e.state == accord::v1::KEY_STATE_PRIMARY;
  }
  if (!has_primary) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, "/", kRingFile, " names no primary key"));
  }
  return ring;
}

absl::Status KeyRing::Load() {
  const std::string path = absl::StrCat(dir_, "/", kRingFile);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto json = formats::ParseJson(text.str());
  const formats::JsonValue* list = json.ok() ? json->Find("keys") : nullptr;
  if (list == nullptr || list->AsArray() == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": not a key ring (a JSON object with \"keys\")"));
  }
  for (const formats::JsonValue& item : *list->AsArray()) {
    auto kid = item.GetString("kid");
    auto state = item.GetString("state");
    if (!kid.ok() || !state.ok() ||
        StateFromName(*state) == accord::v1::KEY_STATE_UNSPECIFIED) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": each key needs a kid and a known state"));
    }
    auto key = crypto::SigningKey::ReadPemFile(KeyPath(*kid));
    if (absl::IsNotFound(key.status())) {
      // The ring exists; a key file it names does not: not a missing ring.
      return absl::FailedPreconditionError(
          absl::StrCat(path, " names key ", *kid, " whose file ", KeyPath(*kid),
                       " is missing"));
    }
    if (!key.ok()) return key.status();
    if (key->kid() != *kid) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": the key file of ", *kid, " holds another key"));
    }
    Entry e;
    e.key = std::make_shared<const crypto::SigningKey>(*std::move(key));
    e.state = StateFromName(*state);
    e.created_at = item.GetInt64("created_at").value_or(0);
    e.promote_at = item.GetInt64("promote_at").value_or(0);
    e.retired_at = item.GetInt64("retired_at").value_or(0);
    keys_.push_back(std::move(e));
  }
  next_change_.store(NextChange());
  return absl::OkStatus();
}

absl::Status KeyRing::Save() const {
  formats::JsonValue list = formats::JsonValue::Array();
  for (const Entry& e : keys_) {
    formats::JsonValue item = formats::JsonValue::Object();
    item.Set("kid", e.key->kid())
        .Set("alg", crypto::AlgorithmName(e.key->algorithm()))
        .Set("state", StateName(e.state))
        .Set("created_at", static_cast<long long>(e.created_at))
        .Set("promote_at", static_cast<long long>(e.promote_at))
        .Set("retired_at", static_cast<long long>(e.retired_at));
    list.Push(std::move(item));
  }
  formats::JsonValue ring = formats::JsonValue::Object();
  ring.Set("keys", std::move(list));
  const std::string path = absl::StrCat(dir_, "/", kRingFile);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << ring.Serialize() << "\n";
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  // Like the key files, the ring's record is the broker's alone.
  std::error_code ec;
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (!ec) fs::rename(tmp, path, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::Status KeyRing::AddNewKey(crypto::Algorithm alg,
                                accord::v1::KeyState state, int64_t now,
                                int64_t promote_at) {
  auto key = crypto::SigningKey::Generate(alg);
  if (!key.ok()) return key.status();
  if (absl::Status s = key->WritePemFile(KeyPath(key->kid())); !s.ok()) {
    return s;
  }
  Entry e;
  e.key = std::make_shared<const crypto::SigningKey>(*std::move(key));
  e.state = state;
  e.created_at = now;
  e.promote_at = promote_at;
  keys_.push_back(std::move(e));
  next_change_.store(NextChange());
  return absl::OkStatus();
}

int64_t KeyRing::NextChange() const {
  int64_t next = kNever;
  for (const Entry& e : keys_) {
    if (e.state == accord::v1::KEY_STATE_PENDING) {
      next = std::min(next, e.promote_at);
    } else if (e.state == accord::v1::KEY_STATE_RETIRED &&
               !kind_.keep_retired) {
      next = std::min(next, e.retired_at + schedule_.retention_seconds);
    }
  }
  return next;
}

void KeyRing::Advance(int64_t now) {
  bool changed = false;
  for (Entry& pending : keys_) {
    if (pending.state != accord::v1::KEY_STATE_PENDING ||
        pending.promote_at > now) {
      continue;
    }
    for (Entry& e : keys_) {
      if (e.state == accord::v1::KEY_STATE_PRIMARY) {
        e.state = accord::v1::KEY_STATE_RETIRED;
        e.retired_at = now;
      }
    }
    pending.state = accord::v1::KEY_STATE_PRIMARY;
    changed = true;
  }
  // Retired keys past retention leave the ring (and the JWKS).
  for (auto it = keys_.begin(); it != keys_.end();) {
    if (!kind_.keep_retired && it->state == accord::v1::KEY_STATE_RETIRED &&
        it->retired_at + schedule_.retention_seconds <= now) {
      std::error_code ec;
      fs::remove(KeyPath(it->key->kid()), ec);
      it = keys_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  if (changed) {
    // A failed save only means the change is redone at the next start.
    (void)Save();
  }
  next_change_.store(NextChange());
}

std::shared_ptr<const crypto::SigningKey> KeyRing::Primary() {
  const int64_t now = clock_->NowSeconds();
  absl::MutexLock l(&mu_);
  if (now >= next_change_.load(std::memory_order_relaxed)) Advance(now);
  for (const Entry& e : keys_) {
    if (e.state == accord::v1::KEY_STATE_PRIMARY) return e.key;
  }
  return nullptr;  // Open guarantees a primary and Advance keeps one.
}

absl::StatusOr<accord::v1::KeyInfo> KeyRing::Rotate(crypto::Algorithm alg) {
  const int64_t now = clock_->NowSeconds();
  absl::MutexLock l(&mu_);
  Advance(now);
  for (const Entry& e : keys_) {
    if (e.state == accord::v1::KEY_STATE_PENDING) {
      return absl::FailedPreconditionError(absl::StrCat(
          "key ", e.key->kid(), " is already pending until ", e.promote_at));
    }
  }
  if (absl::Status s = AddNewKey(alg, accord::v1::KEY_STATE_PENDING, now,
                                 now + schedule_.prepublish_seconds);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Save(); !s.ok()) return s;
  const Entry& added = keys_.back();
  accord::v1::KeyInfo info;
  info.set_kid(added.key->kid());
  info.set_alg(std::string(crypto::AlgorithmName(alg)));
  info.set_state(added.state);
  info.set_created_at(added.created_at);
  return info;
}

std::string KeyRing::JwksJson() {
  const int64_t now = clock_->NowSeconds();
  formats::JsonValue keys = formats::JsonValue::Array();
  {
    absl::MutexLock l(&mu_);
    if (now >= next_change_.load(std::memory_order_relaxed)) Advance(now);
    for (const Entry& e : keys_) keys.Push(e.key->PublicJwk());
  }
  formats::JsonValue jwks = formats::JsonValue::Object();
  jwks.Set("keys", std::move(keys));
  return jwks.Serialize();
}

std::vector<accord::v1::KeyInfo> KeyRing::List() {
  const int64_t now = clock_->NowSeconds();
  std::vector<accord::v1::KeyInfo> out;
  absl::MutexLock l(&mu_);
  Advance(now);
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
