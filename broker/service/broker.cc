#include "broker/service/broker.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "broker/auditlog/bounded_log_check.h"
#include "broker/auditlog/checkpointer.h"
#include "broker/auditlog/log.h"
#include "broker/crypto/signed_note.h"
#include "broker/crypto/signing_key.h"
#include "broker/http/listener.h"
#include "broker/http/metrics.h"
#include "broker/http/server.h"
#include "broker/http/tls.h"
#include "broker/service/audited_store.h"
#include "broker/service/broker_metrics.h"
#include "broker/service/caller.h"
#include "broker/service/citizen_tokens.h"
#include "broker/service/clock.h"
#include "broker/service/dev_clock.h"
#include "broker/service/dev_mode.h"
#include "broker/service/domain_metrics.h"
#include "broker/service/env.h"
#include "broker/service/grpc_listener.h"
#include "broker/service/key_material.h"
#include "broker/service/key_ring.h"
#include "broker/service/limits.h"
#include "broker/service/logging.h"
#include "broker/service/policy_registry.h"
#include "broker/service/rate_limiter.h"
#include "broker/service/readiness.h"
#include "broker/service/revocations.h"
#include "broker/service/services.h"
#include "broker/service/settings_guard.h"
#include "broker/service/startup_files.h"
#include "broker/service/store_node_source.h"
#include "broker/service/sweeper.h"
#include "broker/store/store.h"
#include "policy/taxonomy.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

// What a broker without its keys needs to hear outside dev mode: how to
// make them. A missing receipt ring beside keys made before receipts had
// their own keys may also be created by one start with create_receipt_keys.
absl::Status WithInitHint(const BrokerConfig& config,
                          const absl::Status& status, bool receipts) {
  if (config.dev || !absl::IsNotFound(status)) return status;
  return absl::FailedPreconditionError(absl::StrCat(
      status.message(),
      "; run `accord-broker init --config FILE --operator-cert PEM` first "
      "(it creates the missing keys and secret and registers the first "
      "operator)",
      receipts ? "; or start once with --create-receipt-keys=true "
                 "(config create_receipt_keys) to create the receipt keys"
               : ""));
}

absl::StatusOr<policy::Taxonomy> LoadTaxonomy(const BrokerConfig& config) {
  auto taxonomy =
      policy::Taxonomy::Parse(policy::DefaultTaxonomyYaml(), "purposes.yaml");
  if (!taxonomy.ok()) return taxonomy.status();
  if (!config.taxonomy_extension_file.empty()) {
    auto extra = ReadFile(config.taxonomy_extension_file, "taxonomy_extension");
    if (!extra.ok()) return extra.status();
    if (absl::Status s =
            taxonomy->Extend(*extra, config.taxonomy_extension_file);
        !s.ok()) {
      return s;
    }
  }
  return taxonomy;
}

// The startup check of the audit log: the stored log must still hash to the
// root of the last checkpoint the broker persisted (opened with the broker's
// own checkpoint key). The check is bounded (auditlog/bounded_log_check.h):
// the root from the stored nodes, the newest entries rehashed, older ones
// sampled; `accord audit verify` rehashes every entry. With `allow_mismatch`
// a mismatch is logged and the broker starts anyway, so auditors can inspect
// what is left. Logs what the check read ("audit log checked").
// Errors: DataLoss naming the checkpoint size; the error of a checkpoint
// that does not open.
absl::Status CheckLogAgainstLastCheckpoint(store::Store& store,
                                           const BrokerConfig& config,
                                           absl::string_view verifier_key) {
  auto latest = store.LatestCheckpoint();
  if (absl::IsNotFound(latest.status())) return absl::OkStatus();
  if (!latest.ok()) return latest.status();
  absl::Status s;
  auto checkpoint =
      auditlog::OpenCheckpoint(latest->second, config.log_origin, verifier_key);
  if (!checkpoint.ok()) {
    s = absl::DataLossError(
        absl::StrCat("the last checkpoint (size ", latest->first,
                     ") does not open: ", checkpoint.status().message()));
  } else {
    StoreNodeSource nodes(&store);
    auto stats = auditlog::CheckStoredLogBounded(nodes, *checkpoint);
    s = stats.status();
    if (stats.ok()) {
      Log("info", "audit log checked",
          {{"checkpoint_size", absl::StrCat(checkpoint->size)},
           {"entries_read", absl::StrCat(stats->entries_read)},
           {"nodes_read", absl::StrCat(stats->nodes_read)}});
    }
  }
  if (s.ok()) return s;
  if (!config.allow_log_mismatch) {
    return absl::DataLossError(
        absl::StrCat(s.message(),
                     "; refusing to start (--allow-log-mismatch=true starts "
                     "anyway, for inspection)"));
  }
  Log("warning", "audit log does not match its last checkpoint",
      {{"problem", std::string(s.message())}});
  return absl::OkStatus();
}

