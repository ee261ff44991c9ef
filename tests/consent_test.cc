// The consent lifecycle against the real broker, through the real CLI:
// give, grant, withdraw, revocation stream, renewal, expiry, objection,
// receipts checked with PyJWT, and one citizen never reaching another's
// records.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/broker_harness.h"
#include "tests/cli_refusal.h"

namespace accord::testing {
namespace {

constexpr char kPersonal[] = "rennes.energy.household-consumption";
constexpr char kOpen[] = "rennes.mobility.bike-stations";
constexpr char kPurpose[] = "research-and-development";
constexpr char kAudience[] = "data.rennes.example";

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

// A JSON number (revisions are numbers, never strings) as decimal text; ""
// when absent or of another type.
std::string Num(const formats::JsonValue& v,
                std::initializer_list<const char*> path) {
  const formats::JsonValue* cur = At(v, path);
  return cur != nullptr && cur->AsInt64().has_value()
             ? std::to_string(*cur->AsInt64())
             : "";
}

size_t Count(const formats::JsonValue& v,
             std::initializer_list<const char*> path) {
  const formats::JsonValue* list = At(v, path);
  return list != nullptr && list->AsArray() != nullptr ? list->AsArray()->size()
                                                       : 0;
}

CliResult Give(const BrokerProcess& broker, const std::string& citizen,
               std::vector<std::string> extra = {},
               const std::string& dataset = kPersonal) {
  std::vector<std::string> args = {"consent",   "give",   "--dataset", dataset,
                                   "--purpose", kPurpose, "--citizen", citizen,
                                   "--output",  "json"};
  if (std::find(extra.begin(), extra.end(), "--category") == extra.end()) {
    args.insert(args.end(), {"--partner", "partner-demo"});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return broker.Cli(args);
}

CliResult RequestGrant(const BrokerProcess& broker, const std::string& subjects,
                       const std::string& dataset = kPersonal) {
  return broker.Cli({"grant", "request", "--dataset", dataset, "--purpose",
                     kPurpose, "--audience", kAudience, "--subjects", subjects,
                     "--as", "partner-demo", "--output", "json"});
}

// The subjects named by the first grant of a response ("" when none).
std::string GrantSubjects(const CliResult& r) {
  const formats::JsonValue* grants = r.json.Find("grants");
  if (grants == nullptr || grants->AsArray() == nullptr ||
      grants->AsArray()->empty()) {
    return "";
  }
  std::string out;
  const formats::JsonValue* subjects =
      grants->AsArray()->at(0).Find("subjects");
  if (subjects == nullptr || subjects->AsArray() == nullptr) return "";
  for (const formats::JsonValue& s : *subjects->AsArray()) {
    absl::StrAppend(&out, out.empty() ? "" : ",", *s.AsString());
  }
  return out;
}

std::string FirstGrantId(const CliResult& r) {
  const formats::JsonValue* grants = r.json.Find("grants");
  if (grants == nullptr || grants->AsArray() == nullptr ||
      grants->AsArray()->empty()) {
    return "";
  }
  return Str(grants->AsArray()->at(0), {"id"});
}

CliResult Watch(const BrokerProcess& broker, const std::string& after,
                int count) {
  return broker.Cli({"revocations", "watch", "--after", after, "--count",
                     absl::StrCat(count), "--timeout", "30", "--as",
                     "partner-demo", "--output", "json"});
}

TEST_CASE(
    "withdrawal: the next grant excludes the subject, the stream "
    "revokes the earlier grant, the history keeps it") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());

  CliResult given = Give(broker, "alice");
  INFO(given.err);
  REQUIRE(given.exit_code == 0);
  const std::string id = Str(given.json, {"consent", "id"});
  const std::string alice = Str(given.json, {"consent", "subject"});
  const std::string given_rev = Num(given.json, {"revision"});
  REQUIRE(!given_rev.empty());
  CHECK(Str(given.json, {"consent", "state"}) == "given");

  CliResult bob = Give(broker, "bob");
  REQUIRE(bob.exit_code == 0);
  const std::string bob_subject = Str(bob.json, {"consent", "subject"});

