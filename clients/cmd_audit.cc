// accord audit checkpoint|entries|prove|query|export|verify — calls to
// AuditService, checked on the auditor's side with the audit log library:
// checkpoint signatures, inclusion proofs, and `verify`, which recomputes
// the whole tree from the entries (of a live broker or of an export file).

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "accord/v1/audit.grpc.pb.h"
#include "accord/v1/trust.grpc.pb.h"
#include "broker/auditlog/checkpoint.h"
#include "broker/auditlog/entry.h"
#include "broker/auditlog/export_file.h"
#include "broker/auditlog/log_audit.h"
#include "broker/auditlog/merkle.h"
#include "broker/cmdline/usage_error.h"
#include "broker/formats/base64url.h"
#include "broker/formats/json.h"
#include "clients/cmd_subject_key.h"
#include "clients/commands.h"
#include "clients/time_format.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using A = cmdline::FlagSpec::Arity;

constexpr uint32_t kEntriesPerCall = 1000;

// The checkpoint verifier key. Not `--key`: that connection flag is the
// client's TLS key. `audit verify --file` opens no connection and also takes
// the key as `--key`.
const cmdline::FlagSpec kLogKeyFlag{
    "log-key",
    A::kValue,
    "KEY",
    "checkpoint verifier key, or a file holding it "
    "(default: the broker's, from TrustService)",
    {}};

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(what, ": cannot read ", path));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::Status WriteFile(const std::string& path, absl::string_view data,
                       absl::string_view what) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.close();
  if (!out) {
    return absl::PermissionDeniedError(
        absl::StrCat(what, ": cannot write ", path));
  }
  return absl::OkStatus();
}

// The checkpoint verifier key: --log-key (the key itself, or a file holding
// it); for an offline `verify --file`, --key; else the one the broker
// publishes.
absl::StatusOr<std::string> VerifierKey(CommandContext& ctx) {
  std::optional<std::string> key = ctx.args().Get("log-key");
  if (!key.has_value() && ctx.args().Has("file")) key = ctx.args().Get("key");
  if (key.has_value()) {
    if (key->find('+') != std::string::npos) return *key;
    absl::StatusOr<std::string> text = ReadFile(*key, "checkpoint key");
    if (!text.ok()) return text.status();
    return std::string(absl::StripAsciiWhitespace(*text));
  }
  v1::GetVerificationKeysResponse keys;
  absl::Status s = ctx.Call(&v1::TrustService::Stub::GetVerificationKeys,
                            v1::GetVerificationKeysRequest(), &keys);
  if (!s.ok()) return s;
  if (keys.checkpoint_key().empty()) {
    return absl::FailedPreconditionError(
        "the broker publishes no checkpoint key; pass --key");
  }
  return keys.checkpoint_key();
}

absl::StatusOr<auditlog::Checkpoint> OpenNote(absl::string_view note,
                                              absl::string_view key,
                                              absl::string_view what) {
  absl::StatusOr<auditlog::Checkpoint> checkpoint =
      auditlog::OpenCheckpoint(note, auditlog::OriginOfVerifierKey(key), key);
  if (!checkpoint.ok()) {
    return absl::Status(
        checkpoint.status().code(),
        absl::StrCat(what, ": ", checkpoint.status().message()));
  }
  return checkpoint;
}

// The broker's latest checkpoint, its signature checked with `key`.
absl::StatusOr<std::pair<v1::GetCheckpointResponse, auditlog::Checkpoint>>
FetchCheckpoint(CommandContext& ctx, absl::string_view key) {
  v1::GetCheckpointResponse response;
  absl::Status s = ctx.Call(&v1::AuditService::Stub::GetCheckpoint,
                            v1::GetCheckpointRequest(), &response);
  if (!s.ok()) return s;
  absl::StatusOr<auditlog::Checkpoint> checkpoint =
      OpenNote(response.checkpoint(), key, "checkpoint");
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->size != response.tree_size() ||
      auditlog::HashToBytes(checkpoint->root) != response.root_hash()) {
    return absl::DataLossError(
        "checkpoint: tree_size or root_hash differ from the signed note");
  }
  return std::make_pair(std::move(response), *std::move(checkpoint));
}

