#include "broker/service/key_material.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "broker/testing/temp_dir.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

using Dir = ::accord::testing::TempDir;

int ModeOf(const std::string& path) {
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 07777);
}

TEST_CASE(
    "the pseudonym secret: created private, loaded only when private and long "
    "enough") {
  Dir dir;
  BrokerConfig config;
  config.keys_dir = dir.path();
  config.pseudonym_secret_file = dir.path() + "/pseudonym.secret";
  CHECK(absl::IsNotFound(LoadPseudonymSecret(config, false).status()));
  auto made = LoadPseudonymSecret(config, true);
  REQUIRE(made.ok());
  CHECK(made->size() == 32);
  CHECK(ModeOf(config.pseudonym_secret_file) == 0600);
  // Created once: a second load with `create` reads the same bytes.
  auto again = LoadPseudonymSecret(config, true);
  REQUIRE(again.ok());
  CHECK(*again == *made);

  chmod(config.pseudonym_secret_file.c_str(), 0640);
  auto shared = LoadPseudonymSecret(config, true);
  CHECK(absl::IsFailedPrecondition(shared.status()));
  CHECK(absl::StrContains(shared.status().message(), "0600"));

  std::ofstream(config.pseudonym_secret_file, std::ios::trunc) << "short";
  chmod(config.pseudonym_secret_file.c_str(), 0600);
  auto short_secret = LoadPseudonymSecret(config, true);
  CHECK(absl::IsFailedPrecondition(short_secret.status()));
  CHECK(absl::StrContains(short_secret.status().message(), "32 bytes"));
  CHECK(!absl::StrContains(short_secret.status().message(), "short"));
}

TEST_CASE("the checkpoint key: created as Ed25519 with mode 0600") {
  Dir dir;
  BrokerConfig config;
  config.keys_dir = dir.path();
  CHECK(absl::IsNotFound(LoadCheckpointKey(config, false).status()));
  auto made = LoadCheckpointKey(config, true);
  REQUIRE(made.ok());
  CHECK(made->algorithm() == crypto::Algorithm::kEdDSA);
  CHECK(ModeOf(CheckpointKeyPath(config)) == 0600);
  auto again = LoadCheckpointKey(config, false);
  REQUIRE(again.ok());
  CHECK(again->kid() == made->kid());
}

}  // namespace
}  // namespace accord::service
