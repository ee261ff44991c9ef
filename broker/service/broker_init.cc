#include "broker/service/broker_init.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "broker/crypto/x509.h"
#include "broker/service/admin_service.h"
#include "broker/service/audit_events.h"
#include "broker/service/audited_store.h"
#include "broker/service/key_material.h"
#include "broker/service/settings_guard.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

// The actor of init's audit event.
constexpr char kInitActor[] = "accord-broker-init";

// Whether existing key material loaded: true when it did, false when it is
// missing; anything else stops init, which replaces nothing.
absl::StatusOr<bool> Found(const absl::Status& loaded) {
  if (loaded.ok()) return true;
  if (absl::IsNotFound(loaded)) return false;
  return absl::FailedPreconditionError(absl::StrCat(
      loaded.message(),
      "; init replaces no existing key material: repair it or restore it "
      "from a backup"));
}

// What of the key material and the store exists already.
struct Survey {
  bool grant_ring = false;
  bool receipt_ring = false;
  bool checkpoint_key = false;
  bool secret = false;
  bool store = false;
};

absl::StatusOr<Survey> SurveyKeys(const BrokerConfig& config,
                                  const Clock* clock) {
  Survey found;
  const absl::StatusOr<bool> checks[] = {
      Found(OpenGrantKeys(config, false, clock).status()),
      Found(OpenReceiptKeys(config, false, clock).status()),
      Found(LoadCheckpointKey(config, false).status()),
      Found(LoadPseudonymSecret(config, false).status())};
  for (const absl::StatusOr<bool>& check : checks) {
    if (!check.ok()) return check.status();
  }
  found.grant_ring = *checks[0];
  found.receipt_ring = *checks[1];
  found.checkpoint_key = *checks[2];
  found.secret = *checks[3];
  std::error_code ec;
  const std::string db = StoreDir(config);
  found.store = fs::exists(db + "/CURRENT", ec);
  if (!found.store && fs::exists(db, ec) && !fs::is_empty(db, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        db, " is not empty but holds no store; move it away first"));
  }
  if (!found.store) return found;
  std::vector<std::string> missing;
  if (!found.grant_ring) {
    missing.push_back(absl::StrCat("the grant-signing key ring (",
                                   config.keys_dir, "/ring.json)"));
  }
  if (!found.checkpoint_key) {
    missing.push_back(
        absl::StrCat("the checkpoint key (", CheckpointKeyPath(config), ")"));
  }
  if (!found.secret) {
    missing.push_back(absl::StrCat("the pseudonym secret (",
                                   config.pseudonym_secret_file, ")"));
  }
  if (!missing.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        db, " holds a store but ", absl::StrJoin(missing, " and "),
        " cannot be found: new ones would orphan its grants, its audit "
        "log's checkpoints and its citizens' pseudonyms; restore them from a "
        "backup"));
  }
  return found;
}

// The first operator as init registers it, from its certificate, which
// must parse and be valid now.
absl::StatusOr<accord::v1::Principal> OperatorFromCertificate(
    const BrokerConfig& config, const InitOptions& options, int64_t now) {
  const std::string& path = options.operator_cert_file;
  if (path.empty()) {
    return absl::InvalidArgumentError(
        "--operator-cert: required (the PEM certificate of the first "
        "operator)");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream pem;
  pem << in.rdbuf();
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("--operator-cert: cannot read ", path));
  }
  auto cert = crypto::ParseCertificatePem(pem.str());
  if (!cert.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--operator-cert: ", path, " holds no PEM certificate"));
  }
  if (cert->not_after < now ||
      cert->not_before > now + config.clock_skew_seconds) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--operator-cert: ", path, " is not valid now (valid from ",
        absl::FormatTime(absl::FromUnixSeconds(cert->not_before)), " to ",
        absl::FormatTime(absl::FromUnixSeconds(cert->not_after)), ")"));
  }
  accord::v1::Principal p;
  p.set_id(options.operator_id);
  p.set_role(accord::v1::ROLE_OPERATOR);
  p.set_certificate_sha256(cert->sha256_hex);
  if (absl::Status s = CheckPrincipal(p, config.trust_domain); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--operator-id: ", s.message()));
  }
  return p;
}

