// accord-scale-load: fills a stopped dev-mode broker's data directory with a
// large store, offline, through the store's own write path: datasets with
// policies (the demo PERSONAL household-consumption policy, renamed), one
// consent per citizen spread over them (the records, indexes and audit
// entries GiveConsent writes), denied-decision audit entries up to a total
// log size, and a signed checkpoint of the final tree, so the broker starts
// on it and `accord audit verify` passes.
//
//   accord-broker --dev DIR   # once, then stop it
//   accord-scale-load --data DIR [--datasets 100] [--consents 1000000]
//                     [--entries 10000000]
//   accord-scale-load --data DIR --time-log-checks 1
//     times the broker's bounded startup check of the stored log against
//     the last checkpoint, and the full recompute, on a stopped broker's
//     store (read-only).
//
// Write sets are queued without waiting, so the store's writer group-commits
// up to 1024 of them per synced batch.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "accord/v1/consent.pb.h"
#include "broker/auditlog/bounded_log_check.h"
#include "broker/auditlog/checkpoint.h"
#include "broker/auditlog/checkpointer.h"
#include "broker/auditlog/frontier.h"
#include "broker/auditlog/log.h"
#include "broker/auditlog/stored_log_check.h"
#include "broker/cmdline/flags.h"
#include "broker/crypto/random.h"
#include "broker/crypto/signed_note.h"
#include "broker/crypto/signing_key.h"
#include "broker/dev/dev_layout.h"
#include "broker/service/audit_events.h"
#include "broker/service/citizen_tokens.h"
#include "broker/service/demo_content.h"
#include "broker/service/dev_mode.h"
#include "broker/service/policy_registry.h"
#include "broker/service/store_node_source.h"
#include "broker/store/store.h"
#include "policy/taxonomy.h"

namespace accord::scale {
namespace {

constexpr char kTemplateDataset[] = "rennes.energy.household-consumption";
constexpr char kPurposes[2][32] = {"research-and-development",
                                   "public-benefit.energy"};

struct Flags {
  std::string data;
  uint64_t datasets = 100;
  uint64_t consents = 1000000;
  uint64_t entries = 10000000;
  uint64_t in_flight = 8192;
  uint64_t cache_bytes = 256ull << 20;
  std::string log_origin = "accord.local/log";
  bool time_log_checks = false;
};

// The name of dataset `n` of the generated catalogue.
std::string DatasetId(uint64_t n) {
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "-%03llu",
                static_cast<unsigned long long>(n));
  return absl::StrCat(kTemplateDataset, suffix);
}

// Queues write sets without waiting for each, keeping at most `limit` in
// flight; remembers the first error.
class Pipeline {
 public:
  Pipeline(store::Store* store, uint64_t limit)
      : store_(store), limit_(limit) {}

  void Submit(store::WriteSet ws) ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock l(&mu_);
      auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return in_flight_ < limit_;
      };
      mu_.Await(absl::Condition(&room));
      ++in_flight_;
    }
    store_->Commit(std::move(ws),
                   [this](absl::StatusOr<store::CommitResult> r) {
                     absl::MutexLock l(&mu_);
                     --in_flight_;
                     if (!r.ok() && error_.ok()) error_ = r.status();
                   });
  }

  // Waits for every queued write set; returns the first error.
  absl::Status Drain() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock l(&mu_);
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return in_flight_ == 0;
    };
    mu_.Await(absl::Condition(&idle));
    return error_;
  }

  absl::Status error() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock l(&mu_);
    return error_;
  }

 private:
  store::Store* const store_;
  const uint64_t limit_;
  absl::Mutex mu_;
  uint64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

// The datasets and their version-1 policies, as dev mode seeds its own.
absl::Status LoadDatasets(const Flags& flags, store::Store& store,
                          service::PolicyRegistry& registry, int64_t now) {
  const service::DemoDataset* model = nullptr;
  for (const service::DemoDataset& d : service::DemoDatasets()) {
    if (d.dataset.id() == kTemplateDataset) model = &d;
  }
  if (model == nullptr) return absl::InternalError("no household demo dataset");
  for (uint64_t n = 0; n < flags.datasets; ++n) {
    accord::v1::Dataset dataset = model->dataset;
    dataset.set_id(DatasetId(n));
    dataset.set_title(absl::StrCat(dataset.title(), " (district ", n, ")"));
    const std::string yaml = absl::StrReplaceAll(
        model->policy_yaml, {{kTemplateDataset, dataset.id()}});
    auto ws = service::DevDatasetWrites(registry, dataset, yaml,
                                        model->policy_file, now);
    if (!ws.ok()) return ws.status();
    auto committed = store.CommitAndWait(*std::move(ws));
    if (!committed.ok()) return committed.status();
  }
  return absl::OkStatus();
}

