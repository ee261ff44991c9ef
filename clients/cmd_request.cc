// accord request draft|submit|approve|reject|close|list|show|stats —
// consent requests through ConsentRequestService: partners draft and submit
// them, producers approve or reject them (connect with --as in dev mode).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "accord/v1/requests.grpc.pb.h"
#include "broker/cmdline/usage_error.h"
#include "clients/commands.h"
#include "clients/notice_text.h"
#include "clients/request_file.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using A = cmdline::FlagSpec::Arity;
using Stub = v1::ConsentRequestService::Stub;

// --state: draft, pending (or pending-approval), open, closed, rejected.
absl::StatusOr<v1::ConsentRequestState> ParseState(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  if (lower == "draft") return v1::CONSENT_REQUEST_STATE_DRAFT;
  if (lower == "pending" || lower == "pending-approval" ||
      lower == "pending_approval") {
    return v1::CONSENT_REQUEST_STATE_PENDING_APPROVAL;
  }
  if (lower == "open") return v1::CONSENT_REQUEST_STATE_OPEN;
  if (lower == "closed") return v1::CONSENT_REQUEST_STATE_CLOSED;
  if (lower == "rejected") return v1::CONSENT_REQUEST_STATE_REJECTED;
  return cmdline::UsageError(
      "--state: expected draft, pending, open, closed or rejected");
}

// --lang: fr (default) or en.
absl::StatusOr<policy::Language> ParseLang(const cmdline::ParsedArgs& args) {
  policy::Language language = policy::Language::kFr;
  if (std::optional<std::string> lang = args.Get("lang")) {
    if (!policy::ParseLanguage(*lang, &language)) {
      return cmdline::UsageError("--lang: expected fr or en");
    }
  }
  return language;
}

// The one positional ID of a command.
absl::StatusOr<std::string> RequestId(const cmdline::ParsedArgs& args) {
  if (absl::Status s = args.ExpectPositionals({"ID"}); !s.ok()) return s;
  if (args.positionals()[0].empty()) return cmdline::UsageError("ID: empty");
  return args.positionals()[0];
}

// JSON: the response; text: one sentence.
absl::Status Said(CommandContext& ctx, const v1::ConsentRequestResponse& r,
                  absl::string_view sentence) {
  return ctx.output().ShowText(r, absl::StrCat(sentence, "\n"));
}

absl::Status Draft(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  absl::StatusOr<std::string> path = args.Require("file");
  if (!path.ok()) return path.status();
  std::optional<std::string> id = args.Get("request");
  if (id.has_value() && id->empty())
    return cmdline::UsageError("--request: empty");
  absl::StatusOr<std::string> text = ReadSmallFile(*path);
  if (!text.ok()) return text.status();
  absl::StatusOr<v1::ConsentRequestSpec> spec =
      ParseRequestFile(*text, *path, ctx.now());
  if (!spec.ok()) return spec.status();
  v1::PutConsentRequestRequest request;
  request.set_request_id(id.value_or(""));
  *request.mutable_spec() = *std::move(spec);
  v1::ConsentRequestResponse response;
  absl::Status s = ctx.Call(&Stub::PutConsentRequest, request, &response);
  if (!s.ok()) return s;
  const v1::ConsentRequest& r = response.request();
  std::string sentence;
  if (!id.has_value()) {
    sentence = absl::StrCat("request ", r.id(), " drafted");
  } else if (r.state() == v1::CONSENT_REQUEST_STATE_OPEN) {
    sentence = absl::StrCat("change to request ", r.id(), " drafted; version ",
                            r.version(), " stays open until it is approved");
  } else {
    sentence = absl::StrCat("draft of request ", r.id(), " replaced");
  }
  return Said(ctx, response, sentence);
}

absl::Status Submit(CommandContext& ctx) {
  absl::StatusOr<std::string> id = RequestId(ctx.args());
  if (!id.ok()) return id.status();
  v1::SubmitConsentRequestRequest request;
  request.set_request_id(*id);
  v1::ConsentRequestResponse response;
  absl::Status s = ctx.Call(&Stub::SubmitConsentRequest, request, &response);
  if (!s.ok()) return s;
  return Said(ctx, response,
              absl::StrCat("request ", *id, " submitted for approval"));
}

