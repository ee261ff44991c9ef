// Consent requests through the real CLI against the real dev-mode broker:
// a partner drafts one from the example file and submits it, the producer
// approves it, citizens read its notice and accept or refuse it, the
// partner's grants follow the answers, counts stay thresholded, a changed
// notice refuses answers to the old one, and bad input is refused naming
// the field.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "broker/crypto/sha256.h"
#include "tests/broker_harness.h"
#include "tests/cli_refusal.h"

namespace accord::testing {
namespace {

constexpr char kPersonal[] = "rennes.energy.household-consumption";
constexpr char kPurpose[] = "public-benefit.energy";
constexpr char kAudience[] = "data.rennes.example";
constexpr char kPartner[] = "partner-demo";
constexpr char kProducer[] = "producer-demo";

std::string ExampleRequest() {
  return SourceDir() + "/clients/examples/requests/energy-study.yaml";
}

std::string ExampleDataset() {
  return SourceDir() + "/clients/examples/datasets/household-consumption.yaml";
}

const formats::JsonValue* At(const formats::JsonValue& v,
                             std::initializer_list<const char*> path) {
  const formats::JsonValue* cur = &v;
  for (const char* key : path) {
    if (cur == nullptr) return nullptr;
    cur = cur->Find(key);
  }
  return cur;
}

std::string Str(const formats::JsonValue& v,
                std::initializer_list<const char*> path) {
  const formats::JsonValue* cur = At(v, path);
  return cur != nullptr && cur->AsString() != nullptr ? *cur->AsString() : "";
}

int64_t Int(const formats::JsonValue& v,
            std::initializer_list<const char*> path) {
  const formats::JsonValue* cur = At(v, path);
  if (cur == nullptr) return -1;
  return cur->AsInt64().value_or(-1);
}

bool Bool(const formats::JsonValue& v,
          std::initializer_list<const char*> path) {
  const formats::JsonValue* cur = At(v, path);
  return cur != nullptr && cur->AsBool().value_or(false);
}

const formats::JsonValue::Elements& List(
    const formats::JsonValue& v, std::initializer_list<const char*> path) {
  static const formats::JsonValue::Elements kEmpty;
  const formats::JsonValue* cur = At(v, path);
  return cur != nullptr && cur->AsArray() != nullptr ? *cur->AsArray() : kEmpty;
}

// The element of the list at `path` whose `key_path` is `id` (dev mode
// opens demo requests of its own beside the tests').
const formats::JsonValue* Find(const formats::JsonValue& v,
                               std::initializer_list<const char*> path,
                               std::initializer_list<const char*> key_path,
                               const std::string& id) {
  for (const formats::JsonValue& e : List(v, path)) {
    if (Str(e, key_path) == id) return &e;
  }
  return nullptr;
}

// Runs the CLI as `principal` (or as the citizen `citizen`), JSON output.
CliResult As(const BrokerProcess& broker, const std::string& principal,
             std::vector<std::string> args) {
  args.insert(args.end(), {"--as", principal, "--output", "json"});
  return broker.Cli(args);
}
CliResult Citizen(const BrokerProcess& broker, const std::string& citizen,
                  std::vector<std::string> args) {
  args.insert(args.end(), {"--citizen", citizen, "--output", "json"});
  return broker.Cli(args);
}

// The producer describes the demo dataset: approval needs the French texts.
void DescribeDataset(const BrokerProcess& broker) {
  CliResult put =
      As(broker, kProducer, {"dataset", "put", "--file", ExampleDataset()});
  INFO(put.err);
  REQUIRE(put.exit_code == 0);
  CHECK(!Str(put.json, {"dataset", "description", "fr"}).empty());
}

// The example request drafted, submitted and approved; returns its record.
formats::JsonValue OpenExample(const BrokerProcess& broker) {
  DescribeDataset(broker);
  CliResult draft =
      As(broker, kPartner, {"request", "draft", "--file", ExampleRequest()});
  INFO(draft.err);
  REQUIRE(draft.exit_code == 0);
  const std::string id = Str(draft.json, {"request", "id"});
  REQUIRE(!id.empty());
  CliResult submit = As(broker, kPartner, {"request", "submit", id});
  INFO(submit.err);
  REQUIRE(submit.exit_code == 0);
  CliResult approve = As(broker, kProducer, {"request", "approve", id});
  INFO(approve.err);
  REQUIRE(approve.exit_code == 0);
  return *At(approve.json, {"request"});
}

CliResult Grant(const BrokerProcess& broker, const std::string& subjects) {
  return As(broker, kPartner,
            {"grant", "request", "--dataset", kPersonal, "--purpose", kPurpose,
             "--audience", kAudience, "--fields", "day,kwh,district",
             "--subjects", subjects});
}

std::vector<std::string> GrantSubjects(const CliResult& r) {
  std::vector<std::string> out;
  const auto& grants = List(r.json, {"grants"});
  if (grants.empty()) return out;
  for (const formats::JsonValue& s : List(grants[0], {"subjects"})) {
    out.push_back(*s.AsString());
  }
  return out;
}

TEST_CASE(
    "requests: drafted from the example, approved, accepted by one citizen "
    "and refused by another, and the grants follow") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var", {"--request-count-threshold", "1"});
  REQUIRE(broker.Start().ok());
  DescribeDataset(broker);

