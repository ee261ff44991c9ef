#include "clients/output.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "absl/strings/match.h"
#include "accord/v1/access.pb.h"
#include "accord/v1/audit.pb.h"
#include "accord/v1/consent.pb.h"
#include "accord/v1/policy.pb.h"
#include "broker/cmdline/usage_error.h"
#include "broker/formats/json.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;

v1::Consent SampleConsent() {
  v1::Consent c;
  c.set_id("c1");
  c.set_dataset_id("rennes.bikes");
  c.mutable_recipient()->set_partner("univ");
  c.set_given_at(1777636800);
  c.set_state(v1::CONSENT_STATE_GIVEN);
  v1::ConsentEvent* e = c.add_events();
  e->set_state(v1::CONSENT_STATE_GIVEN);
  e->set_at(1777636800);
  return c;
}

TEST_CASE("output: JSON keeps proto field names and defaults") {
  auto json = ToJson(SampleConsent());
  REQUIRE(json.ok());
  auto parsed = formats::ParseJson(*json);
  REQUIRE(parsed.ok());
  CHECK(parsed->GetString("dataset_id").value() == "rennes.bikes");
  REQUIRE(parsed->Find("purpose") != nullptr);  // default value present
  CHECK(parsed->Find("datasetId") == nullptr);
}

TEST_CASE("output: JSON times, numbers, enums and hashes have one encoding") {
  v1::Consent consent = SampleConsent();
  consent.mutable_events(0)->set_revision(46);
  auto parsed = formats::ParseJson(*ToJson(consent));
  REQUIRE(parsed.ok());
  // Enums: short, lower case.
  CHECK(parsed->GetString("state").value() == "given");
  // Times: RFC 3339 UTC; unset times are null.
  CHECK(parsed->GetString("given_at").value() == "2026-05-01T12:00:00Z");
  REQUIRE(parsed->Find("expires_at") != nullptr);
  CHECK(parsed->Find("expires_at")->is_null());
  const formats::JsonValue* events = parsed->Find("events");
  REQUIRE(events != nullptr);
  REQUIRE(events->AsArray()->size() == 1);
  CHECK((*events->AsArray())[0].GetString("at").value() ==
        "2026-05-01T12:00:00Z");
  CHECK((*events->AsArray())[0].GetString("state").value() == "given");
  // uint64: a JSON number, not a string.
  CHECK((*events->AsArray())[0].GetInt64("revision").value() == 46);

  // Bytes: lowercase hex, single and repeated.
  v1::GetCheckpointResponse checkpoint;
  checkpoint.set_tree_size(3);
  checkpoint.set_root_hash(std::string("\x0a\xbc\xff", 3));
  auto cp = formats::ParseJson(*ToJson(checkpoint));
  REQUIRE(cp.ok());
  CHECK(cp->GetString("root_hash").value() == "0abcff");
  CHECK(cp->GetInt64("tree_size").value() == 3);
  v1::GetInclusionProofResponse proof;
  proof.add_proof(std::string("\x01\x02", 2));
  auto pr = formats::ParseJson(*ToJson(proof));
  REQUIRE(pr.ok());
  CHECK(*(*pr->Find("proof")->AsArray())[0].AsString() == "0102");
  CHECK(HashText(std::string("\xAB", 1)) == "ab");
}

TEST_CASE("output: text durations carry their unit") {
  v1::RequestGrantRequest request;
  request.set_lifetime_seconds(300);
  CHECK(absl::StrContains(FormatHuman(request), "5 min"));
  request.set_lifetime_seconds(45);
  CHECK(absl::StrContains(FormatHuman(request), "45 s"));
  // The delete_after duty's seconds, too; JSON keeps the value as sent.
  v1::Decision decision;
  v1::Duty* duty = decision.add_duties();
  duty->set_kind("delete_after");
  duty->set_value("2592000");
  decision.add_duties()->set_kind("aggregate_min_k");
  decision.mutable_duties(1)->set_value("10");
  const std::string text = FormatHuman(decision);
  CHECK(absl::StrContains(text, "30 d"));
  CHECK(absl::StrContains(text, "duties[1].value:  10\n"));
  CHECK(absl::StrContains(*ToJson(decision), "\"2592000\""));
}