absl::Status Review(CommandContext& ctx, bool approve) {
  const cmdline::ParsedArgs& args = ctx.args();
  absl::StatusOr<std::string> id = RequestId(args);
  if (!id.ok()) return id.status();
  v1::ReviewConsentRequestRequest request;
  request.set_request_id(*id);
  request.set_approve(approve);
  if (approve) {
    request.set_reason(args.GetOr("reason", ""));
    request.set_renewal_required(args.Has("renewal-required"));
  } else {
    absl::StatusOr<std::string> reason = args.Require("reason");
    if (!reason.ok()) return reason.status();
    request.set_reason(*reason);
  }
  v1::ConsentRequestResponse response;
  absl::Status s = ctx.Call(&Stub::ReviewConsentRequest, request, &response);
  if (!s.ok()) return s;
  if (!approve)
    return Said(ctx, response, absl::StrCat("request ", *id, " rejected"));
  return Said(ctx, response,
              absl::StrCat("request ", *id, " approved: version ",
                           response.request().version(), " is open",
                           request.renewal_required()
                               ? "; earlier consents must be renewed"
                               : ""));
}

absl::Status Approve(CommandContext& ctx) { return Review(ctx, true); }
absl::Status Reject(CommandContext& ctx) { return Review(ctx, false); }

absl::Status Close(CommandContext& ctx) {
  absl::StatusOr<std::string> id = RequestId(ctx.args());
  if (!id.ok()) return id.status();
  v1::CloseConsentRequestRequest request;
  request.set_request_id(*id);
  request.set_reason(ctx.args().GetOr("reason", ""));
  v1::ConsentRequestResponse response;
  absl::Status s = ctx.Call(&Stub::CloseConsentRequest, request, &response);
  if (!s.ok()) return s;
  return Said(ctx, response, absl::StrCat("request ", *id, " closed"));
}

absl::Status List(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  v1::ConsentRequestState state = v1::CONSENT_REQUEST_STATE_UNSPECIFIED;
  if (std::optional<std::string> text = args.Get("state")) {
    absl::StatusOr<v1::ConsentRequestState> parsed = ParseState(*text);
    if (!parsed.ok()) return parsed.status();
    state = *parsed;
  }
  v1::ListConsentRequestsResponse all;
  absl::Status s = CollectPages(
      [&](const std::string& token, v1::ListConsentRequestsResponse* page) {
        v1::ListConsentRequestsRequest request;
        request.set_dataset_id(args.GetOr("dataset", ""));
        request.set_state(state);
        request.set_page_token(token);
        return ctx.Call(&Stub::ListConsentRequests, request, page);
      },
      &all);
  if (!s.ok()) return s;
  if (ctx.output().format() == OutputFormat::kJson) {
    return ctx.output().Show(all);
  }
  // One row per request: what it asks for (its current version, or its
  // draft before the first approval).
  if (all.requests().empty()) return ctx.output().ShowText(all, "(none)\n");
  std::vector<std::vector<std::string>> rows = {
      {"ID", "STATE", "VERSION", "PARTNER", "DATASET", "PURPOSE", "CLOSES_AT",
       "CHANGE", "TITLE"}};
  for (const v1::ConsentRequest& r : all.requests()) {
    const v1::ConsentRequestSpec& spec =
        r.has_current() ? r.current() : r.proposed();
    std::string change = "-";
    if (r.has_current() && r.has_proposed()) {
      change = r.proposed_submitted() ? "pending" : "draft";
    }
    rows.push_back({r.id(), FieldText(r, "state"), absl::StrCat(r.version()),
                    r.partner(), spec.dataset_id(), spec.purpose(),
                    FieldText(spec, "closes_at"), change, spec.title().fr()});
  }
  return ctx.output().ShowText(all, FormatRows(rows));
}