// Citizen `i` ("citizen-<i>" at the dev identity provider) consents to
// partner-demo using dataset i % datasets, as GiveConsent records it.
store::WriteSet ConsentOf(const service::CitizenTokens& citizens,
                          const Flags& flags,
                          const std::vector<accord::v1::PolicyRef>& notices,
                          uint64_t i, int64_t now) {
  const uint64_t d = i % flags.datasets;
  accord::v1::Consent c;
  c.set_id(crypto::RandomId());
  c.set_subject(
      citizens.PseudonymFor(dev::kIssuer, absl::StrCat("citizen-", i)));
  c.set_dataset_id(DatasetId(d));
  c.set_purpose(kPurposes[(i / flags.datasets) % 2]);
  c.mutable_recipient()->set_partner(std::string(dev::kPartner));
  *c.mutable_notice() = notices[d];
  c.set_legal_basis(accord::v1::LEGAL_BASIS_CONSENT);
  c.set_given_at(now);
  c.set_state(accord::v1::CONSENT_STATE_GIVEN);
  accord::v1::ConsentEvent* event = c.add_events();
  event->set_state(accord::v1::CONSENT_STATE_GIVEN);
  event->set_at(now);
  event->set_actor("subject");
  event->set_channel("scale-load");
  store::WriteSet ws;
  ws.AddAuditEvent(
      service::ConsentChangeEvent(c, accord::v1::CONSENT_STATE_GIVEN, now));
  ws.PutConsent(std::move(c));
  return ws;
}

