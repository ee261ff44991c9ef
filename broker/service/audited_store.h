#ifndef ACCORD_BROKER_SERVICE_AUDITED_STORE_H_
#define ACCORD_BROKER_SERVICE_AUDITED_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "broker/auditlog/log.h"
#include "broker/service/config.h"
#include "broker/store/store.h"

namespace accord::service {

// data_dir/db: where the store lives.
std::string StoreDir(const BrokerConfig& config);

// The store with its audit log attached, so that write sets carrying audit
// events commit. The log is declared first and so outlives the store.
struct AuditedStore {
  std::unique_ptr<auditlog::Log> log;
  std::unique_ptr<store::Store> store;
};

// Opens (or, with options.create_if_missing, creates) the store at
// `db_dir`, rebuilds the audit log's frontier from the store's own tree
// nodes and attaches the log. options.appender is ignored. Errors:
// Store::Open's; DATA_LOSS when the stored log cannot be loaded.
absl::StatusOr<AuditedStore> OpenAuditedStore(const std::string& db_dir,
                                              store::StoreOptions options);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_AUDITED_STORE_H_
