// accord admin principal add|list|remove, keys list|rotate, backup,
// erase-subject —
// operator calls to AdminService.

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "accord/v1/admin.grpc.pb.h"
#include "broker/cmdline/usage_error.h"
#include "clients/cmd_subject_key.h"
#include "clients/commands.h"
#include "clients/erasure_text.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using A = cmdline::FlagSpec::Arity;

absl::StatusOr<v1::Role> ParseRole(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  if (lower == "partner") return v1::ROLE_PARTNER;
  if (lower == "producer") return v1::ROLE_PRODUCER;
  if (lower == "auditor") return v1::ROLE_AUDITOR;
  if (lower == "operator") return v1::ROLE_OPERATOR;
  if (lower == "app") return v1::ROLE_APP;
  return cmdline::UsageError(
      "--role: expected partner, producer, auditor, operator or app");
}

absl::Status PrincipalAdd(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  absl::StatusOr<std::string> id = args.Require("id");
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> role_text = args.Require("role");
  if (!role_text.ok()) return role_text.status();
  absl::StatusOr<v1::Role> role = ParseRole(*role_text);
  if (!role.ok()) return role.status();
  v1::AddPrincipalRequest request;
  v1::Principal* p = request.mutable_principal();
  p->set_id(*id);
  p->set_role(*role);
  p->set_category(args.GetOr("category", ""));
  p->set_certificate_uri(args.GetOr("cert-uri", ""));
  p->set_certificate_sha256(
      absl::AsciiStrToLower(args.GetOr("cert-sha256", "")));
  v1::AddPrincipalResponse response;
  absl::Status s =
      ctx.Call(&v1::AdminService::Stub::AddPrincipal, request, &response);
  if (!s.ok()) return s;
  return ctx.output().ShowChange(
      response, absl::StrCat("principal ", *id, " added as ",
                             FieldText(response, "principal.role"),
                             " at revision ", response.revision()));
}

absl::Status PrincipalList(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({}); !s.ok()) return s;
  v1::ListPrincipalsResponse all;
  absl::Status s = CollectPages(
      [&ctx](const std::string& token, v1::ListPrincipalsResponse* page) {
        v1::ListPrincipalsRequest request;
        request.set_page_token(token);
        return ctx.Call(&v1::AdminService::Stub::ListPrincipals, request, page);
      },
      &all);
  if (!s.ok()) return s;
  return ctx.output().ShowList(
      all, "principals",
      {"id", "role", "category", "certificate_uri", "certificate_sha256"});
}

absl::Status PrincipalRemove(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({"ID"}); !s.ok()) return s;
  v1::RemovePrincipalRequest request;
  request.set_id(ctx.args().positionals()[0]);
  v1::RemovePrincipalResponse response;
  absl::Status s =
      ctx.Call(&v1::AdminService::Stub::RemovePrincipal, request, &response);
  if (!s.ok()) return s;
  return ctx.output().ShowChange(
      response, absl::StrCat("principal ", request.id(),
                             " removed; the grants it still held are revoked"));
}

absl::Status KeysList(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({}); !s.ok()) return s;
  v1::ListKeysResponse response;
  absl::Status s = ctx.Call(&v1::AdminService::Stub::ListKeys,
                            v1::ListKeysRequest(), &response);
  if (!s.ok()) return s;
  return ctx.output().ShowList(
      response, ctx.args().Has("receipts") ? "receipt_keys" : "keys",
      {"kid", "alg", "state", "created_at"});
}

absl::Status KeysRotate(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({}); !s.ok()) return s;
  std::string alg = ctx.args().GetOr("alg", "");
  if (!alg.empty() && alg != "ES256" && alg != "EdDSA") {
    return cmdline::UsageError("--alg: expected ES256 or EdDSA");
  }
  v1::RotateKeyRequest request;
  request.set_alg(alg);
  request.set_receipt_key(ctx.args().Has("receipts"));
  v1::RotateKeyResponse response;
  absl::Status s =
      ctx.Call(&v1::AdminService::Stub::RotateKey, request, &response);
  if (!s.ok()) return s;
  return ctx.output().ShowChange(
      response,
      absl::StrCat(request.receipt_key() ? "receipt" : "grant", " signing key ",
                   response.key().kid(), " (", response.key().alg(),
                   ") published, state ", FieldText(response, "key.state")));
}