// A request partner-demo made without naming consenting subjects: denied.
store::WriteSet DenialOf(const Flags& flags,
                         const std::vector<accord::v1::PolicyRef>& notices,
                         uint64_t i, int64_t now) {
  const uint64_t d = i % flags.datasets;
  accord::v1::Decision decision;
  decision.set_outcome(accord::v1::OUTCOME_DENY);
  *decision.mutable_policy() = notices[d];
  accord::v1::Reason* reason = decision.add_reasons();
  reason->set_rule_id("energy-studies");
  reason->set_code("no_subjects");
  reason->set_message("no requested subject has consented");
  store::WriteSet ws;
  ws.AddAuditEvent(service::DecisionEvent(
      dev::kPartner, DatasetId(d), kPurposes[i % 2], decision, "", {}, now));
  return ws;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

absl::StatusOr<crypto::NoteSigner> LoadSigner(const Flags& flags) {
  auto key =
      crypto::SigningKey::ReadPemFile(flags.data + "/keys/checkpoint.key");
  if (!key.ok()) return key.status();
  return crypto::NoteSigner::Create(flags.log_origin, *std::move(key));
}

// The bounded startup check and the full recompute, timed on the store.
absl::Status TimeLogChecks(const Flags& flags) {
  store::StoreOptions options;
  options.block_cache_bytes = flags.cache_bytes;
  options.create_if_missing = false;
  options.read_only = true;
  auto store = store::Store::Open(flags.data + "/db", options);
  if (!store.ok()) return store.status();
  auto signer = LoadSigner(flags);
  if (!signer.ok()) return signer.status();
  auto latest = (*store)->LatestCheckpoint();
  if (!latest.ok()) return latest.status();
  auto checkpoint = auditlog::OpenCheckpoint(latest->second, flags.log_origin,
                                             signer->VerifierKey());
  if (!checkpoint.ok()) return checkpoint.status();
  service::StoreNodeSource nodes(store->get());
  auto start = std::chrono::steady_clock::now();
  auto stats = auditlog::CheckStoredLogBounded(nodes, *checkpoint);
  if (!stats.ok()) return stats.status();
  std::printf(
      "bounded check of %llu entries: %.3f s, %llu entries and %llu "
      "nodes read\n",
      static_cast<unsigned long long>(checkpoint->size), Seconds(start),
      static_cast<unsigned long long>(stats->entries_read),
      static_cast<unsigned long long>(stats->nodes_read));
  std::fflush(stdout);
  start = std::chrono::steady_clock::now();
  if (absl::Status s = auditlog::CheckStoredLog(nodes, *checkpoint); !s.ok()) {
    return s;
  }
  std::printf("full recompute of %llu entries: %.1f s\n",
              static_cast<unsigned long long>(checkpoint->size),
              Seconds(start));
  return absl::OkStatus();
}

absl::Status Run(const Flags& flags) {
  if (flags.time_log_checks) return TimeLogChecks(flags);
  const std::string keys_dir = flags.data + "/keys";
  store::StoreOptions options;
  options.block_cache_bytes = flags.cache_bytes;
  options.create_if_missing = false;
  auto opened = store::Store::Open(flags.data + "/db", options);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<store::Store> store = *std::move(opened);
  service::StoreNodeSource nodes(store.get());
  auto frontier = auditlog::Frontier::Load(nodes, store->LogSize());
  if (!frontier.ok()) return frontier.status();
  auditlog::Log log(*std::move(frontier));
  store->SetLogAppender(&log);

  if (store->GetDataset(DatasetId(0)).ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(flags.data, " already holds generated datasets"));
  }
  auto taxonomy =
      policy::Taxonomy::Parse(policy::DefaultTaxonomyYaml(), "purposes.yaml");
  if (!taxonomy.ok()) return taxonomy.status();
  service::PolicyRegistry registry(store.get(), *std::move(taxonomy));
  std::string secret;
  {
    FILE* f = std::fopen((keys_dir + "/pseudonym.secret").c_str(), "rb");
    if (f == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("no pseudonym secret in ", keys_dir,
                       "; start accord-broker --dev ", flags.data, " once"));
    }
    char buf[256];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) secret.append(buf, n);
    std::fclose(f);
  }
  auto citizens = service::CitizenTokens::Load({}, secret, 0);
  if (!citizens.ok()) return citizens.status();
  auto signer = LoadSigner(flags);
  if (!signer.ok()) return signer.status();

  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const auto start = std::chrono::steady_clock::now();
  if (absl::Status s = LoadDatasets(flags, *store, registry, now); !s.ok()) {
    return s;
  }
  std::vector<accord::v1::PolicyRef> notices;
  for (uint64_t d = 0; d < flags.datasets; ++d) {
    auto current = registry.Current(DatasetId(d));
    if (!current.ok()) return current.status();
    notices.push_back((*current)->ref);
  }
  std::printf("datasets: %llu in %.1f s\n",
              static_cast<unsigned long long>(flags.datasets), Seconds(start));
  std::fflush(stdout);

  Pipeline pipeline(store.get(), flags.in_flight);
  const auto consents_start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < flags.consents; ++i) {
    pipeline.Submit(ConsentOf(**citizens, flags, notices, i, now));
    if ((i & 0xffff) == 0 && !pipeline.error().ok()) break;
  }
  if (absl::Status s = pipeline.Drain(); !s.ok()) return s;
  const double consent_seconds = Seconds(consents_start);
  std::printf("consents: %llu in %.1f s (%.0f/s)\n",
              static_cast<unsigned long long>(flags.consents), consent_seconds,
              flags.consents / consent_seconds);
  std::fflush(stdout);

  const auto entries_start = std::chrono::steady_clock::now();
  const uint64_t first = store->LogSize();
  for (uint64_t i = first; i < flags.entries; ++i) {
    pipeline.Submit(DenialOf(flags, notices, i, now));
    if ((i & 0xffff) == 0 && !pipeline.error().ok()) break;
  }
  if (absl::Status s = pipeline.Drain(); !s.ok()) return s;
  const uint64_t denials = store->LogSize() - first;
  const double entry_seconds = Seconds(entries_start);
  std::printf("decision entries: %llu in %.1f s (%.0f/s)\n",
              static_cast<unsigned long long>(denials), entry_seconds,
              entry_seconds > 0 ? denials / entry_seconds : 0.0);

  auditlog::Checkpointer::Options checkpoints;
  checkpoints.origin = flags.log_origin;
  store::Store* raw = store.get();
  auto checkpointer = auditlog::Checkpointer::Create(
      log, checkpoints, *signer,
      [raw](const auditlog::SignedCheckpoint& c) {
        store::WriteSet ws;
        ws.PutCheckpoint(c.checkpoint.size, c.note);
        auto committed = raw->CommitAndWait(std::move(ws));
        return committed.ok() ? absl::OkStatus() : committed.status();
      },
      [] { return absl::Now(); });
  if (!checkpointer.ok()) return checkpointer.status();
  auto checkpoint = (*checkpointer)->CheckpointNow();
  if (!checkpoint.ok()) return checkpoint.status();
  const uint64_t log_size = store->LogSize();
  const uint64_t revision = store->revision();
  store->Close();
  store.reset();
  // Opening again replays the write-ahead log into table files here, so the
  // broker's first start does not.
  const auto reopen_start = std::chrono::steady_clock::now();
  auto reopened = store::Store::Open(flags.data + "/db", options);
  if (!reopened.ok()) return reopened.status();
  (*reopened)->Close();
  std::printf("reopened (write-ahead log flushed) in %.1f s\n",
              Seconds(reopen_start));
  std::printf(
      "done: log size %llu, revision %llu, checkpoint size %llu, %.1f s in "
      "all\n",
      static_cast<unsigned long long>(log_size),
      static_cast<unsigned long long>(revision),
      static_cast<unsigned long long>(checkpoint->checkpoint.size),
      Seconds(start));
  return absl::OkStatus();
}