class BrokerImpl final : public Broker {
 public:
  explicit BrokerImpl(BrokerConfig config) : config_(std::move(config)) {}
  ~BrokerImpl() override { Shutdown(); }

  absl::Status Init();
  void Shutdown() override;
  int grpc_port() const override { return grpc_port_; }
  int http_port() const override {
    return http_ != nullptr ? http_->port() : 0;
  }

 private:
  absl::Status OpenState();
  // Opens the grant and receipt key rings (creating the grant keys when
  // `create_keys`, the receipt keys in dev mode or when asked).
  absl::Status OpenKeyRings(bool create_keys);
  // Refuses a store whose recorded issuer, log origin or pseudonym secret
  // differ from `guarded`; records those not recorded yet.
  absl::Status GuardSettings(const GuardedSettings& guarded);
  // The checkpoint signer and checkpointer (not started), after checking
  // the stored log against its last checkpoint.
  absl::Status CreateCheckpointer(crypto::SigningKey checkpoint_key);
  // The services' Env, with the revocation hub, rate limiters, readiness
  // and retention sweeper it points to.
  void AssembleEnv();
  absl::Status StartGrpc();
  absl::Status StartHttp();

  BrokerConfig config_;
  // Real time, or in a dev-mode broker under test real time plus the offset
  // of dev_clock_file; set by Init before anything reads it.
  RealClock real_clock_;
  std::unique_ptr<OffsetFileClock> dev_clock_;
  const Clock* clock_ = &real_clock_;
  http::Metrics metrics_;
  DomainMetrics domain_metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auditlog::Log> log_;
  std::unique_ptr<KeyRing> keys_;
  std::unique_ptr<KeyRing> receipt_keys_;
  std::unique_ptr<CitizenTokens> citizens_;
  std::unique_ptr<PolicyRegistry> policies_;
  std::unique_ptr<Authenticator> auth_;
  std::optional<crypto::NoteSigner> signer_;
  std::unique_ptr<auditlog::Checkpointer> checkpointer_;
  std::unique_ptr<RevocationHub> revocations_;
  std::unique_ptr<RateLimiter> rate_limiter_;
  std::unique_ptr<RateLimiter> peer_rate_limiter_;
  std::unique_ptr<Readiness> readiness_;
  std::unique_ptr<Sweeper> sweeper_;
  std::string checkpoint_verifier_key_;
  Env env_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<http::HttpServer> http_;
  int grpc_port_ = 0;
  bool stopped_ = false;
};

