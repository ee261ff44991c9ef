// Erasure (GDPR Art. 17) against the real broker through the real CLI: a
// citizen erases themselves (accord consent erase), an operator erases a
// subject on a verified request (accord admin erase-subject); the receipt
// verifies with the published receipt keys, the log still verifies from
// the earlier checkpoint, live grants are revoked, and once the broker has
// stopped no record of the store names the subject or holds its
// commitment key (store_scan.h).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/broker_harness.h"
#include "tests/cli_refusal.h"
#include "tests/store_scan.h"

namespace accord::testing {
namespace {

constexpr char kPersonal[] = "rennes.energy.household-consumption";
constexpr char kPurpose[] = "research-and-development";

std::string Str(const formats::JsonValue& v,
                std::initializer_list<const char*> path) {
  const formats::JsonValue* cur = &v;
  for (const char* key : path) {
    if (cur == nullptr) return "";
    cur = cur->Find(key);
  }
  if (cur == nullptr) return "";
  if (cur->AsString() != nullptr) return *cur->AsString();
  if (auto n = cur->AsInt64()) return std::to_string(*n);
  return "";
}

// A count of an ErasureResponse in JSON (absent when 0).
int64_t Num(const formats::JsonValue& v, const char* key) {
  const formats::JsonValue* f = v.Find(key);
  if (f == nullptr) return 0;
  if (auto n = f->AsInt64()) return *n;
  if (f->AsString() != nullptr) return std::stoll(*f->AsString());
  return -1;
}

std::string Give(const BrokerProcess& broker, const std::string& citizen) {
  CliResult r = broker.Cli({"consent", "give", "--dataset", kPersonal,
                            "--purpose", kPurpose, "--partner", "partner-demo",
                            "--citizen", citizen, "--output", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return Str(r.json, {"consent", "subject"});
}

CliResult Grant(const BrokerProcess& broker, const std::string& subjects) {
  return broker.Cli({"grant", "request", "--dataset", kPersonal, "--purpose",
                     kPurpose, "--audience", "data.rennes.example",
                     "--subjects", subjects, "--as", "partner-demo", "--output",
                     "json"});
}

std::vector<std::string> GrantSubjects(const CliResult& r) {
  std::vector<std::string> out;
  const formats::JsonValue* grants = r.json.Find("grants");
  if (grants == nullptr || grants->AsArray() == nullptr) return out;
  for (const formats::JsonValue& g : *grants->AsArray()) {
    const formats::JsonValue* subjects = g.Find("subjects");
    if (subjects == nullptr || subjects->AsArray() == nullptr) continue;
    for (const formats::JsonValue& s : *subjects->AsArray()) {
      out.push_back(*s.AsString());
    }
  }
  return out;
}

CliResult Audit(const BrokerProcess& broker, std::vector<std::string> args) {
  args.insert(args.begin(), "audit");
  args.insert(args.end(), {"--as", "auditor-demo", "--output", "json"});
  return broker.Cli(std::move(args));
}

TEST_CASE(
    "erasure from the CLI and the admin API: receipts, revocation, the log "
    "still verifies, and no stored record names the subject") {
  TempDir dir;
  const std::string var = dir.path() + "/var";
  BrokerProcess broker(var);
  REQUIRE(broker.Start().ok());
  const std::string alice = Give(broker, "alice");
  const std::string bob = Give(broker, "bob");
  REQUIRE(!alice.empty());
  REQUIRE(!bob.empty());
  CliResult granted = Grant(broker, absl::StrCat(alice, ",", bob));
  INFO(granted.err);
  REQUIRE(granted.exit_code == 0);
  REQUIRE(GrantSubjects(granted).size() == 2);
  const std::string grant_id =
      Str(granted.json.Find("grants")->AsArray()->at(0), {"id"});
  const std::string granted_rev = Str(granted.json, {"revision"});

  // Each subject has a commitment key since their first consent; erasure
  // must destroy it.
  REQUIRE(broker.Stop() == 0);
  const std::string alice_key = ReadSubjectKey(var + "/db", alice);
  const std::string bob_key = ReadSubjectKey(var + "/db", bob);
  // The table files hold both subjects now: the scan below can see them.
  CHECK(FindInTableFiles(var + "/db", {alice}).size() >= 1);
  CHECK(FindInTableFiles(var + "/db", {bob_key}).size() >= 1);
  REQUIRE(broker.Start().ok());

  const std::string saved = dir.path() + "/before.note";
  REQUIRE(Audit(broker, {"checkpoint", "--save", saved}).exit_code == 0);

  // The citizen: refused without --yes, then erased.
  CliResult unconfirmed =
      broker.Cli({"consent", "erase", "--citizen", "alice"});
  CHECK(unconfirmed.exit_code == 2);  // a usage error: nothing was sent
  CHECK(unconfirmed.err.find("--yes") != std::string::npos);
  CliResult erased = broker.Cli(
      {"consent", "erase", "--yes", "--citizen", "alice", "--output", "json"});
  INFO(erased.err);
  REQUIRE(erased.exit_code == 0);
  CHECK(Num(erased.json, "consents_withdrawn") == 1);
  CHECK(Num(erased.json, "consents_erased") == 1);
  CHECK(Num(erased.json, "grants_revoked") == 1);
  CHECK(Num(erased.json, "grants_rewritten") == 1);
  const std::string receipt = Str(erased.json, {"receipt"});
  REQUIRE(!receipt.empty());

  // The receipt verifies with the published receipt keys and names Alice.
  const std::string jwks = absl::StrCat("http://", broker.http_address(),
                                        "/.well-known/receipt-keys.json");
  CliResult verified =
      Run("/usr/bin/python3", {SourceDir() + "/tests/verify_receipt.py",
                               "--erasure", jwks, receipt, alice});
  INFO(verified.err);
  REQUIRE(verified.exit_code == 0);
  CHECK(Str(verified.json, {"jti"}) == Str(erased.json, {"receipt_id"}));
  CHECK(Str(verified.json, {"requested_by"}) == "subject");

  // Twice: NOT_FOUND, nothing more to erase.
  CliResult again =
      broker.Cli({"consent", "erase", "--yes", "--citizen", "alice"});
  CHECK(Refused(again, "NOT_FOUND"));
  CHECK(again.err.find("no data for this subject") != std::string::npos);

  // The live grant is revoked on the stream, with its cause.
  CliResult watched = broker.Cli(
      {"revocations", "watch", "--after", granted_rev, "--count", "1",
       "--timeout", "30", "--as", "partner-demo", "--output", "json"});
  INFO(watched.err);
  REQUIRE(watched.exit_code == 0);
  CHECK(watched.out.find(grant_id) != std::string::npos);
  CHECK(watched.out.find("subject_erased") != std::string::npos);

  // Alice has no consent any more; Bob's grant history keeps the grant.
  CHECK(GrantSubjects(Grant(broker, absl::StrCat(alice, ",", bob))) ==
        std::vector<std::string>{bob});
  CliResult history = broker.Cli(
      {"consent", "history", "--citizen", "bob", "--output", "json"});
  REQUIRE(history.exit_code == 0);
  CHECK(history.out.find(grant_id) != std::string::npos);
  CliResult listed =
      broker.Cli({"consent", "list", "--citizen", "alice", "--output", "json"});
  REQUIRE(listed.exit_code == 0);
  CHECK(listed.out.find(alice) == std::string::npos);

  // In text, the CLI says what was erased and prints the receipt.
  const std::string carol = Give(broker, "carol");
  CliResult text =
      broker.Cli({"consent", "erase", "--yes", "--citizen", "carol"});
  INFO(text.err);
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("erased: 1 consent(s) withdrawn") != std::string::npos);
  CHECK(text.out.find("receipt ") != std::string::npos);

  // The operator: the verified-request reference is required and bounded.
  CliResult long_ref = broker.Cli({"admin", "erase-subject", "--subject", bob,
                                   "--verified-request", std::string(201, 'x'),
                                   "--as", "operator"});
  CHECK(Refused(long_ref, "INVALID_ARGUMENT"));
  CHECK(long_ref.err.find("verified_request") != std::string::npos);
  CliResult no_ref = broker.Cli(
      {"admin", "erase-subject", "--subject", bob, "--as", "operator"});
  CHECK(no_ref.exit_code == 2);  // a usage error: nothing was sent
  CHECK(no_ref.err.find("verified-request") != std::string::npos);
  CliResult bad_subject =
      broker.Cli({"admin", "erase-subject", "--subject", "not a pseudonym",
                  "--verified-request", "CASE-1", "--as", "operator"});
  CHECK(Refused(bad_subject, "INVALID_ARGUMENT"));
  CHECK(bad_subject.err.find("subject") != std::string::npos);
  CliResult unknown =
      broker.Cli({"admin", "erase-subject", "--subject", "bm8tc3VjaC1zdWJqZWN0",
                  "--verified-request", "CASE-1", "--as", "operator"});
  CHECK(Refused(unknown, "NOT_FOUND"));
  CHECK(unknown.err.find("no data for this subject") != std::string::npos);
  // A partner may not erase.
  CliResult partner =
      broker.Cli({"admin", "erase-subject", "--subject", bob,
                  "--verified-request", "CASE-1", "--as", "partner-demo"});
  CHECK(Refused(partner, "PERMISSION_DENIED"));

  CliResult by_operator = broker.Cli(
      {"admin", "erase-subject", "--subject", bob, "--verified-request",
       "DPO-2026-0042", "--as", "operator", "--output", "json"});
  INFO(by_operator.err);
  REQUIRE(by_operator.exit_code == 0);
  CHECK(Num(by_operator.json, "consents_erased") == 1);
  CHECK(Num(by_operator.json, "grants_rewritten") == 2);
  CliResult operator_receipt =
      Run("/usr/bin/python3",
          {SourceDir() + "/tests/verify_receipt.py", "--erasure", jwks,
           Str(by_operator.json, {"receipt"}), bob});
  INFO(operator_receipt.err);
  REQUIRE(operator_receipt.exit_code == 0);
  CHECK(Str(operator_receipt.json, {"verified_request"}) == "DPO-2026-0042");

  // The log verifies from the checkpoint taken before, and its erasure
  // events name nobody.
  CliResult verify = Audit(broker, {"verify", "--since", saved});
  INFO(verify.err << verify.out);
  REQUIRE(verify.exit_code == 0);
  CHECK(verify.json.Find("ok")->AsBool() == true);
  CliResult entries =
      Audit(broker, {"entries", "--start", "0", "--count", "1000"});
  REQUIRE(entries.exit_code == 0);
  int erasures = 0;
  for (const formats::JsonValue& e : *entries.json.Find("entries")->AsArray()) {
    const formats::JsonValue* event = e.Find("event");
    if (event == nullptr || Str(*event, {"type"}) != "erasure") {
      continue;
    }
    ++erasures;
    const std::string text = event->Serialize();
    CHECK(text.find(alice) == std::string::npos);
    CHECK(text.find(bob) == std::string::npos);
    CHECK(text.find(carol) == std::string::npos);
  }
  CHECK(erasures == 3);

  // Stopped (the compaction an erasure asks for runs by then): no family
  // holds either pseudonym or commitment key, in RocksDB's view or in the
  // bytes of its table files.
  REQUIRE(broker.Stop() == 0);
  const std::vector<std::string> needles = {alice, bob, carol, alice_key,
                                            bob_key};
  CHECK(FindInStore(var + "/db", needles).empty());
  CHECK(FindInTableFiles(var + "/db", needles).empty());
  // What erasure keeps: the grant record, without its subjects, and the
  // tombstone of the consents it relied on.
  CHECK(CountKeys(var + "/db", "grants", "") >= 1);
  CHECK(CountKeys(var + "/db", "index", "T") == 2);
}

}  // namespace
}  // namespace accord::testing