using cmdline::FlagSpec;

std::vector<FlagSpec> Specs() {
  using A = FlagSpec::Arity;
  std::vector<FlagSpec> specs = {
      {"data",
       A::kValue,
       "DIR",
       "a stopped dev-mode broker's data directory",
       {}},
      {"datasets", A::kValue, "N", "datasets (default 100)", {}},
      {"consents", A::kValue, "N", "consents (default 1000000)", {}},
      {"entries", A::kValue, "N", "audit-log size (default 10000000)", {}},
      {"in-flight", A::kValue, "N", "write sets queued (default 8192)", {}},
      {"cache-bytes",
       A::kValue,
       "N",
       "the store's block cache, bytes (default 256 MiB)",
       {}},
      {"log-origin",
       A::kValue,
       "ORIGIN",
       "the broker's log_origin (default accord.local/log)",
       {}},
      {"time-log-checks",
       A::kValue,
       "1",
       "time the startup log check of a stopped broker's store instead",
       {}},
      cmdline::HelpFlag()};
  // As given: a flag given again counts the last time.
  for (FlagSpec& spec : specs) spec.repeatable = true;
  return specs;
}

std::string Usage() {
  return absl::StrCat(
      "usage: accord-scale-load --data DIR [--datasets N] [--consents N] "
      "[--entries N] [--in-flight N] [--cache-bytes N] [--log-origin ORIGIN] "
      "[--time-log-checks 1]\n\nflags:\n",
      cmdline::FlagsUsage(Specs()));
}

// Reads `args` into `flags`. Returns an error naming the flag at fault.
absl::Status ReadFlags(const cmdline::ParsedArgs& args, Flags* flags) {
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  flags->data = args.GetOr("data", "");
  if (flags->data.empty()) return absl::InvalidArgumentError("--data: missing");
  flags->log_origin = args.GetOr("log-origin", flags->log_origin);
  if (std::optional<std::string> v = args.Get("time-log-checks")) {
    flags->time_log_checks = *v == "1" || *v == "true";
  }
  for (auto [name, out, min] : {std::tuple<const char*, uint64_t*, uint64_t>{
                                    "datasets", &flags->datasets, 1},
                                {"consents", &flags->consents, 0},
                                {"entries", &flags->entries, 0},
                                {"in-flight", &flags->in_flight, 1},
                                {"cache-bytes", &flags->cache_bytes, 0}}) {
    std::optional<std::string> text = args.Get(name);
    if (text.has_value() && (!absl::SimpleAtoi(*text, out) || *out < min)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad flag --", name, " ", *text));
    }
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace accord::scale

int main(int argc, char** argv) {
  auto args = accord::cmdline::ParseFlags(argc, argv, accord::scale::Specs());
  if (args.ok() && args->Has("help")) {
    std::fputs(accord::scale::Usage().c_str(), stdout);
    return 0;
  }
  accord::scale::Flags flags;
  const absl::Status read =
      args.ok() ? accord::scale::ReadFlags(*args, &flags) : args.status();
  if (!read.ok()) {
    std::fprintf(stderr, "accord-scale-load: %s\n%s",
                 std::string(read.message()).c_str(),
                 accord::scale::Usage().c_str());
    return 2;
  }
  absl::Status s = accord::scale::Run(flags);
  if (!s.ok()) {
    std::fprintf(stderr, "accord-scale-load: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