  CliResult grant = RequestGrant(broker, absl::StrCat(alice, ",", bob_subject));
  INFO(grant.err << grant.out);
  REQUIRE(grant.exit_code == 0);
  REQUIRE(Str(grant.json, {"decision", "outcome"}) == "permit");
  const std::string grant_id = FirstGrantId(grant);
  REQUIRE(!grant_id.empty());
  CHECK(GrantSubjects(grant) == absl::StrCat(alice, ",", bob_subject));

  // A watcher following revocations from the give's revision: whether its
  // stream opens before or after the withdrawal, it reports it (the
  // delivery to a stream already open is timed in data_service_test).
  CliResult live;
  std::jthread watcher([&] {  // joined on every path
    live = Watch(broker, given_rev, 1);
  });

  CliResult withdrawn = broker.Cli(
      {"consent", "withdraw", id, "--citizen", "alice", "--output", "json"});
  INFO(withdrawn.err);
  REQUIRE(withdrawn.exit_code == 0);
  CHECK(Str(withdrawn.json, {"consent", "state"}) == "withdrawn");
  // The answer carries the withdrawal and counts the event before it.
  CHECK(Count(withdrawn.json, {"consent", "events"}) == 1);
  CHECK(Num(withdrawn.json, {"consent", "earlier_events"}) == "1");
  watcher.join();
  INFO(live.err);
  REQUIRE(live.exit_code == 0);
  CHECK(Str(live.json, {"cause"}) == "consent_withdrawn");
  CHECK(Num(live.json, {"revision"}) == Num(withdrawn.json, {"revision"}));
  REQUIRE(Count(live.json, {"grant_ids"}) == 1);
  CHECK(*live.json.Find("grant_ids")->AsArray()->at(0).AsString() == grant_id);

  // Resuming from the start replays the same revocation from the store.
  CliResult replay = Watch(broker, "0", 1);
  INFO(replay.err);
  REQUIRE(replay.exit_code == 0);
  CHECK(Str(replay.json, {"cause"}) == "consent_withdrawn");
  CHECK(Num(replay.json, {"revision"}) == Num(withdrawn.json, {"revision"}));

  // The next grant names bob only.
  CliResult next = RequestGrant(broker, absl::StrCat(alice, ",", bob_subject));
  REQUIRE(next.exit_code == 0);
  CHECK(Str(next.json, {"decision", "outcome"}) == "permit");
  CHECK(GrantSubjects(next) == bob_subject);

  // Alice's history still shows the first grant, and only it.
  CliResult history = broker.Cli(
      {"consent", "history", "--citizen", "alice", "--output", "json"});
  REQUIRE(history.exit_code == 0);
  REQUIRE(Count(history.json, {"records"}) == 1);
  CHECK(Str(history.json.Find("records")->AsArray()->at(0), {"grant_id"}) ==
        grant_id);

  // Withdrawing twice is idempotent: same state, no new event, no new
  // revocation.
  CliResult again = broker.Cli(
      {"consent", "withdraw", id, "--citizen", "alice", "--output", "json"});
  REQUIRE(again.exit_code == 0);
  CHECK(Str(again.json, {"consent", "state"}) == "withdrawn");
  CHECK(Count(again.json, {"consent", "events"}) == 0);
  CHECK(Num(again.json, {"consent", "earlier_events"}) == "2");
  CliResult after_again = broker.Cli(
      {"revocations", "watch", "--after", Num(withdrawn.json, {"revision"}),
       "--timeout", "2", "--as", "partner-demo", "--output", "json"});
  CHECK(after_again.exit_code == 0);
  CHECK(after_again.out.empty());
}

TEST_CASE(
    "renewal and expiry are appended events and expired consents are "
    "never used") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  broker.use_movable_clock();
  REQUIRE(broker.Start().ok());

  const int64_t soon = static_cast<int64_t>(std::time(nullptr)) + 60;
  CliResult given = Give(broker, "carol", {"--expires", absl::StrCat(soon)});
  INFO(given.err);
  REQUIRE(given.exit_code == 0);
  const std::string id = Str(given.json, {"consent", "id"});
  const std::string carol = Str(given.json, {"consent", "subject"});
  CHECK(Str(RequestGrant(broker, carol).json, {"decision", "outcome"}) ==
        "permit");