// Entries [0, size) of the broker's log.
absl::StatusOr<std::vector<std::string>> FetchEntries(CommandContext& ctx,
                                                      uint64_t size) {
  std::vector<std::string> entries;
  while (entries.size() < size) {
    v1::GetEntriesRequest request;
    request.set_start(entries.size());
    request.set_count(static_cast<uint32_t>(
        std::min<uint64_t>(kEntriesPerCall, size - entries.size())));
    v1::GetEntriesResponse response;
    absl::Status s =
        ctx.Call(&v1::AuditService::Stub::GetEntries, request, &response);
    if (!s.ok()) return s;
    if (response.entries().empty()) {
      return absl::DataLossError(absl::StrCat(
          "entries: the broker returned none from index ", entries.size()));
    }
    for (v1::LogEntry& e : *response.mutable_entries()) {
      if (e.index() != entries.size()) {
        return absl::DataLossError(absl::StrCat(
            "entries: expected index ", entries.size(), ", got ", e.index()));
      }
      entries.push_back(std::move(*e.mutable_raw()));
      if (entries.size() == size) break;
    }
  }
  return entries;
}

absl::Status Key(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({}); !s.ok()) return s;
  absl::StatusOr<std::string> key = VerifierKey(ctx);
  if (!key.ok()) return key.status();
  if (std::optional<std::string> save = ctx.args().Get("save")) {
    if (absl::Status s = WriteFile(*save, *key + "\n", "--save"); !s.ok()) {
      return s;
    }
  }
  formats::JsonValue out = formats::JsonValue::Object();
  out.Set("checkpoint_key", *key);
  return ctx.output().ShowJson(out.Serialize(), *key + "\n");
}

absl::Status Checkpoint(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({}); !s.ok()) return s;
  absl::StatusOr<std::string> key = VerifierKey(ctx);
  if (!key.ok()) return key.status();
  auto fetched = FetchCheckpoint(ctx, *key);
  if (!fetched.ok()) return fetched.status();
  const v1::GetCheckpointResponse& response = fetched->first;
  if (std::optional<std::string> save = ctx.args().Get("save")) {
    if (absl::Status s = WriteFile(*save, response.checkpoint(), "--save");
        !s.ok()) {
      return s;
    }
  }
  if (ctx.output().format() == OutputFormat::kJson) {
    return ctx.output().Show(response);
  }
  // The signed note is multi-line; print it as is after the summary.
  v1::GetCheckpointResponse summary = response;
  summary.clear_checkpoint();
  std::string saved;
  if (std::optional<std::string> save = ctx.args().Get("save")) {
    saved = absl::StrCat("checkpoint of tree size ", response.tree_size(),
                         " saved to ", *save, "\n");
  }
  return ctx.output().ShowText(
      response, absl::StrCat(FormatHuman(summary), "signature: verified\n",
                             response.checkpoint(), saved));
}