absl::Status BrokerImpl::OpenState() {
  const std::string db_dir = StoreDir(config_);
  if (!config_.restore_from.empty()) {
    if (absl::Status s =
            store::Store::RestoreFrom(config_.restore_from, db_dir);
        !s.ok()) {
      return s;
    }
    Log("info", "restored backup", {{"from", config_.restore_from}});
  }
  store::StoreOptions options;
  options.block_cache_bytes = config_.cache_bytes;
  options.create_if_missing = true;
  // One line when writes start failing (a full disk) and one when they work
  // again; reads go on meanwhile.
  options.on_write_health = [](const absl::Status& s) {
    if (s.ok()) {
      Log("info", "store writes recovered");
    } else {
      Log("error", "store writes failing; reads still served",
          {{"error", s.ToString()}});
    }
  };
  options.on_commit = [metrics = &metrics_](const store::CommitStats& c) {
    metrics->RecordCommit(c.write_sets, absl::ToDoubleSeconds(c.queued),
                          absl::ToDoubleSeconds(c.write));
  };
  auto opened = OpenAuditedStore(db_dir, options);
  if (!opened.ok()) return opened.status();
  store_ = std::move(opened->store);
  log_ = std::move(opened->log);
  return absl::OkStatus();
}

absl::Status BrokerImpl::Init() {
  if (!config_.dev_clock_file.empty()) {
    if (!config_.dev) {
      return absl::FailedPreconditionError(
          "dev_clock_file moves the broker's clock for tests: it is refused "
          "outside dev mode");
    }
    dev_clock_ = std::make_unique<OffsetFileClock>(config_.dev_clock_file);
    clock_ = dev_clock_.get();
    Log("warning", "dev mode: the clock is moved by a test file",
        {{"dev_clock_file", config_.dev_clock_file}});
  }
  if (config_.dev) {
    if (absl::Status s = PrepareDevMode(config_); !s.ok()) return s;
  } else if (config_.tls_ca_file.empty() || config_.tls_cert_file.empty() ||
             config_.tls_key_file.empty()) {
    return absl::FailedPreconditionError(
        "TLS material is required outside dev mode: tls_ca, tls_cert, tls_key");
  }
  std::error_code ec;
  // Dev mode creates the keys and the pseudonym secret of a new data
  // directory only: beside an existing or restored store, new ones would
  // silently orphan its grants, its log and its citizens' consents.
  const bool create_keys = config_.dev && config_.restore_from.empty() &&
                           !fs::exists(StoreDir(config_) + "/CURRENT", ec);
  if (config_.dev) {
    fs::create_directories(config_.keys_dir, ec);
    fs::permissions(config_.keys_dir, fs::perms::owner_all, ec);
  }
  if (absl::Status s = OpenKeyRings(create_keys); !s.ok()) return s;
  if (absl::Status s = CheckPrivateFile(config_.tls_key_file, "tls_key");
      !s.ok()) {
    return s;
  }
  auto checkpoint_key = LoadCheckpointKey(config_, create_keys);
  if (!checkpoint_key.ok()) {
    return WithInitHint(config_, checkpoint_key.status(), false);
  }
  auto secret = LoadPseudonymSecret(config_, create_keys);
  if (!secret.ok()) return WithInitHint(config_, secret.status(), false);
  GuardedSettings guarded;
  guarded.grant_issuer = config_.grant_issuer;
  guarded.log_origin = config_.log_origin;
  guarded.pseudonym_secret = *secret;
  guarded.pseudonym_secret_file = config_.pseudonym_secret_file;
  auto citizens = CitizenTokens::Load(
      config_.citizen_issuers, *std::move(secret), config_.clock_skew_seconds);
  if (!citizens.ok()) return citizens.status();
  citizens_ = *std::move(citizens);
  auto taxonomy = LoadTaxonomy(config_);
  if (!taxonomy.ok()) return taxonomy.status();
  if (absl::Status s = OpenState(); !s.ok()) return s;
  // Before anything reads the store: a changed issuer, log origin or
  // pseudonym secret is refused here, by name, not met later as a
  // checkpoint that does not open or as citizens without their consents.
  absl::Status guard = GuardSettings(guarded);
  guarded.pseudonym_secret.clear();
  if (!guard.ok()) return guard;
  policies_ =
      std::make_unique<PolicyRegistry>(store_.get(), *std::move(taxonomy));
  auth_ = std::make_unique<Authenticator>(store_.get(), citizens_.get(), clock_,
                                          config_.trust_domain);

  if (absl::Status s = CreateCheckpointer(*std::move(checkpoint_key));
      !s.ok()) {
    return s;
  }

  AssembleEnv();

  if (config_.dev) {
    if (absl::Status s = SeedDevContent(env_); !s.ok()) return s;
  }
  SetStartupGauges(config_, *store_, &metrics_);
  if (absl::Status s = checkpointer_->Start(); !s.ok()) return s;
  // An erasure's compaction the last run did not finish runs now.
  if (store_->CompactionPending()) {
    sweeper_->RequestCompaction();
  }
  sweeper_->Start();
  if (absl::Status s = StartGrpc(); !s.ok()) return s;
  if (absl::Status s = StartHttp(); !s.ok()) return s;
  Log("info", "accord-broker serving",
      {{"grpc", config_.grpc_address},
       {"http", config_.http_address},
       {"data_dir", config_.data_dir},
       {"dev", config_.dev ? "true" : "false"},
       {"revision", absl::StrCat(store_->revision())},
       {"log_size", absl::StrCat(store_->LogSize())}});
  return absl::OkStatus();
}

