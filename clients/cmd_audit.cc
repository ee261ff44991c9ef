// accord audit checkpoint|entries|prove|query|verify — thin calls to
// AuditService. `audit verify` recomputes the log offline with the audit
// log library and is not available until that library is linked.

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "accord/v1/audit.grpc.pb.h"
#include "clients/commands.h"
#include "clients/time_format.h"
#include "clients/usage_error.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using A = FlagSpec::Arity;

absl::Status Checkpoint(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({}); !s.ok()) return s;
  v1::GetCheckpointResponse response;
  absl::Status s = ctx.Call(&v1::AuditService::Stub::GetCheckpoint,
                            v1::GetCheckpointRequest(), &response);
  if (!s.ok()) return s;
  if (ctx.output().format() == OutputFormat::kJson) {
    return ctx.output().Show(response);
  }
  // The signed note is multi-line; print it as is after the summary.
  v1::GetCheckpointResponse summary = response;
  summary.clear_checkpoint();
  return ctx.output().ShowText(
      response, absl::StrCat(FormatHuman(summary), "\n", response.checkpoint()));
}

absl::Status Entries(CommandContext& ctx) {
  const ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  absl::StatusOr<std::optional<uint64_t>> start =
      args.GetUint("start", UINT64_MAX);
  if (!start.ok()) return start.status();
  absl::StatusOr<std::optional<uint64_t>> count =
      args.GetUint("count", UINT32_MAX);
  if (!count.ok()) return count.status();
  v1::GetEntriesRequest request;
  request.set_start(start->value_or(0));
  request.set_count(static_cast<uint32_t>(count->value_or(100)));
  v1::GetEntriesResponse response;
  absl::Status s =
      ctx.Call(&v1::AuditService::Stub::GetEntries, request, &response);
  if (!s.ok()) return s;
  return ctx.output().ShowList(
      response, "entries",
      {"index", "event.type", "event.time", "event.actor", "event.dataset_id",
       "event.purpose", "event.decision", "event.grant_id"});
}

absl::Status Prove(CommandContext& ctx) {
  const ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  absl::StatusOr<std::optional<uint64_t>> index =
      args.GetUint("index", UINT64_MAX);
  if (!index.ok()) return index.status();
  absl::StatusOr<std::optional<uint64_t>> tree_size =
      args.GetUint("tree-size", UINT64_MAX);
  if (!tree_size.ok()) return tree_size.status();
  absl::StatusOr<std::optional<uint64_t>> from =
      args.GetUint("from", UINT64_MAX);
  if (!from.ok()) return from.status();
  absl::StatusOr<std::optional<uint64_t>> to = args.GetUint("to", UINT64_MAX);
  if (!to.ok()) return to.status();
  const bool grant = args.Has("grant");
  const int modes = (index->has_value() ? 1 : 0) + (grant ? 1 : 0) +
                    (from->has_value() || to->has_value() ? 1 : 0);
  if (modes != 1) {
    return UsageError(
        "exactly one of --index N, --grant ID or --from N --to M is required");
  }
  if (from->has_value() || to->has_value()) {
    if (!from->has_value() || !to->has_value()) {
      return UsageError("--from and --to go together");
    }
    v1::GetConsistencyProofRequest request;
    request.set_from_size(**from);
    request.set_to_size(**to);
    v1::GetConsistencyProofResponse response;
    absl::Status s = ctx.Call(&v1::AuditService::Stub::GetConsistencyProof,
                              request, &response);
    if (!s.ok()) return s;
    return ctx.output().Show(response);
  }
  v1::GetInclusionProofRequest request;
  if (grant) {
    absl::StatusOr<std::string> id = args.Require("grant");
    if (!id.ok()) return id.status();
    request.set_grant_id(*id);
  } else {
    request.set_index(**index);
  }
  request.set_tree_size(tree_size->value_or(0));
  v1::GetInclusionProofResponse response;
  absl::Status s =
      ctx.Call(&v1::AuditService::Stub::GetInclusionProof, request, &response);
  if (!s.ok()) return s;
  return ctx.output().Show(response);
}

absl::StatusOr<v1::Outcome> ParseOutcome(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  if (lower == "permit") return v1::OUTCOME_PERMIT;
  if (lower == "deny") return v1::OUTCOME_DENY;
  return UsageError("--decision: expected permit or deny");
}

