// `accord-broker init`, as a new operator meets it: from an empty directory
// and certificates made with openssl to a grant served outside dev mode;
// a second run that changes nothing and says so; and the refusals that
// keep it from replacing or hiding key material.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/broker_harness.h"
#include "tests/openssl_pki.h"

namespace accord::testing {
namespace {

namespace fs = std::filesystem;
using Usage = OpensslPki::Usage;

constexpr char kDataset[] = "rennes.mobility.bike-stations";
constexpr char kAudience[] = "data.accord.test";
constexpr char kIssuer[] = "https://accord.test";

// A directory as a new operator prepares it: tls/ with a CA and the
// certificates of the broker, an operator, a producer and a partner (made
// with openssl), and accord.yaml naming var/ and keys/, which do not exist.
struct Setup {
  TempDir dir;
  OpensslPki pki{dir.path() + "/tls"};
  std::string config = dir.path() + "/accord.yaml";
  std::string data_dir = dir.path() + "/var";
  std::string keys_dir = dir.path() + "/keys";

  Setup() {
    REQUIRE(fs::create_directory(dir.path() + "/tls"));
    REQUIRE(pki.MakeCa().ok());
    for (auto [name, usage, sans] :
         std::vector<std::tuple<std::string, Usage, std::vector<std::string>>>{
             {"server", Usage::kServer, {"DNS:localhost", "IP:127.0.0.1"}},
             {"operator", Usage::kClient, {}},
             {"operator2", Usage::kClient, {}},
             {"producer",
              Usage::kClient,
              {"URI:spiffe://accord.test/producer/metropole"}},
             {"partner",
              Usage::kClient,
              {"URI:spiffe://accord.test/partner/lab"}}}) {
      absl::Status issued = pki.Issue(name, usage, sans);
      INFO(issued);
      REQUIRE(issued.ok());
    }
    std::ofstream(config) << "data_dir: " << data_dir << "\n"
                          << "keys_dir: " << keys_dir << "\n"
                          << "tls_ca: " << pki.ca() << "\n"
                          << "tls_cert: " << pki.cert("server") << "\n"
                          << "tls_key: " << pki.key("server") << "\n"
                          << "trust_domain: spiffe://accord.test\n"
                          << "grant_issuer: " << kIssuer << "\n"
                          << "log_origin: accord.test/log\n";
  }