  REQUIRE(broker.AdvanceClock(absl::Seconds(120)).ok());
  // Past its expiry the consent is not used, whether or not it was read.
  CHECK(Str(RequestGrant(broker, carol).json, {"decision", "outcome"}) ==
        "deny");
  CliResult shown = broker.Cli(
      {"consent", "show", id, "--citizen", "carol", "--output", "json"});
  INFO(shown.err);
  REQUIRE(shown.exit_code == 0);
  CHECK(Str(shown.json, {"consent", "state"}) == "expired");
  REQUIRE(Count(shown.json, {"consent", "events"}) == 2);
  const formats::JsonValue& expired_event =
      shown.json.Find("consent")->Find("events")->AsArray()->at(1);
  CHECK(Str(expired_event, {"state"}) == "expired");
  CHECK(Str(expired_event, {"actor"}) == "broker");
  // The EXPIRED event was written: read again, it is there once.
  CliResult reread = broker.Cli(
      {"consent", "show", id, "--citizen", "carol", "--output", "json"});
  CHECK(Count(reread.json, {"consent", "events"}) == 2);

  // Giving again renews the same consent: a new GIVEN event, the only one
  // the answer carries; it counts the two before it, which a read shows.
  CliResult renewed = Give(broker, "carol");
  INFO(renewed.err);
  REQUIRE(renewed.exit_code == 0);
  CHECK(Str(renewed.json, {"consent", "id"}) == id);
  CHECK(Str(renewed.json, {"consent", "state"}) == "given");
  REQUIRE(Count(renewed.json, {"consent", "events"}) == 1);
  CHECK(Str(renewed.json.Find("consent")->Find("events")->AsArray()->at(0),
            {"state"}) == "given");
  CHECK(Num(renewed.json, {"consent", "earlier_events"}) == "2");
  CHECK(!Str(renewed.json, {"receipt"}).empty());
  CliResult history = broker.Cli(
      {"consent", "show", id, "--citizen", "carol", "--output", "json"});
  REQUIRE(Count(history.json, {"consent", "events"}) == 3);
  CHECK(Num(history.json, {"consent", "earlier_events"}) == "0");
  CHECK(Str(RequestGrant(broker, carol).json, {"decision", "outcome"}) ==
        "permit");
  CliResult listed =
      broker.Cli({"consent", "list", "--citizen", "carol", "--output", "json"});
  CHECK(Count(listed.json, {"consents"}) == 1);
}

TEST_CASE("receipts: fresh at read time, verified by the CLI and by PyJWT") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  CliResult given = Give(broker, "dave");
  REQUIRE(given.exit_code == 0);
  const std::string id = Str(given.json, {"consent", "id"});

  CliResult text =
      broker.Cli({"consent", "show", id, "--receipt", "--citizen", "dave"});
  INFO(text.err);
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("receipt verified") != std::string::npos);

  CliResult shown = broker.Cli({"consent", "show", id, "--receipt", "--citizen",
                                "dave", "--output", "json"});
  REQUIRE(shown.exit_code == 0);
  const std::string receipt = Str(shown.json, {"receipt"});
  REQUIRE(!receipt.empty());

  const std::string script = R"PY(
import json, sys, urllib.request
import jwt
jwks = json.load(urllib.request.urlopen(sys.argv[1]))
token = sys.argv[2]
kid = jwt.get_unverified_header(token)["kid"]
key = next(k for k in jwks["keys"] if k["kid"] == kid)
claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["ES256", "EdDSA"],
                    audience="urn:accord:consent-receipt")