  // The partner drafts from the example file: one sentence in text.
  CliResult draft = broker.Cli(
      {"request", "draft", "--file", ExampleRequest(), "--as", kPartner});
  INFO(draft.err);
  REQUIRE(draft.exit_code == 0);
  REQUIRE(absl::StartsWith(draft.out, "request "));
  CHECK(absl::EndsWith(draft.out, " drafted\n"));
  const std::string id = draft.out.substr(
      8, draft.out.size() - 8 - std::string(" drafted\n").size());
  REQUIRE(!id.empty());

  CliResult drafted = As(broker, kPartner, {"request", "show", id});
  INFO(drafted.err);
  REQUIRE(drafted.exit_code == 0);
  CHECK(Str(drafted.json, {"request", "state"}) == "draft");
  CHECK(Str(drafted.json, {"request", "partner"}) == kPartner);
  CHECK(Str(drafted.json, {"request", "proposed", "dataset_id"}) == kPersonal);
  CHECK(List(drafted.json, {"request", "proposed", "fields"}).size() == 3);
  CHECK(Int(drafted.json,
            {"request", "proposed", "consent_duration_seconds"}) == 15552000);

  CliResult submit = broker.Cli({"request", "submit", id, "--as", kPartner});
  INFO(submit.err);
  REQUIRE(submit.exit_code == 0);
  CHECK(submit.out == "request " + id + " submitted for approval\n");

  // The producer sees it pending and approves it.
  CliResult pending =
      As(broker, kProducer,
         {"request", "list", "--state", "pending", "--dataset", kPersonal});
  INFO(pending.err);
  REQUIRE(pending.exit_code == 0);
  CHECK(Find(pending.json, {"requests"}, {"id"}, id) != nullptr);
  CliResult approve = As(broker, kProducer, {"request", "approve", id});
  INFO(approve.err);
  REQUIRE(approve.exit_code == 0);
  CHECK(Str(approve.json, {"request", "state"}) == "open");
  CHECK(Int(approve.json, {"request", "version"}) == 1);
  const std::string notice = Str(approve.json, {"request", "notice"});
  const std::string hash = Str(approve.json, {"request", "notice_hash"});
  REQUIRE(!notice.empty());
  CHECK(hash == crypto::ToHex(crypto::Sha256(notice)));

  // The notice in words, French by default, English on request.
  CliResult shown = broker.Cli({"request", "show", id, "--as", kPartner});
  INFO(shown.err);
  REQUIRE(shown.exit_code == 0);
  CHECK(absl::StrContains(shown.out,
                          "Titre : Étude des économies d'énergie des foyers "
                          "rennais\n"));
  CHECK(absl::StrContains(shown.out, "Demandeur : partner-demo"));
  CHECK(absl::StrContains(shown.out, "Finalité : "));
  CHECK(absl::StrContains(shown.out, "Durée du consentement : "));
  CHECK(absl::StrContains(shown.out, "Engagements du demandeur :\n  - "));
  CHECK(absl::StrContains(shown.out, "Responsable : Délégué à la protection"));
  CHECK(absl::StrContains(shown.out, "Empreinte de la notice : " + hash));
  CliResult english =
      broker.Cli({"request", "show", id, "--as", kPartner, "--lang", "en"});
  REQUIRE(english.exit_code == 0);
  CHECK(absl::StrContains(english.out,
                          "Title: Household energy savings in Rennes\n"));
  CHECK(absl::StrContains(english.out, "The requester's duties:\n  - "));

  CliResult before = As(broker, kPartner, {"request", "stats", id});
  INFO(before.err);
  REQUIRE(before.exit_code == 0);
  CHECK(Int(before.json, {"threshold"}) == 1);