absl::Status Show(CommandContext& ctx) {
  absl::StatusOr<std::string> id = RequestId(ctx.args());
  if (!id.ok()) return id.status();
  absl::StatusOr<policy::Language> language = ParseLang(ctx.args());
  if (!language.ok()) return language.status();
  v1::GetConsentRequestRequest request;
  request.set_request_id(*id);
  v1::ConsentRequestResponse response;
  absl::Status s = ctx.Call(&Stub::GetConsentRequest, request, &response);
  if (!s.ok()) return s;
  const v1::ConsentRequest& r = response.request();
  std::string text = NoticeText(r, *language);
  const bool fr = *language == policy::Language::kFr;
  if (r.has_current() && r.has_proposed()) {
    // The change as it would read once approved, after the open version.
    v1::ConsentRequest change = r;
    change.clear_notice();
    change.clear_notice_hash();
    change.clear_proposed();
    *change.mutable_current() = r.proposed();
    change.set_version(r.version() + 1);
    change.set_state(r.proposed_submitted()
                         ? v1::CONSENT_REQUEST_STATE_PENDING_APPROVAL
                         : v1::CONSENT_REQUEST_STATE_DRAFT);
    absl::StrAppend(&text, "\n",
                    fr ? "Modification proposée :\n" : "Proposed change:\n",
                    NoticeText(change, *language));
  }
  if (!r.rejection_reason().empty()) {
    absl::StrAppend(&text, fr ? "Motif du rejet : " : "Rejected because: ",
                    r.rejection_reason(), "\n");
  }
  return ctx.output().ShowText(response, text);
}

absl::Status Stats(CommandContext& ctx) {
  absl::StatusOr<std::string> id = RequestId(ctx.args());
  if (!id.ok()) return id.status();
  v1::GetConsentRequestStatsRequest request;
  request.set_request_id(*id);
  v1::GetConsentRequestStatsResponse response;
  absl::Status s = ctx.Call(&Stub::GetConsentRequestStats, request, &response);
  if (!s.ok()) return s;
  // The broker's own text of each count: "12", or "< 10" under the
  // threshold.
  auto count = [](const v1::ThresholdedCount& c) {
    return c.text().empty() ? absl::StrCat(c.count()) : c.text();
  };
  std::string text =
      absl::StrCat("request:    ", response.request_id(), "\n",
                   "version:    ", response.version(), "\n",
                   "threshold:  ", response.threshold(), "\n",
                   "accepted:   ", count(response.accepted()), "\n",
                   "refused:    ", count(response.refused()), "\n",
                   "withdrawn:  ", count(response.withdrawn()), "\n",
                   "live:       ", count(response.live()), "\n");
  return ctx.output().ShowText(response, text);
}

}  // namespace

CommandGroup RequestCommands() {
  return {
      "request",
      "consent requests: partners draft, producers approve, citizens answer",
      {
          {{"draft"},
           "--file FILE [--request ID]",
           "create a draft from a YAML or JSON file, replace a draft, or "
           "propose a change to an open request",
           {{"file",
             A::kValue,
             "FILE",
             "the request (see clients/examples/requests/)",
             {}},
            {"request",
             A::kValue,
             "ID",
             "the request to replace the draft of, or to change",
             {}}},
           Draft},
          {{"submit"},
           "ID",
           "submit a draft or a change for approval",
           {},
           Submit},
          {{"approve"},
           "ID [--renewal-required] [--reason TEXT]",
           "approve what is pending (the dataset's producer)",
           {{"renewal-required",
             A::kSwitch,
             "",
             "consents to earlier versions cover nothing until renewed",
             {}},
            {"reason", A::kValue, "TEXT", "why", {}}},
           Approve},
          {{"reject"},
           "ID --reason TEXT",
           "reject what is pending (the dataset's producer)",
           {{"reason", A::kValue, "TEXT", "why, shown to the partner", {}}},
           Reject},
          {{"close"},
           "ID [--reason TEXT]",
           "close an open request; consents given stay",
           {{"reason", A::kValue, "TEXT", "why", {}}},
           Close},
          {{"list"},
           "[--dataset D] [--state S]",
           "the requests you may see, newest first",
           {{"dataset", A::kValue, "D", "only this dataset", {}},
            {"state",
             A::kValue,
             "S",
             "draft, pending, open, closed or rejected",
             {}}},
           List},
          {{"show"},
           "ID [--lang fr|en]",
           "a request in words (text) or the whole record (JSON)",
           {{"lang",
             A::kValue,
             "fr|en",
             "language of the text (default fr)",
             {}}},
           Show},
          {{"stats"},
           "ID",
           "how many citizens accepted, refused, withdrew; small counts as "
           "\"< k\"",
           {},
           Stats},
      }};
}

}  // namespace accord::client