absl::Status BrokerImpl::OpenKeyRings(bool create_keys) {
  auto keys = OpenGrantKeys(config_, create_keys, clock_);
  if (!keys.ok()) return WithInitHint(config_, keys.status(), false);
  keys_ = *std::move(keys);
  // Receipts are signed afresh at every read, so a new receipt ring
  // orphans nothing: dev mode creates a missing one beside a store too.
  auto receipt_keys = OpenReceiptKeys(
      config_, config_.dev || config_.create_receipt_keys, clock_);
  if (!receipt_keys.ok()) {
    return WithInitHint(config_, receipt_keys.status(), true);
  }
  receipt_keys_ = *std::move(receipt_keys);
  return absl::OkStatus();
}

absl::Status BrokerImpl::GuardSettings(const GuardedSettings& guarded) {
  auto guard = CheckOrRecordSettings(*store_, guarded);
  if (!guard.ok()) return guard.status();
  if (!guard->recorded.empty()) {
    const bool older_store = store_->revision() > 0 || store_->LogSize() > 0;
    Log("info",
        older_store ? "recorded the settings this store must keep (it was "
                      "created before they were recorded)"
                    : "recorded the settings this store must keep",
        {{"settings", absl::StrJoin(guard->recorded, ",")}});
  }
  return absl::OkStatus();
}

absl::Status BrokerImpl::CreateCheckpointer(crypto::SigningKey checkpoint_key) {
  auto signer =
      crypto::NoteSigner::Create(config_.log_origin, std::move(checkpoint_key));
  if (!signer.ok()) return signer.status();
  signer_.emplace(*std::move(signer));
  checkpoint_verifier_key_ = signer_->VerifierKey();
  if (absl::Status s = CheckLogAgainstLastCheckpoint(*store_, config_,
                                                     checkpoint_verifier_key_);
      !s.ok()) {
    return s;
  }
  store::Store* store = store_.get();
  auditlog::Checkpointer::Options checkpoints;
  checkpoints.origin = config_.log_origin;
  auto checkpointer = auditlog::Checkpointer::Create(
      *log_, checkpoints, *signer_,
      [store, this](const auditlog::SignedCheckpoint& c) {
        store::WriteSet ws;
        ws.PutCheckpoint(c.checkpoint.size, c.note);
        auto committed = store->CommitAndWait(std::move(ws));
        if (!committed.ok()) return committed.status();
        metrics_.SetGauge("checkpoint_size",
                          static_cast<double>(c.checkpoint.size));
        metrics_.SetGauge(
            "checkpoint_timestamp_seconds",
            absl::ToDoubleSeconds(clock_->Now() - absl::UnixEpoch()));
        return absl::OkStatus();
      },
      [this] { return clock_->Now(); });
  if (!checkpointer.ok()) return checkpointer.status();
  checkpointer_ = *std::move(checkpointer);
  return absl::OkStatus();
}