  // Alice sees the request, needing an answer, and reads its notice.
  CliResult open = Citizen(broker, "alice", {"consent", "requests"});
  INFO(open.err);
  REQUIRE(open.exit_code == 0);
  const formats::JsonValue* found =
      Find(open.json, {"requests"}, {"request", "id"}, id);
  REQUIRE(found != nullptr);
  const formats::JsonValue& listed = *found;
  CHECK(Str(listed, {"request", "id"}) == id);
  CHECK(Bool(listed, {"needs_answer"}));
  CHECK(Str(listed, {"request", "notice_hash"}) == hash);
  CliResult read = broker.Cli({"consent", "notice", id, "--citizen", "alice"});
  INFO(read.err);
  REQUIRE(read.exit_code == 0);
  CHECK(absl::StrContains(read.out, "Empreinte de la notice : " + hash));
  CHECK(absl::StrContains(read.out, "Une réponse est attendue."));

  // She accepts: the consent names the request, its version and the hash.
  CliResult accepted =
      broker.Cli({"consent", "answer", id, "--accept", "--citizen", "alice"});
  INFO(accepted.err);
  REQUIRE(accepted.exit_code == 0);
  CHECK(absl::StrContains(accepted.out, "Titre : Étude des économies"));
  CHECK(absl::StrContains(accepted.out,
                          "you accepted version 1 of request " + id));
  CliResult mine = Citizen(broker, "alice", {"consent", "list"});
  INFO(mine.err);
  REQUIRE(mine.exit_code == 0);
  REQUIRE(List(mine.json, {"consents"}).size() == 1);
  const formats::JsonValue& consent = List(mine.json, {"consents"})[0];
  CHECK(Str(consent, {"request_id"}) == id);
  CHECK(Int(consent, {"request_version"}) == 1);
  CHECK(Str(consent, {"notice_hash"}) == hash);
  CHECK(Str(consent, {"state"}) == "given");
  CHECK(Str(consent, {"purpose"}) == kPurpose);
  CHECK(Str(consent, {"recipient", "partner"}) == kPartner);
  CHECK(List(consent, {"fields"}).size() == 3);
  const std::string alice = Str(consent, {"subject"});
  CliResult listed_text = broker.Cli({"consent", "list", "--citizen", "alice"});
  CHECK(absl::StrContains(listed_text.out, "REQUEST_VERSION"));
  CHECK(absl::StrContains(listed_text.out, id));
  CliResult answered = Citizen(broker, "alice", {"consent", "requests"});
  const formats::JsonValue* mine_now =
      Find(answered.json, {"requests"}, {"request", "id"}, id);
  REQUIRE(mine_now != nullptr);
  CHECK_FALSE(Bool(*mine_now, {"needs_answer"}));
  CHECK(Str(*mine_now, {"answer", "state"}) == "given");

  // Bob refuses: recorded, never live.
  CliResult refused =
      Citizen(broker, "bob", {"consent", "answer", id, "--refuse"});
  INFO(refused.err);
  REQUIRE(refused.exit_code == 0);
  CHECK(Str(refused.json, {"consent", "state"}) == "refused");
  CHECK(Str(refused.json, {"consent", "request_id"}) == id);
  const std::string bob = Str(refused.json, {"consent", "subject"});
  CliResult bob_open = Citizen(broker, "bob", {"consent", "requests"});
  const formats::JsonValue* bobs =
      Find(bob_open.json, {"requests"}, {"request", "id"}, id);
  REQUIRE(bobs != nullptr);
  CHECK_FALSE(Bool(*bobs, {"needs_answer"}));

  // The counts moved (threshold 1: exact).
  CliResult after = As(broker, kPartner, {"request", "stats", id});
  INFO(after.err);
  REQUIRE(after.exit_code == 0);
  CHECK(Str(after.json, {"accepted", "text"}) == "1");
  CHECK(Str(after.json, {"refused", "text"}) == "1");
  CHECK(Str(after.json, {"live", "text"}) == "1");
  CHECK(Str(after.json, {"accepted", "text"}) !=
        Str(before.json, {"accepted", "text"}));
  CliResult stats_text = broker.Cli({"request", "stats", id, "--as", kPartner});
  CHECK(absl::StrContains(stats_text.out, "accepted:   1\n"));

  // The partner's grant names Alice, not Bob.
  CliResult grant = Grant(broker, absl::StrCat(alice, ",", bob));
  INFO(grant.err << grant.out);
  REQUIRE(grant.exit_code == 0);
  CHECK(Str(grant.json, {"decision", "outcome"}) == "permit");
  CHECK(GrantSubjects(grant) == std::vector<std::string>{alice});