print(json.dumps(claims))
)PY";
  const std::string jwks_url = absl::StrCat("http://", broker.http_address(),
                                            "/.well-known/receipt-keys.json");
  CliResult verified =
      Run("/usr/bin/python3", {"-c", script, jwks_url, receipt});
  INFO(verified.err);
  REQUIRE(verified.exit_code == 0);
  CHECK(Str(verified.json, {"consent_id"}) == id);
  CHECK(Str(verified.json, {"state"}) == "CONSENT_STATE_GIVEN");
  CHECK(Str(verified.json, {"sub"}) == Str(given.json, {"consent", "subject"}));

  // A receipt with one payload byte changed does not verify.
  std::string tampered = receipt;
  const size_t dot = tampered.find('.');
  tampered[dot + 5] = tampered[dot + 5] == 'A' ? 'B' : 'A';
  CliResult refused =
      Run("/usr/bin/python3", {"-c", script, jwks_url, tampered});
  INFO(refused.err);
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("jwt.exceptions.InvalidSignatureError") !=
        std::string::npos);

  // After withdrawal the fresh receipt records the new state.
  REQUIRE(
      broker.Cli({"consent", "withdraw", id, "--citizen", "dave"}).exit_code ==
      0);
  CliResult later = broker.Cli({"consent", "show", id, "--receipt", "--citizen",
                                "dave", "--output", "json"});
  REQUIRE(later.exit_code == 0);
  CliResult later_verified =
      Run("/usr/bin/python3",
          {"-c", script, jwks_url, Str(later.json, {"receipt"})});
  REQUIRE(later_verified.exit_code == 0);
  CHECK(Str(later_verified.json, {"state"}) == "CONSENT_STATE_WITHDRAWN");
}

TEST_CASE("a citizen never reaches another citizen's consents") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  CliResult given = Give(broker, "alice");
  REQUIRE(given.exit_code == 0);
  const std::string id = Str(given.json, {"consent", "id"});
  const std::string alice = Str(given.json, {"consent", "subject"});
  REQUIRE(RequestGrant(broker, alice).exit_code == 0);

  // GetConsent and WithdrawConsent: exactly like a missing consent.
  CHECK(Refused(broker.Cli({"consent", "show", id, "--citizen", "mallory"}),
                "NOT_FOUND"));
  CHECK(Refused(
      broker.Cli({"consent", "show", id, "--receipt", "--citizen", "mallory"}),
      "NOT_FOUND"));
  CHECK(Refused(broker.Cli({"consent", "withdraw", id, "--citizen", "mallory"}),
                "NOT_FOUND"));
  // ListConsents and GetAccessHistory: nothing of alice's.
  CliResult list = broker.Cli(
      {"consent", "list", "--citizen", "mallory", "--output", "json"});
  REQUIRE(list.exit_code == 0);
  CHECK(Count(list.json, {"consents"}) == 0);
  CliResult history = broker.Cli(
      {"consent", "history", "--citizen", "mallory", "--output", "json"});
  REQUIRE(history.exit_code == 0);
  CHECK(Count(history.json, {"records"}) == 0);
  // GiveConsent: mallory's own record, never a renewal of alice's.
  CliResult own = Give(broker, "mallory");
  REQUIRE(own.exit_code == 0);
  CHECK(Str(own.json, {"consent", "id"}) != id);
  CHECK(Str(own.json, {"consent", "subject"}) != alice);
  // Alice's consent is untouched.
  CliResult mine = broker.Cli(
      {"consent", "show", id, "--citizen", "alice", "--output", "json"});
  REQUIRE(mine.exit_code == 0);
  CHECK(Str(mine.json, {"consent", "state"}) == "given");
  CHECK(Count(mine.json, {"consent", "events"}) == 1);
}

