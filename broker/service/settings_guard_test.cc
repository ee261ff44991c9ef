#include "broker/service/settings_guard.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "broker/crypto/sha256.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

struct Dir {
  Dir() {
    char tmpl[] = "/tmp/accord-settings-guard-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

std::unique_ptr<store::Store> OpenStore(const std::string& path) {
  store::StoreOptions options;
  options.min_free_bytes = 0;
  auto opened = store::Store::Open(path, options);
  REQUIRE(opened.ok());
  return *std::move(opened);
}

GuardedSettings Original() {
  GuardedSettings s;
  s.grant_issuer = "accord";
  s.log_origin = "accord.local/log";
  s.pseudonym_secret = std::string(32, '\x5a');
  s.pseudonym_secret_file = "/etc/accord/keys/pseudonym.secret";
  return s;
}

TEST_CASE(
    "the settings of a store are recorded at its first start and "
    "checked at every later one") {
  Dir dir;
  const std::string db = dir.path + "/db";
  {
    auto store = OpenStore(db);
    auto first = CheckOrRecordSettings(*store, Original());
    REQUIRE(first.ok());
    CHECK(first->recorded.size() == 3);
    auto again = CheckOrRecordSettings(*store, Original());
    REQUIRE(again.ok());
    CHECK(again->recorded.empty());
  }
  // Reopened: the recorded settings survive, and only the pseudonym
  // secret's fingerprint is stored.
  auto store = OpenStore(db);
  CHECK(*store->GetSetting(kGrantIssuerSetting) == "accord");
  CHECK(*store->GetSetting(kLogOriginSetting) == "accord.local/log");
  auto fingerprint = store->GetSetting(kPseudonymSecretSetting);
  REQUIRE(fingerprint.ok());
  CHECK(*fingerprint ==
        PseudonymSecretFingerprint(Original().pseudonym_secret));
  CHECK(fingerprint->size() == 64);
  CHECK_FALSE(absl::StrContains(*fingerprint, Original().pseudonym_secret));
  CHECK(CheckOrRecordSettings(*store, Original()).ok());

  SECTION("a changed log origin is refused, naming it and its value") {
    GuardedSettings changed = Original();
    changed.log_origin = "elsewhere.example/log";
    auto r = CheckOrRecordSettings(*store, changed);
    REQUIRE(absl::IsFailedPrecondition(r.status()));
    const std::string m(r.status().message());
    INFO(m);
    CHECK(absl::StrContains(m, "log_origin"));
    CHECK(absl::StrContains(m, "'accord.local/log'"));
    CHECK(absl::StrContains(m, "--log-origin accord.local/log"));
    // Nothing was overwritten.
    CHECK(*store->GetSetting(kLogOriginSetting) == "accord.local/log");
  }
  SECTION("a changed grant issuer is refused, naming it and its value") {
    GuardedSettings changed = Original();
    changed.grant_issuer = "other";
    auto r = CheckOrRecordSettings(*store, changed);
    REQUIRE(absl::IsFailedPrecondition(r.status()));
    const std::string m(r.status().message());
    INFO(m);
    CHECK(absl::StrContains(m, "grant_issuer"));
    CHECK(absl::StrContains(m, "'accord'"));
    CHECK(absl::StrContains(m, "--grant-issuer accord"));
  }
  SECTION("a different pseudonym secret is refused without revealing either") {
    GuardedSettings changed = Original();
    changed.pseudonym_secret = std::string(32, '\x33');
    auto r = CheckOrRecordSettings(*store, changed);
    REQUIRE(absl::IsFailedPrecondition(r.status()));
    const std::string m(r.status().message());
    INFO(m);
    CHECK(absl::StrContains(m,
                            "a different pseudonym secret than the one "
                            "this store was created with"));
    CHECK(absl::StrContains(m, changed.pseudonym_secret_file));
    CHECK_FALSE(absl::StrContains(m, *fingerprint));
    CHECK_FALSE(absl::StrContains(m, changed.pseudonym_secret));
  }
}

TEST_CASE(
    "a store with only some settings recorded gets the others "
    "recorded") {
  Dir dir;
  auto store = OpenStore(dir.path + "/db");
  REQUIRE(store
              ->RecordSettings({{std::string(kLogOriginSetting),
                                 std::string("accord.local/log")}})
              .ok());
  auto r = CheckOrRecordSettings(*store, Original());
  REQUIRE(r.ok());
  CHECK(r->recorded ==
        std::vector<std::string>{std::string(kGrantIssuerSetting),
                                 std::string(kPseudonymSecretSetting)});
  CHECK(absl::IsNotFound(store->GetSetting("no_such_setting").status()));
}

TEST_CASE("the pseudonym secret fingerprint is domain-separated") {
  const std::string secret(32, '\x01');
  CHECK(PseudonymSecretFingerprint(secret) ==
        PseudonymSecretFingerprint(secret));
  CHECK(PseudonymSecretFingerprint(secret) !=
        PseudonymSecretFingerprint(std::string(32, '\x02')));
  // Not the plain SHA-256 of the secret.
  CHECK(PseudonymSecretFingerprint(secret) !=
        crypto::ToHex(crypto::Sha256(secret)));
}

}  // namespace
}  // namespace accord::service