void BrokerImpl::AssembleEnv() {
  env_.config = &config_;
  env_.store = store_.get();
  env_.policies = policies_.get();
  env_.keys = keys_.get();
  env_.receipt_keys = receipt_keys_.get();
  env_.auth = auth_.get();
  env_.clock = clock_;
  env_.metrics = &metrics_;
  env_.domain_metrics = &domain_metrics_;
  env_.log = log_.get();
  env_.checkpointer = checkpointer_.get();
  env_.checkpoint_verifier_key = checkpoint_verifier_key_;
  revocations_ = std::make_unique<RevocationHub>(store_.get());
  env_.revocations = revocations_.get();
  rate_limiter_ = std::make_unique<RateLimiter>(
      config_.rate_limit_per_second, config_.rate_limit_burst, clock_);
  env_.rate_limiter = rate_limiter_.get();
  if (config_.rate_limit_per_peer_per_second > 0) {
    peer_rate_limiter_ = std::make_unique<RateLimiter>(
        config_.rate_limit_per_peer_per_second,
        config_.rate_limit_per_peer_burst, clock_);
    env_.peer_rate_limiter = peer_rate_limiter_.get();
  }
  Readiness::Limits ready;
  ready.max_write_wait = absl::Milliseconds(config_.ready_max_write_wait_ms);
  ready.max_calls_in_flight = config_.ready_max_calls_in_flight;
  readiness_ = std::make_unique<Readiness>(store_.get(), ready);
  env_.readiness = readiness_.get();
  Sweeper::Options retention;
  retention.consent_retention =
      absl::Hours(24) * config_.retention_consent_events_days;
  retention.grant_retention =
      absl::Hours(24) * config_.retention_grant_records_days;
  retention.interval = absl::Seconds(config_.retention_sweep_interval_seconds);
  retention.request_id_window =
      absl::Seconds(config_.request_id_window_seconds);
  sweeper_ = std::make_unique<Sweeper>(store_.get(), clock_, retention);
  env_.sweeper = sweeper_.get();
}

absl::Status BrokerImpl::StartGrpc() {
  auto ca = ReadFile(config_.tls_ca_file, "tls_ca");
  if (!ca.ok()) return ca.status();
  auto cert = ReadFile(config_.tls_cert_file, "tls_cert");
  if (!cert.ok()) return cert.status();
  auto key = ReadFile(config_.tls_key_file, "tls_key");
  if (!key.ok()) return key.status();
  if (absl::Status s =
          CheckTlsMaterial(config_, *ca, *cert, *key, clock_->NowSeconds());
      !s.ok()) {
    return s;
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  auto credentials = GrpcServerCredentials(config_, *ca, *cert, *key);
  if (!credentials.ok()) return credentials.status();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config_.grpc_address, *credentials, &grpc_port_);
  ConfigureGrpcListener(config_, builder);
  services_ = MakeServices(env_);
  for (auto& service : services_) builder.RegisterService(service.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || grpc_port_ == 0) {
    // gRPC does not say why; a bind of our own does ("Address already in
    // use": SO_REUSEPORT is off, so a second broker never shares a port).
    const absl::Status why = http::CheckListenable(config_.grpc_address);
    return absl::UnavailableError(
        absl::StrCat("cannot listen for gRPC on ", config_.grpc_address,
                     why.ok() ? "" : ": ", why.message()));
  }
  // The health status follows readiness (readiness.h), checked a few
  // times a second; a change is logged once.
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  readiness_->Watch(absl::Milliseconds(250), [health](const absl::Status& s) {
    health->SetServingStatus(s.ok());
    if (s.ok()) {
      Log("info", "ready");
    } else {
      Log("warning", "not ready", {{"reason", std::string(s.message())}});
    }
  });
  return absl::OkStatus();
}