TEST_CASE("bad consent input is refused and writes nothing") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const int64_t past = static_cast<int64_t>(std::time(nullptr)) - 10;

  CHECK(Refused(Give(broker, "erin", {}, "no.such.dataset"), "NOT_FOUND"));
  CHECK(Refused(Give(broker, "erin", {}, "Not A Dataset"), "INVALID_ARGUMENT"));
  CHECK(Refused(broker.Cli({"consent", "give", "--dataset", kPersonal,
                            "--purpose", "not-a-purpose", "--partner",
                            "partner-demo", "--citizen", "erin"}),
                "INVALID_ARGUMENT"));
  CHECK(Refused(Give(broker, "erin", {"--expires", absl::StrCat(past)}),
                "INVALID_ARGUMENT"));
  CHECK(Refused(
      broker.Cli({"consent", "give", "--dataset", kPersonal, "--purpose",
                  kPurpose, "--partner", "nobody-known", "--citizen", "erin"}),
      "INVALID_ARGUMENT"));
  // Not a consent-based dataset; a recipient the policy never permits.
  CHECK(Refused(Give(broker, "erin", {}, kOpen), "FAILED_PRECONDITION"));
  CHECK(Refused(broker.Cli({"consent", "give", "--dataset", kPersonal,
                            "--purpose", "commercial.marketing", "--partner",
                            "partner-demo", "--citizen", "erin"}),
                "FAILED_PRECONDITION"));
  CHECK(Refused(broker.Cli({"consent", "withdraw", "no-such-consent",
                            "--citizen", "erin"}),
                "NOT_FOUND"));
  CHECK(Refused(broker.Cli({"consent", "withdraw", std::string(80, 'a'),
                            "--citizen", "erin"}),
                "INVALID_ARGUMENT"));

  CliResult list =
      broker.Cli({"consent", "list", "--citizen", "erin", "--output", "json"});
  REQUIRE(list.exit_code == 0);
  CHECK(Count(list.json, {"consents"}) == 0);
  CliResult none = broker.Cli(
      {"revocations", "watch", "--timeout", "1", "--as", "partner-demo"});
  CHECK(none.exit_code == 0);
  CHECK(none.out.empty());
}

TEST_CASE("an objection excludes the subject and revokes grants naming them") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const std::string dataset = "rennes.energy.li-test";
  CliResult put =
      broker.Cli({"dataset", "put", "--id", dataset, "--title",
                  "objection test", "--classification", "personal", "--fields",
                  "day,kwh,subject", "--as", "producer-demo"});
  INFO(put.err);
  REQUIRE(put.exit_code == 0);
  const std::string policy_file = dir.path() + "/li.policy.yaml";
  std::ofstream(policy_file) << "dataset: " << dataset << "\n"
                             << "legal_basis: legitimate_interest_opt_out\n"
                             << "rules:\n"
                             << "  - id: research\n"
                             << "    effect: permit\n"
                             << "    assignees:\n"
                             << "      principals: [partner-demo]\n"
                             << "    purposes: [research-and-development]\n"
                             << "    fields: [day, kwh, subject]\n";
  CliResult policy = broker.Cli(
      {"policy", "put", dataset, policy_file, "--as", "producer-demo"});
  INFO(policy.err << policy.out);
  REQUIRE(policy.exit_code == 0);

  // Under legitimate interest, giving records an objection.
  CliResult frank_objects = Give(broker, "frank", {}, dataset);
  INFO(frank_objects.err);
  REQUIRE(frank_objects.exit_code == 0);
  CHECK(At(frank_objects.json, {"consent", "objection"}) != nullptr);
  const std::string frank = Str(frank_objects.json, {"consent", "subject"});
  const std::string frank_id = Str(frank_objects.json, {"consent", "id"});
  // Frank withdraws his objection: included again.
  REQUIRE(broker.Cli({"consent", "withdraw", frank_id, "--citizen", "frank"})
              .exit_code == 0);

  CliResult grant = RequestGrant(broker, frank, dataset);
  INFO(grant.err << grant.out);
  REQUIRE(grant.exit_code == 0);
  REQUIRE(Str(grant.json, {"decision", "outcome"}) == "permit");
  CHECK(GrantSubjects(grant) == frank);
  const std::string grant_id = FirstGrantId(grant);
  const std::string grant_rev = Num(grant.json, {"revision"});

  // Objecting again (a renewal of the objection) revokes that grant.
  CliResult objects = Give(broker, "frank", {}, dataset);
  REQUIRE(objects.exit_code == 0);
  CHECK(Str(objects.json, {"consent", "id"}) == frank_id);
  CliResult revoked = Watch(broker, grant_rev, 1);
  INFO(revoked.err);
  REQUIRE(revoked.exit_code == 0);
  CHECK(Str(revoked.json, {"cause"}) == "objection");
  REQUIRE(Count(revoked.json, {"grant_ids"}) == 1);
  CHECK(*revoked.json.Find("grant_ids")->AsArray()->at(0).AsString() ==
        grant_id);
  CliResult after = RequestGrant(broker, frank, dataset);
  REQUIRE(after.exit_code == 0);
  CHECK(GrantSubjects(after).empty());
}

}  // namespace
}  // namespace accord::testing
