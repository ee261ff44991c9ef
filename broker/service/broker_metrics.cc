#include "broker/service/broker_metrics.h"

#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "broker/build_info.h"
#include "broker/crypto/x509.h"
#include "broker/http/process_metrics.h"

namespace accord::service {
namespace {

// The not-after time of the first certificate in the PEM file at `path`.
std::optional<int64_t> CertificateExpiry(const std::string& path) {
  if (path.empty()) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream pem;
  pem << in.rdbuf();
  auto info = crypto::ParseCertificatePem(pem.str());
  if (!info.ok()) return std::nullopt;
  return info->not_after;
}

// The creation time of the ring's primary (signing) key.
std::optional<int64_t> PrimaryCreatedAt(KeyRing& ring) {
  for (const accord::v1::KeyInfo& key : ring.List()) {
    if (key.state() == accord::v1::KEY_STATE_PRIMARY) return key.created_at();
  }
  return std::nullopt;
}

}  // namespace

void SetStartupGauges(const BrokerConfig& config, const store::Store& store,
                      http::Metrics* metrics) {
  metrics->SetGauge("build_info", {BuildVersion(), BuildCommit()}, 1);
  metrics->SetGauge("store_reserve_bytes",
                    static_cast<double>(store.min_free_bytes()));
  const std::pair<absl::string_view, const std::string*> files[] = {
      {"tls_cert", &config.tls_cert_file},
      {"tls_ca", &config.tls_ca_file},
      {"http_tls_cert", &config.http_tls_cert_file},
  };
  for (const auto& [key, path] : files) {
    if (std::optional<int64_t> expiry = CertificateExpiry(*path)) {
      metrics->SetGauge("certificate_expiry_timestamp_seconds", {key},
                        static_cast<double>(*expiry));
    }
  }
}

std::string RenderMetricsPage(const MetricsSources& sources) {
  http::Metrics* metrics = sources.metrics;
  const store::Store& store = *sources.store;
  metrics->SetGauge("store_revision", static_cast<double>(store.revision()));
  metrics->SetGauge("log_size", static_cast<double>(store.LogSize()));
  metrics->SetGauge("log_indexed_entries",
                    static_cast<double>(store.EventIndexSize()));
  metrics->SetGauge("ready", sources.readiness->Check().ok() ? 1 : 0);
  if (absl::StatusOr<uint64_t> free_bytes = store.FreeBytes();
      free_bytes.ok()) {
    metrics->SetGauge("store_free_bytes", static_cast<double>(*free_bytes));
  }
  const std::pair<absl::string_view, KeyRing*> rings[] = {
      {"grant", sources.grant_keys}, {"receipt", sources.receipt_keys}};
  for (const auto& [name, ring] : rings) {
    if (ring == nullptr) continue;
    if (std::optional<int64_t> created = PrimaryCreatedAt(*ring)) {
      metrics->SetGauge("signing_key_created_timestamp_seconds", {name},
                        static_cast<double>(*created));
    }
  }
  std::string page = metrics->RenderPrometheus();
  sources.domain_metrics->AppendPrometheus(&page);
  if (absl::StatusOr<http::ProcessStats> process = http::ReadProcessStats();
      process.ok()) {
    http::RenderProcessMetrics(*process, &page);
  }
  return page;
}

}  // namespace accord::service