  CliResult Init(const std::string& operator_cert = "operator") const {
    return Run(BinDir() + "/accord-broker",
               {"init", "--config", config, "--operator-cert",
                pki.cert(operator_cert)});
  }
};

int ModeOf(const fs::path& path) {
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 07777);
}

// Every file under `dir`: its mode and its content.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    files[entry.path().string()] =
        absl::StrCat(ModeOf(entry.path()), ":",
                     entry.is_regular_file() ? ReadAll(entry.path()) : "dir");
  }
  return files;
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST_CASE(
    "accord-broker init: from an empty directory to a grant served outside dev "
    "mode") {
  Setup setup;
  // Without init the broker says what to run.
  CliResult early = Run(BinDir() + "/accord-broker",
                        {"--config", setup.config, "--grpc-addr",
                         absl::StrCat("127.0.0.1:", FreePort()), "--http-addr",
                         absl::StrCat("127.0.0.1:", FreePort())});
  CHECK(early.exit_code == 1);
  CHECK(absl::StrContains(early.err, "accord-broker init"));

  CliResult init = setup.Init();
  INFO(init.out << init.err);
  REQUIRE(init.exit_code == 0);
  const std::vector<std::string> lines = Lines(init.out);
  REQUIRE(lines.size() == 6);
  CHECK(absl::StartsWith(
      lines[0], "Created the grant-signing key ring in " + setup.keys_dir));
  CHECK(absl::StartsWith(lines[1], "Created the receipt-signing key ring"));
  CHECK(absl::StartsWith(lines[2], "Created the checkpoint signing key"));
  CHECK(absl::StartsWith(lines[3], "Created the pseudonym secret"));
  CHECK(absl::StartsWith(lines[4], "Created the store in " + setup.data_dir));
  CHECK(absl::StrContains(lines[4], "grant_issuer"));
  auto fingerprint = setup.pki.Fingerprint("operator");
  REQUIRE(fingerprint.ok());
  CHECK(absl::StrContains(lines[5], "'operator'"));
  CHECK(absl::StrContains(lines[5], *fingerprint));
  // Private files in private directories.
  CHECK(ModeOf(setup.keys_dir) == 0700);
  CHECK(ModeOf(setup.data_dir) == 0700);
  for (const auto& entry : fs::recursive_directory_iterator(setup.keys_dir)) {
    INFO(entry.path());
    CHECK(ModeOf(entry.path()) == (entry.is_directory() ? 0700 : 0600));
  }
  CHECK(fs::exists(setup.keys_dir + "/ring.json"));
  CHECK(fs::exists(setup.keys_dir + "/receipts/ring.json"));
  CHECK(fs::exists(setup.keys_dir + "/checkpoint.key"));
  CHECK(fs::exists(setup.keys_dir + "/pseudonym.secret"));

  BrokerProcess broker(setup.data_dir, {"--config", setup.config},
                       /*dev=*/false);
  absl::Status started = broker.Start();
  INFO(broker.log());
  REQUIRE(started.ok());
  CHECK(absl::StrContains(broker.log(), "\"dev\":\"false\""));
  // Init needs the store to itself.
  CliResult busy = setup.Init();
  CHECK(busy.exit_code == 1);
  CHECK(absl::StrContains(busy.err, "stop the broker first"));

  const TlsIdentity op = setup.pki.identity("operator");
  CliResult producer =
      broker.CliAs(op, {"admin", "principal", "add", "--id", "metropole",
                        "--role", "producer", "--cert-uri",
                        "spiffe://accord.test/producer/metropole"});
  INFO(producer.err);
  REQUIRE(producer.exit_code == 0);
  CliResult partner =
      broker.CliAs(op, {"admin", "principal", "add", "--id", "lab", "--role",
                        "partner", "--category", "academic", "--cert-uri",
                        "spiffe://accord.test/partner/lab"});
  INFO(partner.err);
  REQUIRE(partner.exit_code == 0);

  const TlsIdentity metropole = setup.pki.identity("producer");
  CliResult dataset =
      broker.CliAs(metropole, {"dataset", "put", "--id", kDataset, "--title",
                               "Bike stations", "--classification", "open",
                               "--fields", "station_id,name,bikes_available"});
  INFO(dataset.err);
  REQUIRE(dataset.exit_code == 0);
  CliResult policy = broker.CliAs(
      metropole, {"policy", "put", kDataset,
                  SourceDir() + "/policy/examples/bike-stations.policy.yaml"});
  INFO(policy.err);
  REQUIRE(policy.exit_code == 0);

  const TlsIdentity lab = setup.pki.identity("partner");
  CliResult grant = broker.CliAs(
      lab, {"grant", "request", "--dataset", kDataset, "--purpose",
            "service-provision", "--audience", kAudience, "--output", "json"});
  INFO(grant.err << grant.out);
  REQUIRE(grant.exit_code == 0);
  CHECK(grant.json.Find("decision")->GetString("outcome").value_or("") ==
        "permit");
  const formats::JsonValue* grants = grant.json.Find("grants");
  REQUIRE(grants != nullptr);
  REQUIRE(grants->AsArray() != nullptr);
  REQUIRE(grants->AsArray()->size() == 1);
  const std::string token =
      grants->AsArray()->at(0).GetString("token").value_or("");
  REQUIRE(!token.empty());
  CliResult verified = Run(
      BinDir() + "/accord",
      {"grant", "verify", token, "--jwks",
       absl::StrCat("http://", broker.http_address(), "/.well-known/jwks.json"),
       "--jwks-http", "loopback", "--audience", kAudience, "--issuer", kIssuer,
       "--cert", setup.pki.cert("partner"), "--output", "json"});
  INFO(verified.err << verified.out);
  REQUIRE(verified.exit_code == 0);
  CHECK(verified.json.GetBool("valid").value_or(false));
  CHECK(verified.json.Find("claims")->GetString("dataset").value_or("") ==
        kDataset);
  CHECK(verified.json.GetBool("certificate_checked").value_or(false));
  REQUIRE(broker.Stop() == 0);
}