  // Closed, the request takes no new answer; Alice's consent stays.
  CliResult closed = broker.Cli({"request", "close", id, "--as", kPartner,
                                 "--reason", "enough households"});
  INFO(closed.err);
  REQUIRE(closed.exit_code == 0);
  CHECK(closed.out == "request " + id + " closed\n");
  CliResult late =
      Citizen(broker, "carol", {"consent", "answer", id, "--accept"});
  CHECK(Refused(late, "FAILED_PRECONDITION"));
  CHECK(GrantSubjects(Grant(broker, alice)) == std::vector<std::string>{alice});

  // Alice's export: one TS 27560 record for her consent.
  CliResult exported = broker.Cli(
      {"consent", "export", "--citizen", "alice", "--output", "json"});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  REQUIRE(List(exported.json, {"records"}).size() == 1);
  const formats::JsonValue& record = List(exported.json, {"records"})[0];
  CHECK(Str(record, {"pii_principal_id"}) == alice);
  CHECK(Str(record, {"notice", "request_id"}) == id);
  CHECK(Str(record, {"notice", "notice_hash"}) == hash);
  CHECK(Str(record, {"consent_status"}) == "given");
}

TEST_CASE("requests: a changed notice refuses an answer to the old one") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const formats::JsonValue v1 = OpenExample(broker);
  const std::string id = Str(v1, {"id"});
  const std::string old_hash = Str(v1, {"notice_hash"});
  REQUIRE(!old_hash.empty());

  // The partner proposes a longer consent; version 1 stays open meanwhile.
  std::string text = ReadAll(ExampleRequest());
  REQUIRE(absl::StrContains(text, "consent_duration: 180d"));
  const std::string changed = dir.path() + "/longer.yaml";
  std::ofstream(changed) << absl::StrReplaceAll(
      text, {{"consent_duration: 180d", "consent_duration: 365d"}});
  CliResult change = broker.Cli({"request", "draft", "--file", changed,
                                 "--request", id, "--as", kPartner});
  INFO(change.err);
  REQUIRE(change.exit_code == 0);
  CHECK(absl::StrContains(change.out, "change to request " + id));
  REQUIRE(broker.Cli({"request", "submit", id, "--as", kPartner}).exit_code ==
          0);
  // The producer reads the open version, then the change.
  CliResult review = broker.Cli({"request", "show", id, "--as", kProducer});
  INFO(review.err);
  REQUIRE(review.exit_code == 0);
  const size_t change_at = review.out.find("Modification proposée :\n");
  REQUIRE(change_at != std::string::npos);
  CHECK(review.out.find("pendant 180 jours") < change_at);
  CHECK(review.out.find("pendant 365 jours") > change_at);
  CHECK(absl::StrContains(review.out, "version 2 (en attente d'approbation)"));
  CliResult still = Citizen(broker, "dave", {"consent", "notice", id});
  REQUIRE(still.exit_code == 0);
  CHECK(Int(still.json, {"request", "version"}) == 1);
  CliResult approved = broker.Cli(
      {"request", "approve", id, "--renewal-required", "--as", kProducer});
  INFO(approved.err);
  REQUIRE(approved.exit_code == 0);
  CHECK(approved.out == "request " + id +
                            " approved: version 2 is open; earlier consents "
                            "must be renewed\n");

  // Dave answers the notice he read before the change: refused.
  CliResult stale = Citizen(broker, "dave",
                            {"consent", "answer", id, "--accept", "--version",
                             "1", "--notice-hash", old_hash});
  INFO(stale.err);
  CHECK(Refused(stale, "FAILED_PRECONDITION", "notice changed"));
  CliResult stale_hash = Citizen(broker, "dave",
                                 {"consent", "answer", id, "--accept",
                                  "--version", "2", "--notice-hash", old_hash});
  CHECK(Refused(stale_hash, "FAILED_PRECONDITION"));
  // Reading the new notice first, his answer goes through.
  CliResult fresh =
      Citizen(broker, "dave", {"consent", "answer", id, "--accept"});
  INFO(fresh.err);
  REQUIRE(fresh.exit_code == 0);
  CHECK(Int(fresh.json, {"consent", "request_version"}) == 2);
  CHECK(Str(fresh.json, {"consent", "notice_hash"}) != old_hash);
}