// The id of the operator already pinned to `p`'s certificate, or nullopt
// when `p` may be registered as the first operator.
absl::StatusOr<std::optional<std::string>> RegisteredOperator(
    const store::Store& store, const accord::v1::Principal& p) {
  auto holder = store.FindPrincipalByCertificate("", p.certificate_sha256());
  if (holder.ok()) {
    if (holder->role() == accord::v1::ROLE_OPERATOR) return holder->id();
    return absl::FailedPreconditionError(
        absl::StrCat("the operator certificate belongs to principal '",
                     holder->id(), "', which is no operator"));
  }
  if (!absl::IsNotFound(holder.status())) return holder.status();
  std::string cursor;
  do {
    auto page = store.ListPrincipals(cursor, 1000);
    if (!page.ok()) return page.status();
    for (const accord::v1::Principal& other : page->records) {
      if (other.role() == accord::v1::ROLE_OPERATOR) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the store has an operator already ('", other.id(),
            "'): init registers the first one only; that operator adds "
            "others with `accord admin principal add --role operator "
            "--cert-sha256 HEX`"));
      }
    }
    cursor = page->next_cursor;
  } while (!cursor.empty());
  auto taken = store.GetPrincipal(p.id());
  if (taken.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--operator-id: principal '", p.id(), "' exists already"));
  }
  if (!absl::IsNotFound(taken.status())) return taken.status();
  return std::nullopt;
}

// Creates `dir` with mode 0700 unless it exists; an existing one is left
// as it is.
absl::Status MakePrivateDir(const fs::path& dir) {
  std::error_code ec;
  if (dir.empty() || fs::is_directory(dir, ec)) return absl::OkStatus();
  fs::create_directories(dir, ec);
  if (!ec) fs::permissions(dir, fs::perms::owner_all, ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create directory ", dir.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<AuditedStore> OpenStore(const BrokerConfig& config,
                                       bool create) {
  store::StoreOptions options;
  options.block_cache_bytes = config.cache_bytes;
  options.create_if_missing = create;
  auto opened = OpenAuditedStore(StoreDir(config), options);
  if (absl::IsUnavailable(opened.status())) {
    return absl::UnavailableError(absl::StrCat(
        opened.status().message(),
        " (init needs the store to itself: stop the broker first)"));
  }
  return opened;
}

std::string RingSentence(absl::string_view what, const std::string& dir,
                         KeyRing& ring, absl::string_view prefix) {
  return absl::StrCat("Created the ", what, " key ring in ", dir,
                      " (ring.json and ", prefix, ring.Primary()->kid(),
                      ".pem).");
}

}  // namespace