absl::Status Entries(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
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

// `audit prove --from N --to M`: the broker's consistency proof, shown.
absl::Status ShowConsistencyProof(CommandContext& ctx, uint64_t from,
                                  uint64_t to) {
  v1::GetConsistencyProofRequest request;
  request.set_from_size(from);
  request.set_to_size(to);
  v1::GetConsistencyProofResponse response;
  absl::Status s = ctx.Call(&v1::AuditService::Stub::GetConsistencyProof,
                            request, &response);
  if (!s.ok()) return s;
  return ctx.output().Show(response);
}

// Checks an inclusion proof of the broker's against the signed checkpoint
// `head`: fetches the proven entry and recomputes the root. DATA_LOSS when
// the entry is not returned or the proof does not lead to the root.
absl::Status CheckInclusion(CommandContext& ctx,
                            const v1::GetInclusionProofResponse& response,
                            const auditlog::Checkpoint& head) {
  v1::GetEntriesRequest entry_request;
  entry_request.set_start(response.index());
  entry_request.set_count(1);
  v1::GetEntriesResponse entry;
  absl::Status s =
      ctx.Call(&v1::AuditService::Stub::GetEntries, entry_request, &entry);
  if (!s.ok()) return s;
  if (entry.entries_size() != 1 ||
      entry.entries(0).index() != response.index()) {
    return absl::DataLossError(
        absl::StrCat("entry ", response.index(), ": not returned"));
  }
  const std::vector<std::string> proof(response.proof().begin(),
                                       response.proof().end());
  s = auditlog::VerifyInclusion(
      auditlog::HashToBytes(auditlog::HashLeaf(entry.entries(0).raw())),
      response.index(), head.size, proof, auditlog::HashToBytes(head.root));
  if (!s.ok()) {
    return absl::DataLossError(absl::StrCat(
        "entry ", response.index(), " is not proven in the checkpoint of size ",
        head.size, ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status Prove(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
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
    return cmdline::UsageError(
        "exactly one of --index N, --grant ID or --from N --to M is required");
  }
  if (from->has_value() || to->has_value()) {
    if (!from->has_value() || !to->has_value()) {
      return cmdline::UsageError("--from and --to go together");
    }
    return ShowConsistencyProof(ctx, **from, **to);
  }
  v1::GetInclusionProofRequest request;
  if (grant) {
    absl::StatusOr<std::string> id = args.Require("grant");
    if (!id.ok()) return id.status();
    request.set_grant_id(*id);
  } else {
    request.set_index(**index);
  }
  // The proof is checked against a checkpoint whose signature is checked:
  // the latest one, unless --tree-size asks for an older tree (then the
  // proof is only shown).
  absl::StatusOr<std::string> key = VerifierKey(ctx);
  if (!key.ok()) return key.status();
  auto head = FetchCheckpoint(ctx, *key);
  if (!head.ok()) return head.status();
  const bool verify = !tree_size->has_value() || **tree_size == 0 ||
                      **tree_size == head->second.size;
  request.set_tree_size(verify ? head->second.size : **tree_size);
  v1::GetInclusionProofResponse response;
  absl::Status s =
      ctx.Call(&v1::AuditService::Stub::GetInclusionProof, request, &response);
  if (!s.ok()) return s;
  if (!verify) return ctx.output().Show(response);
  if (absl::Status s = CheckInclusion(ctx, response, head->second); !s.ok()) {
    return s;
  }
  return ctx.output().ShowText(
      response,
      absl::StrCat(FormatHuman(response), "verified: entry ", response.index(),
                   " is in the signed checkpoint "
                   "of size ",
                   head->second.size, "\n"));
}

absl::StatusOr<v1::Outcome> ParseOutcome(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  if (lower == "permit") return v1::OUTCOME_PERMIT;
  if (lower == "deny") return v1::OUTCOME_DENY;
  return cmdline::UsageError("--decision: expected permit or deny");
}

absl::StatusOr<v1::EventType> ParseEventType(absl::string_view text) {
  std::string name = absl::StrCat("EVENT_TYPE_", absl::AsciiStrToUpper(text));
  for (char& c : name) c = c == '-' ? '_' : c;
  v1::EventType type;
  if (!v1::EventType_Parse(name, &type) || type == v1::EVENT_TYPE_UNSPECIFIED) {
    return cmdline::UsageError(
        "--type: expected decision, consent, policy, dataset, principal, key, "
        "grant-release, consent-request or subject-key-export");
  }
  return type;
}

absl::Status Query(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
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
    absl::StatusOr<int64_t> at =
        ParseTimestamp(*text, absl::StrCat("--", flag));
    if (!at.ok()) return cmdline::UsageError(at.status().message());
    if (absl::string_view(flag) == "since") {
      base.set_since(*at);
    } else {
      base.set_until(*at);
    }
  }
  uint32_t limit = 0;
  if (std::optional<std::string> text = args.Get("limit")) {
    if (!absl::SimpleAtoi(*text, &limit) || limit == 0) {
      return cmdline::UsageError(
          "--limit: expected a number of entries, 1 or more");
    }
    base.set_page_size(std::min<uint32_t>(limit, 1000));
  }
  v1::QueryEventsResponse all;
  uint64_t examined = 0;
  uint64_t scanned = 0;
  absl::Status s = CollectPages(
      [&](const std::string& token, v1::QueryEventsResponse* page) {
        v1::QueryEventsRequest request = base;
        request.set_page_token(token);
        absl::Status called =
            ctx.Call(&v1::AuditService::Stub::QueryEvents, request, page);
        examined += page->examined();
        scanned += page->scanned();
        return called;
      },
      &all,
      [&](const v1::QueryEventsResponse& so_far) {
        return limit != 0 &&
               static_cast<uint32_t>(so_far.entries_size()) >= limit;
      });
  if (!s.ok()) return s;
  if (limit != 0 && static_cast<uint32_t>(all.entries_size()) > limit) {
    all.mutable_entries()->DeleteSubrange(
        static_cast<int>(limit), all.entries_size() - static_cast<int>(limit));
  }
  all.set_examined(examined);
  all.set_scanned(scanned);
  if (scanned > 0) {
    // Not on standard output, which may be parsed.
    std::cerr << "note: " << scanned << " of the " << examined
              << " log entries examined were read one by one, without a "
                 "query index (a query by subject alone, or entries not "
                 "indexed yet)\n";
  }
  return ctx.output().ShowList(
      all, "entries",
      {"index", "event.type", "event.time", "event.actor", "event.dataset_id",
       "event.purpose", "event.decision", "event.grant_id"});
}

absl::Status Export(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({"FILE"}); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> key = VerifierKey(ctx);
  if (!key.ok()) return key.status();
  auto head = FetchCheckpoint(ctx, *key);
  if (!head.ok()) return head.status();
  auditlog::LogExport log;
  log.checkpoint_note = head->first.checkpoint();
  absl::StatusOr<std::vector<std::string>> entries =
      FetchEntries(ctx, head->second.size);
  if (!entries.ok()) return entries.status();
  log.entries = *std::move(entries);
  const std::string& path = ctx.args().positionals()[0];
  if (absl::Status s = WriteFile(path, auditlog::EncodeExport(log), "FILE");
      !s.ok()) {
    return s;
  }
  formats::JsonValue out = formats::JsonValue::Object();
  out.Set("file", path);
  out.Set("tree_size", static_cast<long long>(log.entries.size()));
  return ctx.output().ShowJson(
      out.Serialize(),
      absl::StrCat("exported ", log.entries.size(),
                   " entries and their checkpoint to ", path, "\n"));
}

// --since: a saved checkpoint note, or an earlier export.
absl::Status LoadSaved(const std::string& path, std::string* note,
                       std::optional<auditlog::LogExport>* saved) {
  absl::StatusOr<std::string> text = ReadFile(path, "--since");
  if (!text.ok()) return text.status();
  if (!auditlog::IsExport(*text)) {
    *note = *std::move(text);
    return absl::OkStatus();
  }
  absl::StatusOr<auditlog::LogExport> log = auditlog::ParseExport(*text);
  if (!log.ok()) {
    return cmdline::UsageError(
        absl::StrCat("--since: ", log.status().message()));
  }
  *note = log->checkpoint_note;
  *saved = *std::move(log);
  return absl::OkStatus();
}

// `audit verify --file`: the checkpoint note and entries of an export.
absl::Status ReadExportToVerify(const std::string& file,
                                auditlog::LogAuditInput& input,
                                std::vector<std::string>& entries) {
  absl::StatusOr<std::string> text = ReadFile(file, "--file");
  if (!text.ok()) return text.status();
  absl::StatusOr<auditlog::LogExport> log = auditlog::ParseExport(*text);
  if (!log.ok()) {
    return absl::DataLossError(
        absl::StrCat("--file: ", log.status().message()));
  }
  input.checkpoint_note = std::move(log->checkpoint_note);
  entries = std::move(log->entries);
  return absl::OkStatus();
}

// `audit verify` against the broker: its latest checkpoint (signed by
// `key`), every entry up to it, and its consistency proofs on demand.
absl::Status FetchLogToVerify(CommandContext& ctx, const std::string& key,
                              auditlog::LogAuditInput& input,
                              std::vector<std::string>& entries) {
  auto head = FetchCheckpoint(ctx, key);
  if (!head.ok()) return head.status();
  input.checkpoint_note = head->first.checkpoint();
  absl::StatusOr<std::vector<std::string>> fetched =
      FetchEntries(ctx, head->second.size);
  if (!fetched.ok()) return fetched.status();
  entries = *std::move(fetched);
  input.consistency = [&ctx](
                          uint64_t size1,
                          uint64_t size2) -> absl::StatusOr<auditlog::Proof> {
    v1::GetConsistencyProofRequest request;
    request.set_from_size(size1);
    request.set_to_size(size2);
    v1::GetConsistencyProofResponse response;
    absl::Status s = ctx.Call(&v1::AuditService::Stub::GetConsistencyProof,
                              request, &response);
    if (!s.ok()) return s;
    return auditlog::Proof(response.proof().begin(), response.proof().end());
  };
  return absl::OkStatus();
}

// Shows the audit's report (JSON or text); DATA_LOSS naming the problem
// when the log does not verify. `since` is the file of --since, if any.
absl::Status ShowVerifyReport(CommandContext& ctx,
                              const auditlog::VerifyReport& report,
                              const std::optional<std::string>& since) {
  formats::JsonValue out = formats::JsonValue::Object();
  out.Set("ok", report.ok());
  out.Set("size", static_cast<long long>(report.size));
  out.Set("root", HashText(auditlog::HashToBytes(report.root)));
  // The file of --since (a saved checkpoint), not a time.
  if (since.has_value()) out.Set("since_checkpoint_file", *since);
  std::string text = absl::StrCat(
      "entries: ", report.size,
      "\nroot: ", HashText(auditlog::HashToBytes(report.root)), "\n");
  if (report.ok()) {
    absl::StrAppend(&text, "verified: the entries match the signed checkpoint",
                    since.has_value() ? " and extend the saved one\n" : "\n");
  } else {
    if (report.first_bad_index.has_value()) {
      out.Set("first_bad_index",
              static_cast<long long>(*report.first_bad_index));
      out.Set("bad_range_end", static_cast<long long>(report.bad_range_end));
      absl::StrAppend(&text, "first bad index: ", *report.first_bad_index,
                      "\n");
    }
    out.Set("problem", report.problem);
    absl::StrAppend(&text, "problem: ", report.problem, "\n");
  }
  if (absl::Status s = ctx.output().ShowJson(out.Serialize(), text); !s.ok()) {
    return s;
  }
  if (report.ok()) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      "the audit log does not verify",
      report.first_bad_index.has_value()
          ? absl::StrCat(" (first bad index ", *report.first_bad_index, ")")
          : "",
      ": ", report.problem));
}

absl::Status Verify(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  std::optional<std::string> file = args.Get("file");
  if (file.has_value() && !args.Has("key") && !args.Has("log-key")) {
    return cmdline::UsageError("--file needs --key: the verifier key to trust");
  }
  absl::StatusOr<std::string> key = VerifierKey(ctx);
  if (!key.ok()) return key.status();
  auditlog::LogAuditInput input;
  input.verifier_key = *key;
  std::optional<auditlog::LogExport> saved;
  if (std::optional<std::string> since = args.Get("since")) {
    std::string note;
    if (absl::Status s = LoadSaved(*since, &note, &saved); !s.ok()) return s;
    input.saved_note = std::move(note);
    if (saved.has_value()) input.saved_entries = &saved->entries;
  }
  std::vector<std::string> entries;
  absl::Status read = file.has_value()
                          ? ReadExportToVerify(*file, input, entries)
                          : FetchLogToVerify(ctx, *key, input, entries);
  if (!read.ok()) return read;
  input.entries = entries;
  const auditlog::VerifyReport report = auditlog::AuditLogEntries(input);
  return ShowVerifyReport(
      ctx, report,
      input.saved_note.has_value() ? args.Get("since") : std::nullopt);
}

}  // namespace

