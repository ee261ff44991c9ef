#ifndef ACCORD_BROKER_SERVICE_BROKER_METRICS_H_
#define ACCORD_BROKER_SERVICE_BROKER_METRICS_H_

// The broker's /metrics page: the gauges that describe its state, set at
// start or read at each scrape, then the metrics registry (http/metrics.h),
// the domain counters (domain_metrics.h) and the standard process metrics
// (http/process_metrics.h).

#include <string>

#include "broker/http/metrics.h"
#include "broker/service/config.h"
#include "broker/service/domain_metrics.h"
#include "broker/service/key_ring.h"
#include "broker/service/readiness.h"
#include "broker/store/store.h"

namespace accord::service {

// What a scrape reads. Not owned; each must outlive every scrape.
struct MetricsSources {
  http::Metrics* metrics = nullptr;
  const DomainMetrics* domain_metrics = nullptr;
  const store::Store* store = nullptr;
  const Readiness* readiness = nullptr;
  KeyRing* grant_keys = nullptr;
  KeyRing* receipt_keys = nullptr;
};

// Sets the gauges fixed for the life of the broker: accord_build_info, the
// store's reserve, and the expiry of the certificates of the TLS files the
// config names (tls_cert, tls_ca, http_tls_cert: the first certificate of
// each; a file unset or without a certificate is left out).
void SetStartupGauges(const BrokerConfig& config, const store::Store& store,
                      http::Metrics* metrics);

// Sets the gauges read at each scrape (revision, log size, readiness, free
// space, the signing keys in use), then renders the whole page: the
// registry, the domain counters, the process metrics.
std::string RenderMetricsPage(const MetricsSources& sources);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_BROKER_METRICS_H_
