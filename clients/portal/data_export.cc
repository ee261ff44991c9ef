#include "clients/portal/data_export.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "broker/formats/json.h"

namespace accord::portal {
namespace {

// `text` (a broker answer in JSON) as a value, or INTERNAL naming `what`.
absl::StatusOr<formats::JsonValue> Parsed(const std::string& text,
                                          absl::string_view what) {
  absl::StatusOr<formats::JsonValue> value = formats::ParseJson(text);
  if (!value.ok()) {
    return absl::InternalError(
        absl::StrCat(what, ": the broker's answer is not JSON"));
  }
  return value;
}

}  // namespace

absl::StatusOr<std::string> PersonalDataExport(const BrokerClient& broker,
                                               const std::string& token,
                                               int64_t now) {
  absl::StatusOr<std::string> records = broker.ExportConsentRecords(token);
  if (!records.ok()) return records.status();
  absl::StatusOr<std::string> consents = broker.ListConsents(token);
  if (!consents.ok()) return consents.status();
  absl::StatusOr<std::string> history = broker.AccessHistory(token);
  if (!history.ok()) return history.status();
  absl::StatusOr<std::string> keys = broker.VerificationKeys(token);
  if (!keys.ok()) return keys.status();

  absl::StatusOr<formats::JsonValue> records_json =
      Parsed(*records, "consent records");
  absl::StatusOr<formats::JsonValue> consents_json =
      Parsed(*consents, "consents");
  absl::StatusOr<formats::JsonValue> history_json =
      Parsed(*history, "access history");
  absl::StatusOr<formats::JsonValue> keys_json =
      Parsed(*keys, "verification keys");
  for (const auto* parsed :
       {&records_json, &consents_json, &history_json, &keys_json}) {
    if (!parsed->ok()) return parsed->status();
  }

  formats::JsonValue receipts = formats::JsonValue::Array();
  const formats::JsonValue* list = consents_json->Find("consents");
  if (list != nullptr && list->is_array()) {
    for (const formats::JsonValue& consent : *list->AsArray()) {
      absl::StatusOr<std::string> id = consent.GetString("id");
      if (!id.ok()) continue;
      absl::StatusOr<std::string> jws = broker.GetReceipt(token, *id);
      if (!jws.ok()) return jws.status();
      receipts.Push(
          formats::JsonValue::Object().Set("consent_id", *id).Set("jws", *jws));
    }
  }
  formats::JsonValue document = formats::JsonValue::Object();
  document.Set("format", "accord-portal-export/1")
      .Set("generated_at", static_cast<long long>(now))
      .Set("consent_records", *std::move(records_json))
      .Set("receipts", std::move(receipts))
      .Set("receipt_keys", *std::move(keys_json))
      .Set("access_history", *std::move(history_json));
  return document.Serialize();
}

}  // namespace accord::portal