TEST_CASE("requests: bad input is refused naming the field") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  DescribeDataset(broker);
  const std::string text = ReadAll(ExampleRequest());
  REQUIRE(!text.empty());
  auto write = [&](const std::string& name, const std::string& from,
                   const std::string& to) {
    REQUIRE(absl::StrContains(text, from));
    const std::string path = dir.path() + "/" + name;
    std::ofstream(path) << absl::StrReplaceAll(text, {{from, to}});
    return path;
  };

  // Read by the CLI: the file, line and key, exit 1, nothing sent.
  CliResult duration =
      broker.Cli({"request", "draft", "--as", kPartner, "--file",
                  write("duration.yaml", "consent_duration: 180d",
                        "consent_duration: six months")});
  CHECK(duration.exit_code == 1);
  CHECK(absl::StrContains(duration.err, "INVALID_ARGUMENT"));
  CHECK(absl::StrContains(duration.err, "consent_duration"));
  CHECK(absl::StrContains(duration.err, "duration.yaml:"));

  // Checked by the broker: a field the dataset does not have.
  CliResult field =
      broker.Cli({"request", "draft", "--as", kPartner, "--file",
                  write("field.yaml", "fields: [day, kwh, district]",
                        "fields: [day, kwh, shoe_size]")});
  INFO(field.err);
  CHECK(Refused(field, "INVALID_ARGUMENT", "fields"));
  CHECK(Refused(field, "INVALID_ARGUMENT", "shoe_size"));
  // An unknown purpose.
  CliResult purpose =
      broker.Cli({"request", "draft", "--as", kPartner, "--file",
                  write("purpose.yaml", "purpose: public-benefit.energy",
                        "purpose: public-benefit.nothing")});
  INFO(purpose.err);
  CHECK(Refused(purpose, "INVALID_ARGUMENT", "purpose"));
  // A closing date in the past.
  CliResult past = broker.Cli({"request", "draft", "--as", kPartner, "--file",
                               write("past.yaml", "closes_at: 90d",
                                     "closes_at: 2020-01-01T00:00:00Z")});
  INFO(past.err);
  CHECK(Refused(past, "INVALID_ARGUMENT", "closes_at"));

  // A rejection needs a reason (usage, exit 2); given one, the partner
  // reads it.
  CliResult draft =
      As(broker, kPartner, {"request", "draft", "--file", ExampleRequest()});
  REQUIRE(draft.exit_code == 0);
  const std::string id = Str(draft.json, {"request", "id"});
  REQUIRE(As(broker, kPartner, {"request", "submit", id}).exit_code == 0);
  CliResult no_reason =
      broker.Cli({"request", "reject", id, "--as", kProducer});
  CHECK(no_reason.exit_code == 2);
  CHECK(absl::StrContains(no_reason.err, "--reason is required"));
  CliResult rejected =
      broker.Cli({"request", "reject", id, "--reason",
                  "la durée est trop longue", "--as", kProducer});
  INFO(rejected.err);
  REQUIRE(rejected.exit_code == 0);
  CHECK(rejected.out == "request " + id + " rejected\n");
  CliResult seen = broker.Cli({"request", "show", id, "--as", kPartner});
  CHECK(absl::StrContains(seen.out, "(rejetée)"));
  CHECK(
      absl::StrContains(seen.out, "Motif du rejet : la durée est trop longue"));
  // Only partners draft; a citizen cannot answer a request never opened.
  CHECK(Refused(
      As(broker, kProducer, {"request", "draft", "--file", ExampleRequest()}),
      "PERMISSION_DENIED"));
  CHECK(Refused(Citizen(broker, "erin", {"consent", "answer", id, "--accept"}),
                "NOT_FOUND"));
}

TEST_CASE("requests: counts under the threshold stay \"< k\" as text") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const std::string id = Str(OpenExample(broker), {"id"});
  REQUIRE(Citizen(broker, "alice", {"consent", "answer", id, "--accept"})
              .exit_code == 0);
  CliResult stats = As(broker, kPartner, {"request", "stats", id});
  INFO(stats.err);
  REQUIRE(stats.exit_code == 0);
  CHECK(Int(stats.json, {"threshold"}) == 10);
  CHECK(Str(stats.json, {"accepted", "text"}) == "< 10");
  CHECK_FALSE(Bool(stats.json, {"accepted", "at_least_threshold"}));
  CliResult text = broker.Cli({"request", "stats", id, "--as", kPartner});
  CHECK(absl::StrContains(text.out, "accepted:   < 10\n"));
  CHECK(absl::StrContains(text.out, "threshold:  10\n"));
}

}  // namespace
}  // namespace accord::testing