TEST_CASE("output: human lines with short enums and RFC 3339 times") {
  std::string text = FormatHuman(SampleConsent());
  CHECK(absl::StrContains(text, "dataset_id:"));
  CHECK(absl::StrContains(text, "rennes.bikes"));
  CHECK(absl::StrContains(text, "recipient.partner:"));
  CHECK(absl::StrContains(text, "events[0].at:"));
  CHECK(absl::StrContains(text, "2026-05-01T12:00:00Z"));
  CHECK(absl::StrContains(text, "GIVEN"));
  CHECK_FALSE(absl::StrContains(text, "CONSENT_STATE_"));
  CHECK_FALSE(absl::StrContains(text, "1777636800"));
  CHECK_FALSE(absl::StrContains(text, "purpose:"));  // unset: left out
}

TEST_CASE("output: lists of messages print each member") {
  v1::Dataset dataset;
  dataset.set_id("d");
  dataset.mutable_description()->set_fr("Les relevés");
  accord::v1::FieldDescription* kwh = dataset.add_field_descriptions();
  kwh->set_field("kwh");
  kwh->mutable_text()->set_fr("L'énergie");
  kwh->mutable_text()->set_en("Energy");
  std::string text = FormatHuman(dataset);
  CHECK(absl::StrContains(text, "description.fr:"));
  CHECK(absl::StrContains(text, "field_descriptions[0].field:"));
  CHECK(absl::StrContains(text, "field_descriptions[0].text.fr:"));
  CHECK(absl::StrContains(text, "L'énergie\n"));
  CHECK(absl::StrContains(text, "Energy\n"));
}

TEST_CASE("output: rows as aligned columns") {
  CHECK(FormatRows({{"A", "BB"}, {"ccc", "d"}}) == "A    BB\nccc  d\n");
  CHECK(FormatRows({}).empty());
}

TEST_CASE("output: field paths and tables") {
  v1::ListConsentsResponse list;
  *list.add_consents() = SampleConsent();
  v1::Consent second = SampleConsent();
  second.set_id("c2");
  second.mutable_recipient()->set_category("academic");
  *list.add_consents() = second;

  CHECK(FieldText(list.consents(0), "recipient.partner") == "univ");
  CHECK(FieldText(list.consents(0), "state") == "GIVEN");
  CHECK(FieldText(list.consents(0), "no.such") == "");

  std::string table =
      FormatTable(list, "consents", {"id", "recipient.category", "given_at"});
  std::istringstream lines(table);
  std::string header, row1, row2, extra;
  std::getline(lines, header);
  std::getline(lines, row1);
  std::getline(lines, row2);
  CHECK_FALSE(std::getline(lines, extra));
  CHECK(absl::StartsWith(header, "ID"));
  CHECK(absl::StrContains(header, "RECIPIENT.CATEGORY"));
  CHECK(absl::StartsWith(row1, "c1"));
  CHECK(absl::StrContains(row1, "-"));
  CHECK(absl::StrContains(row2, "academic"));
  // Columns are aligned: the time starts at the same offset in each row.
  CHECK(row1.find("2026-") == row2.find("2026-"));
  CHECK(row1.find("2026-") == header.find("GIVEN_AT"));

  CHECK(FormatTable(v1::ListConsentsResponse(), "consents", {"id"}) ==
        "(none)\n");
  CHECK(FormatTable(list, "next_page_token", {"id"}).empty());
}

TEST_CASE("output: the format flag and one JSON document") {
  CHECK(ParseOutputFormat("json").value() == OutputFormat::kJson);
  CHECK(ParseOutputFormat("text").value() == OutputFormat::kHuman);
  CHECK(cmdline::IsUsageError(ParseOutputFormat("yaml").status()));

  std::ostringstream out;
  Output output(OutputFormat::kJson, &out);
  v1::ListConsentsResponse list;
  *list.add_consents() = SampleConsent();
  REQUIRE(output.ShowList(list, "consents", {"id"}).ok());
  auto parsed = formats::ParseJson(out.str().substr(0, out.str().size() - 1));
  REQUIRE(parsed.ok());
  CHECK(parsed->Find("consents") != nullptr);

  std::ostringstream human_out;
  Output human(OutputFormat::kHuman, &human_out);
  REQUIRE(human.ShowJson("{\"a\":1}", "text").ok());
  CHECK(human_out.str() == "text\n");
}

TEST_CASE("output: the error line names the code and keeps the message") {
  CHECK(
      ErrorLine(absl::PermissionDeniedError("caller may not call PutPolicy")) ==
      "accord: PERMISSION_DENIED: caller may not call PutPolicy");
  CHECK(ErrorLine(absl::UnavailableError("")) == "accord: UNAVAILABLE: ");
}

}  // namespace
}  // namespace accord::client