absl::StatusOr<v1::EventType> ParseEventType(absl::string_view text) {
  std::string name =
      absl::StrCat("EVENT_TYPE_", absl::AsciiStrToUpper(text));
  for (char& c : name) c = c == '-' ? '_' : c;
  v1::EventType type;
  if (!v1::EventType_Parse(name, &type) || type == v1::EVENT_TYPE_UNSPECIFIED) {
    return UsageError(
        "--type: expected decision, consent, policy, dataset, principal, key "
        "or grant-release");
  }
  return type;
}

absl::Status Query(CommandContext& ctx) {
  const ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  v1::QueryEventsRequest base;
  base.set_partner(args.GetOr("partner", ""));
  base.set_dataset_id(args.GetOr("dataset", ""));
  base.set_subject(args.GetOr("subject", ""));
  base.set_purpose(args.GetOr("purpose", ""));
  if (std::optional<std::string> d = args.Get("decision")) {
    absl::StatusOr<v1::Outcome> outcome = ParseOutcome(*d);
    if (!outcome.ok()) return outcome.status();
    base.set_decision(*outcome);
  }
  if (std::optional<std::string> t = args.Get("type")) {
    absl::StatusOr<v1::EventType> type = ParseEventType(*t);
    if (!type.ok()) return type.status();
    base.set_type(*type);
  }
  for (const char* flag : {"since", "until"}) {
    std::optional<std::string> text = args.Get(flag);
    if (!text.has_value()) continue;
    absl::StatusOr<int64_t> at = ParseTimestamp(*text, absl::StrCat("--", flag));
    if (!at.ok()) return UsageError(at.status().message());
    if (absl::string_view(flag) == "since") {
      base.set_since(*at);
    } else {
      base.set_until(*at);
    }
  }
  v1::QueryEventsResponse all;
  absl::Status s = CollectPages(
      [&](const std::string& token, v1::QueryEventsResponse* page) {
        v1::QueryEventsRequest request = base;
        request.set_page_token(token);
        return ctx.Call(&v1::AuditService::Stub::QueryEvents, request, page);
      },
      &all);
  if (!s.ok()) return s;
  return ctx.output().ShowList(
      all, "entries",
      {"index", "event.type", "event.time", "event.actor", "event.dataset_id",
       "event.purpose", "event.decision", "event.grant_id"});
}

absl::Status Verify(CommandContext& /*ctx*/) {
  return NotAvailableError(
      "audit verify is not available yet in this build (needs the audit log "
      "library)");
}

}  // namespace

CommandGroup AuditCommands() {
  return {
      "audit",
      "the tamper-evident audit log: checkpoint, entries, proofs, queries",
      {
          {{"checkpoint"}, "", "the latest signed checkpoint", {}, Checkpoint},
          {{"entries"}, "[--start N] [--count N]", "log entries by index",
           {{"start", A::kValue, "N", "first index (default 0)", {}},
            {"count", A::kValue, "N", "how many (default 100)", {}}},
           Entries},
          {{"prove"},
           "(--index N | --grant ID) [--tree-size N] | --from N --to M",
           "inclusion proof of an entry, or consistency proof of two sizes",
           {{"index", A::kValue, "N", "entry index", {}},
            {"grant", A::kValue, "ID", "the entry of this grant", {}},
            {"tree-size", A::kValue, "N", "tree size (default: latest)", {}},
            {"from", A::kValue, "N", "older tree size", {}},
            {"to", A::kValue, "M", "newer tree size", {}}},
           Prove},
          {{"query"},
           "[--partner P] [--dataset D] [--subject S] [--purpose X] "
           "[--decision permit|deny] [--type T] [--since T] [--until T]",
           "search the events",
           {{"partner", A::kValue, "P", "partner id", {}},
            {"dataset", A::kValue, "D", "dataset id", {}},
            {"subject", A::kValue, "S", "subject pseudonym", {}},
            {"purpose", A::kValue, "X", "purpose id", {}},
            {"decision", A::kValue, "permit|deny", "decision outcome", {}},
            {"type", A::kValue, "T", "event type", {}},
            {"since", A::kValue, "TIME", "RFC 3339 or Unix seconds", {}},
            {"until", A::kValue, "TIME", "RFC 3339 or Unix seconds", {}}},
           Query},
          {{"verify"}, "", "recompute and check the log (not available yet)",
           {}, Verify},
      }};
}

}  // namespace accord::client