absl::Status BrokerImpl::StartHttp() {
  http::HttpServer::Options options;
  auto tls = LoadHttpTls(config_, clock_->NowSeconds());
  if (!tls.ok()) return tls.status();
  options.tls = *std::move(tls);
  options.max_connections = static_cast<int>(config_.http_max_connections);
  options.reserved_connections =
      static_cast<int>(config_.http_reserved_connections);
  options.max_connections_per_ip =
      static_cast<int>(config_.http_max_connections_per_ip);
  options.idle_timeout = absl::Seconds(config_.http_idle_timeout_seconds);
  options.io_timeout = absl::Seconds(config_.http_request_timeout_seconds);
  // Health, readiness and keys may also use the reserved slots; /metrics
  // (the one costly page) only the shared ones.
  http::Router router;
  KeyRing* keys = keys_.get();
  store::Store* store = store_.get();
  http::Metrics* metrics = &metrics_;
  router.GetReserved("/healthz", [] {
    return http::Response{200, "text/plain; charset=utf-8", {}, "ok\n"};
  });
  // The reason stays in the broker's log: callers get a fixed text.
  router.GetReserved("/readyz", [readiness = readiness_.get()] {
    if (!readiness->Check().ok()) {
      return http::Response{
          503, "text/plain; charset=utf-8", {}, "not ready\n"};
    }
    return http::Response{200, "text/plain; charset=utf-8", {}, "ready\n"};
  });
  MetricsSources scraped{metrics, &domain_metrics_,   store, readiness_.get(),
                         keys,    receipt_keys_.get()};
  router.Get("/metrics", [scraped] {
    return http::Response{200,
                          "text/plain; version=0.0.4; charset=utf-8",
                          {},
                          RenderMetricsPage(scraped)};
  });
  // Caches may keep the JWKS no longer than a new key is published before
  // it signs, so they always know the key of a grant they receive.
  router.GetReserved("/.well-known/jwks.json", [keys] {
    return http::Response{
        200,
        "application/jwk-set+json",
        {{"Cache-Control",
          absl::StrCat("public, max-age=", keys->CacheMaxAgeSeconds())}},
        keys->JwksJson()};
  });
  // Every key that ever signed a receipt, so receipts verify for ever.
  KeyRing* receipt_keys = receipt_keys_.get();
  router.GetReserved("/.well-known/receipt-keys.json", [receipt_keys] {
    return http::Response{
        200,
        "application/jwk-set+json",
        {{"Cache-Control", absl::StrCat("public, max-age=",
                                        receipt_keys->CacheMaxAgeSeconds())}},
        receipt_keys->JwksJson()};
  });
  auto server =
      http::HttpServer::Start(config_.http_address, std::move(router), options);
  if (!server.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot listen for HTTP on ",
                                               config_.http_address, ": ",
                                               server.status().message()));
  }
  http_ = *std::move(server);
  return absl::OkStatus();
}

void BrokerImpl::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  // Open revocation streams end first, so the server does not wait for them.
  if (revocations_ != nullptr) revocations_->Close();
  if (readiness_ != nullptr) readiness_->Stop();
  if (server_ != nullptr) {
    // In-flight calls get a few seconds to finish; new ones are refused.
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(5));
    server_->Wait();
  }
  if (http_ != nullptr) http_->Shutdown();
  if (checkpointer_ != nullptr) checkpointer_->Stop();
  // After the server: a compaction an erasure asked for still runs.
  if (sweeper_ != nullptr) sweeper_->Stop();
  if (store_ != nullptr) store_->Close();
  Log("info", "accord-broker stopped");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Broker>> Broker::Start(BrokerConfig config) {
  auto broker = std::make_unique<BrokerImpl>(std::move(config));
  if (absl::Status s = broker->Init(); !s.ok()) {
    broker->Shutdown();
    return s;
  }
  return std::unique_ptr<Broker>(std::move(broker));
}

}  // namespace accord::service