absl::StatusOr<InitResult> InitBroker(const BrokerConfig& config,
                                      const InitOptions& options,
                                      const Clock* clock) {
  if (config.dev) {
    return absl::InvalidArgumentError(
        "init prepares a broker outside dev mode; dev mode (--dev) makes its "
        "keys, PKI and principals itself");
  }
  auto first_operator =
      OperatorFromCertificate(config, options, clock->NowSeconds());
  if (!first_operator.ok()) return first_operator.status();
  auto found = SurveyKeys(config, clock);
  if (!found.ok()) return found.status();
  AuditedStore state;
  std::optional<std::string> registered;
  if (found->store) {
    auto opened = OpenStore(config, false);
    if (!opened.ok()) return opened.status();
    state = *std::move(opened);
    auto known = RegisteredOperator(*state.store, *first_operator);
    if (!known.ok()) return known.status();
    registered = *known;
  }

  // Everything checked: create what is missing.
  InitResult result;
  if (!found->grant_ring || !found->receipt_ring || !found->checkpoint_key) {
    if (absl::Status s = MakePrivateDir(config.keys_dir); !s.ok()) return s;
  }
  if (!found->grant_ring) {
    auto ring = OpenGrantKeys(config, true, clock);
    if (!ring.ok()) return ring.status();
    result.created.push_back(RingSentence("grant-signing", config.keys_dir,
                                          **ring, kGrantKeys.file_prefix));
  }
  if (!found->receipt_ring) {
    auto ring = OpenReceiptKeys(config, true, clock);
    if (!ring.ok()) return ring.status();
    result.created.push_back(RingSentence("receipt-signing",
                                          ReceiptKeysDir(config), **ring,
                                          kReceiptKeys.file_prefix));
  }
  if (!found->checkpoint_key) {
    auto key = LoadCheckpointKey(config, true);
    if (!key.ok()) return key.status();
    result.created.push_back(absl::StrCat("Created the checkpoint signing key ",
                                          CheckpointKeyPath(config),
                                          " (Ed25519)."));
  }
  if (!found->secret) {
    const fs::path parent =
        fs::path(config.pseudonym_secret_file).parent_path();
    if (absl::Status s = MakePrivateDir(parent); !s.ok()) return s;
    auto secret = LoadPseudonymSecret(config, true);
    if (!secret.ok()) return secret.status();
    result.created.push_back(absl::StrCat("Created the pseudonym secret ",
                                          config.pseudonym_secret_file,
                                          " (32 random bytes)."));
  }
  if (!found->store) {
    if (absl::Status s = MakePrivateDir(config.data_dir); !s.ok()) return s;
    auto opened = OpenStore(config, true);
    if (!opened.ok()) return opened.status();
    state = *std::move(opened);
    result.created.push_back(absl::StrCat(
        "Created the store in ", StoreDir(config),
        ", recording in it grant_issuer '", config.grant_issuer,
        "', log_origin '", config.log_origin,
        "' and the pseudonym secret's fingerprint: they can never change."));
  }
  // The settings the store must keep: recorded in a new store (or one
  // made before they were recorded), checked against an existing one.
  auto secret = LoadPseudonymSecret(config, false);
  if (!secret.ok()) return secret.status();
  GuardedSettings guarded;
  guarded.grant_issuer = config.grant_issuer;
  guarded.log_origin = config.log_origin;
  guarded.pseudonym_secret = *std::move(secret);
  guarded.pseudonym_secret_file = config.pseudonym_secret_file;
  auto guard = CheckOrRecordSettings(*state.store, guarded);
  if (!guard.ok()) return guard.status();
  if (registered.has_value()) {
    result.operator_id = *registered;
  } else {
    const accord::v1::Principal& p = *first_operator;
    store::WriteSet ws;
    ws.PutPrincipal(p);
    ws.AddAuditEvent(
        PrincipalEvent(kInitActor, p.id(), "put", clock->NowSeconds()));
    auto committed = state.store->CommitAndWait(std::move(ws));
    if (!committed.ok()) return committed.status();
    result.operator_id = p.id();
    result.created.push_back(
        absl::StrCat("Registered the first operator, '", p.id(),
                     "', pinned by the SHA-256 of its certificate (",
                     p.certificate_sha256(), ")."));
  }
  state.store->Close();
  return result;
}

std::string InitUsage() {
  return "usage: accord-broker init --config FILE --operator-cert PEM "
         "[--operator-id ID] [config flags]\n"
         "Creates what a broker outside dev mode lacks before its first "
         "start: the grant-signing key ring (keys_dir/ring.json), the "
         "receipt-signing key ring (keys_dir/receipts), the checkpoint key "
         "(keys_dir/checkpoint.key), the pseudonym secret "
         "(pseudonym_secret_file), the store (data_dir/db), and in it the "
         "first operator (ID, default operator), pinned by the SHA-256 of "
         "the certificate PEM. Prints one line per thing created. Replaces "
         "nothing: run again, it changes nothing; existing key material "
         "that does not load stops it. Run it with the broker stopped.\n";
}

}  // namespace accord::service