absl::Status Backup(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({"DIR"}); !s.ok()) {
    return s;
  }
  v1::BackupRequest request;
  request.set_directory(ctx.args().positionals()[0]);
  v1::BackupResponse response;
  absl::Status s =
      ctx.Call(&v1::AdminService::Stub::Backup, request, &response);
  if (!s.ok()) return s;
  // A restore needs more than the backup: say what it leaves out.
  return ctx.output().ShowText(
      response,
      absl::StrCat("backup of revision ", response.revision(), " written to ",
                   request.directory(),
                   "; keys and the pseudonym secret are not included\n"));
}

absl::Status EraseSubject(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  absl::StatusOr<std::string> subject = args.Require("subject");
  if (!subject.ok()) return subject.status();
  absl::StatusOr<std::string> reference = args.Require("verified-request");
  if (!reference.ok()) return reference.status();
  v1::EraseSubjectRequest request;
  request.set_subject(*subject);
  request.set_verified_request(*reference);
  v1::ErasureResponse response;
  absl::Status s =
      ctx.Call(&v1::AdminService::Stub::EraseSubject, request, &response);
  if (!s.ok()) return s;
  return ctx.output().ShowText(response, ErasureText(response));
}

}  // namespace

CommandGroup AdminCommands() {
  return {
      "admin",
      "operator tasks: principals, signing keys, backup",
      {
          {{"principal", "add"},
           "--id ID --role partner|producer|auditor|operator|app "
           "[--category C] [--cert-uri URI] [--cert-sha256 HEX]",
           "register a principal",
           {{"id", A::kValue, "ID", "principal id", {}},
            {"role",
             A::kValue,
             "ROLE",
             "partner, producer, auditor, operator or app",
             {}},
            {"category", A::kValue, "C", "partner category", {}},
            {"cert-uri", A::kValue, "URI", "certificate SAN URI", {}},
            {"cert-sha256",
             A::kValue,
             "HEX",
             "SHA-256 fingerprint of the certificate",
             {}}},
           PrincipalAdd},
          {{"principal", "list"}, "", "list principals", {}, PrincipalList},
          {{"principal", "remove"},
           "ID",
           "remove a principal",
           {},
           PrincipalRemove},
          {{"keys", "list"},
           "[--receipts]",
           "list the grant signing keys (or the receipt signing keys)",
           {{"receipts", A::kSwitch, "", "the consent-receipt keys", {}}},
           KeysList},
          {{"keys", "rotate"},
           "[--alg ES256|EdDSA] [--receipts]",
           "add a new signing key (published before it signs)",
           {{"alg", A::kValue, "ALG", "ES256 (default) or EdDSA", {}},
            {"receipts",
             A::kSwitch,
             "",
             "rotate the consent-receipt key instead of the grant key",
             {}}},
           KeysRotate},
          {{"backup"},
           "DIR",
           "online backup into DIR on the broker's host",
           {},
           Backup},
          {{"subject-key", "export"},
           "--subject P --legal-reference REF --out FILE",
           "hand one subject's commitment key to an auditor under a court "
           "order (recorded in the audit log)",
           {{"subject", A::kValue, "P", "the subject's pseudonym", {}},
            {"legal-reference",
             A::kValue,
             "REF",
             "the court order, recorded in the log",
             {}},
            {"out", A::kValue, "FILE", "new file for the key (mode 0600)", {}}},
           ExportSubjectKeyCommand},
          {{"erase-subject"},
           "--subject P --verified-request REF",
           "erase a subject on a verified erasure request (GDPR Art. 17); "
           "prints the signed receipt to give the citizen",
           {{"subject", A::kValue, "P", "the subject pseudonym", {}},
            {"verified-request",
             A::kValue,
             "REF",
             "reference of the verified erasure request (1..200 characters)",
             {}}},
           EraseSubject},
      }};
}

}  // namespace accord::client