CommandGroup AuditCommands() {
  return {
      "audit",
      "the tamper-evident audit log: checkpoint, entries, proofs, queries",
      {
          {{"key"},
           "[--save FILE]",
           "the checkpoint verifier key the broker publishes (pin it once)",
           {{"save", A::kValue, "FILE", "write the key to FILE", {}}},
           Key},
          {{"checkpoint"},
           "[--save FILE] [--log-key KEY]",
           "the latest signed checkpoint, its signature checked",
           {{"save", A::kValue, "FILE", "write the signed note to FILE", {}},
            kLogKeyFlag},
           Checkpoint},
          {{"entries"},
           "[--start N] [--count N]",
           "log entries by index",
           {{"start", A::kValue, "N", "first index (default 0)", {}},
            {"count", A::kValue, "N", "how many (default 100)", {}}},
           Entries},
          {{"prove"},
           "(--index N | --grant ID) [--tree-size N] | --from N --to M",
           "inclusion proof of an entry, checked against the signed "
           "checkpoint; or consistency proof of two sizes",
           {kLogKeyFlag,
            {"index", A::kValue, "N", "entry index", {}},
            {"grant", A::kValue, "ID", "the entry of this grant", {}},
            {"tree-size", A::kValue, "N", "tree size (default: latest)", {}},
            {"from", A::kValue, "N", "older tree size", {}},
            {"to", A::kValue, "M", "newer tree size", {}}},
           Prove},
          {{"query"},
           "[--partner P] [--dataset D] [--subject S] [--purpose X] "
           "[--decision permit|deny] [--type T] [--since T] [--until T] "
           "[--limit N]",
           "search the events (in log order; the first N with --limit)",
           {{"partner", A::kValue, "P", "partner id", {}},
            {"dataset", A::kValue, "D", "dataset id", {}},
            {"subject", A::kValue, "S", "subject pseudonym", {}},
            {"purpose", A::kValue, "X", "purpose id", {}},
            {"decision", A::kValue, "permit|deny", "decision outcome", {}},
            {"type", A::kValue, "T", "event type", {}},
            {"since", A::kValue, "TIME", "RFC 3339 or Unix seconds", {}},
            {"until", A::kValue, "TIME", "RFC 3339 or Unix seconds", {}},
            {"limit", A::kValue, "N", "stop after N matching entries", {}}},
           Query},
          {{"export"},
           "FILE [--log-key KEY]",
           "write every entry and the signed checkpoint to FILE "
           "(format: broker/auditlog/export_file.h)",
           {kLogKeyFlag},
           Export},
          {{"verify"},
           "[--file FILE --key KEY | --log-key KEY] [--since SAVED]",
           "recompute the tree from every entry (of the broker, or of an "
           "export), check the checkpoint signature and consistency with a "
           "saved checkpoint or export; names the first bad index",
           {kLogKeyFlag,
            {"file", A::kValue, "FILE", "an export instead of the broker", {}},
            {"since",
             A::kValue,
             "SAVED",
             "a checkpoint saved with --save, or an earlier export",
             {}}},
           Verify},
          {{"trace"},
           "--subject P --subject-key-file F",
           "the entries that concern one subject, found offline with the "
           "subject's key (admin subject-key export, under a court order)",
           {{"subject", A::kValue, "P", "the subject's pseudonym", {}},
            {"subject-key-file", A::kValue, "F", "the exported key", {}}},
           TraceCommand},
      }};
}

}  // namespace accord::client