TEST_CASE("accord-broker init again changes nothing and says so") {
  Setup setup;
  CliResult help = Run(BinDir() + "/accord-broker", {"--help"});
  CHECK(help.exit_code == 0);
  CHECK(absl::StrContains(help.out, "accord-broker init"));

  REQUIRE(setup.Init().exit_code == 0);
  const auto keys = Snapshot(setup.keys_dir);
  CliResult again = setup.Init();
  INFO(again.out << again.err);
  REQUIRE(again.exit_code == 0);
  REQUIRE(Lines(again.out).size() == 1);
  CHECK(absl::StartsWith(again.out, "Nothing to do"));
  CHECK(absl::StrContains(again.out, "'operator'"));
  CHECK(Snapshot(setup.keys_dir) == keys);

  // It registers the first operator only; the operator adds the others.
  CliResult other = setup.Init("operator2");
  INFO(other.err);
  CHECK(other.exit_code == 1);
  CHECK(absl::StrContains(other.err, "has an operator already ('operator')"));
  CHECK(Snapshot(setup.keys_dir) == keys);

  // Keys gone from beside the store they belong to are not made anew.
  fs::remove(setup.keys_dir + "/checkpoint.key");
  CliResult orphaned = setup.Init();
  INFO(orphaned.err);
  CHECK(orphaned.exit_code == 1);
  CHECK(absl::StrContains(orphaned.err, "holds a store"));
  CHECK(absl::StrContains(orphaned.err, "checkpoint.key"));
  CHECK(!fs::exists(setup.keys_dir + "/checkpoint.key"));
}

// What init finds in a fresh keys directory (or data directory), and the
// words its refusal must hold.
struct Damage {
  const char* name;
  std::vector<std::pair<std::string, std::string>> files;  // path, content
  std::vector<std::pair<std::string, int>> modes;          // path, mode
  std::string operator_cert;  // "" for the operator's certificate
  std::string expected;
};

TEST_CASE(
    "accord-broker init refuses damaged or partial key material and writes "
    "nothing") {
  Setup setup;
  const std::string secret(32, 's');
  const std::vector<Damage> cases = {
      {"a checkpoint key others may read",
       {{"keys/checkpoint.key", "x"}},
       {{"keys/checkpoint.key", 0644}},
       "",
       "grants access to group or others"},
      {"a checkpoint key that holds no key",
       {{"keys/checkpoint.key", "garbage"}},
       {},
       "",
       "checkpoint.key"},
      {"a grant key file without its ring.json",
       {{"keys/grant-abc.pem", "x"}},
       {},
       "",
       "partial grant-signing key ring"},
      {"a receipt key file without its ring.json",
       {{"keys/receipts/receipt-abc.pem", "x"}},
       {},
       "",
       "partial receipt-signing key ring"},
      {"a ring.json that is no ring",
       {{"keys/ring.json", "{}"}},
       {},
       "",
       "not a key ring"},
      {"a ring.json naming a key file that is missing",
       {{"keys/ring.json", R"({"keys":[{"kid":"abc","state":"primary"}]})"}},
       {},
       "",
       "is missing"},
      {"a pseudonym secret of 10 bytes",
       {{"keys/pseudonym.secret", "0123456789"}},
       {},
       "",
       "fewer than 32 bytes"},
      {"a pseudonym secret others may read",
       {{"keys/pseudonym.secret", secret}},
       {{"keys/pseudonym.secret", 0640}},
       "",
       "mode 0600"},
      {"a store directory that holds no store",
       {{"var/db/notes.txt", "not a store"}},
       {},
       "",
       "holds no store"},
      {"an operator certificate that is no certificate",
       {},
       {},
       "operator.key",
       "holds no PEM certificate"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Damage& c = cases[i];
    INFO(c.name);
    const std::string root = absl::StrCat(setup.dir.path(), "/case", i);
    REQUIRE(fs::create_directories(root + "/keys"));
    fs::permissions(root + "/keys", fs::perms::owner_all);
    for (const auto& [path, content] : c.files) {
      fs::create_directories(fs::path(root + "/" + path).parent_path());
      std::ofstream(root + "/" + path) << content;
      fs::permissions(root + "/" + path,
                      fs::perms::owner_read | fs::perms::owner_write);
    }
    for (const auto& [path, mode] : c.modes) {
      fs::permissions(root + "/" + path, static_cast<fs::perms>(mode));
    }
    const auto before = Snapshot(root);
    CliResult r =
        Run(BinDir() + "/accord-broker",
            {"init", "--config", setup.config, "--keys-dir", root + "/keys",
             "--data-dir", root + "/var", "--operator-cert",
             c.operator_cert.empty()
                 ? setup.pki.cert("operator")
                 : setup.dir.path() + "/tls/" + c.operator_cert});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(absl::StrContains(r.err, c.expected));
    CHECK(Snapshot(root) == before);
  }
}

}  // namespace
}  // namespace accord::testing
