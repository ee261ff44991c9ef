#include "clients/grant_batch.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "broker/cmdline/usage_error.h"
#include "broker/formats/json.h"
#include "broker/rpc/status.h"
#include "clients/output.h"
#include "google/protobuf/util/json_util.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;

// A hundred requests of up to 100,000 subjects each stay well below this.
constexpr size_t kMaxBatchFileBytes = 64 * 1024 * 1024;

// `text` with two spaces before each line.
std::string Indent(absl::string_view text) {
  if (text.empty()) return "";
  return absl::StrCat(
      "  ",
      absl::StrReplaceAll(absl::StripSuffix(text, "\n"), {{"\n", "\n  "}}),
      "\n");
}

}  // namespace

absl::StatusOr<v1::RequestGrantsRequest> ParseGrantBatch(
    absl::string_view text, absl::string_view name) {
  formats::JsonLimits limits;
  limits.max_bytes = kMaxBatchFileBytes;
  absl::StatusOr<formats::JsonValue> json = formats::ParseJson(text, limits);
  if (!json.ok()) {
    return cmdline::UsageError(
        absl::StrCat(name, ": ", json.status().message()));
  }
  const formats::JsonValue::Elements* items = json->AsArray();
  if (items == nullptr) {
    return cmdline::UsageError(
        absl::StrCat(name, ": not a JSON array of grant requests"));
  }
  v1::RequestGrantsRequest batch;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a typo must not drop a constraint
  for (size_t i = 0; i < items->size(); ++i) {
    const formats::JsonValue& item = (*items)[i];
    if (!item.is_object()) {
      return cmdline::UsageError(
          absl::StrCat(name, ": request [", i, "] is not a JSON object"));
    }
    v1::RequestGrantRequest* request = batch.add_requests();
    auto status = google::protobuf::util::JsonStringToMessage(item.Serialize(),
                                                              request, options);
    if (!status.ok()) {
      return cmdline::UsageError(absl::StrCat(
          name, ": request [", i, "]: ", std::string(status.message())));
    }
  }
  return batch;
}

std::string GrantBatchText(const v1::RequestGrantsResponse& response) {
  std::string text;
  int permits = 0, denials = 0, errors = 0;
  for (int i = 0; i < response.results_size(); ++i) {
    const v1::RequestGrantsResult& result = response.results(i);
    // A code this client does not know is shown as UNKNOWN, never as OK.
    const absl::StatusCode code = rpc::CanonicalCode(result.status_code());
    if (code != absl::StatusCode::kOk) {
      ++errors;
      absl::StrAppend(&text, "[", i, "] ", absl::StatusCodeToString(code), ": ",
                      result.status_message(), "\n");
      continue;
    }
    if (result.response().decision().outcome() == v1::OUTCOME_PERMIT) {
      ++permits;
    } else {
      ++denials;
    }
    absl::StrAppend(&text, "[", i, "] OK\n",
                    Indent(FormatHuman(result.response())));
  }
  absl::StrAppend(&text, response.results_size(), " requests: ", permits,
                  " permitted, ", denials, " denied, ", errors, " failed\n");
  return text;
}

}  // namespace accord::client
