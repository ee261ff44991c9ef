#include "broker/service/audited_store.h"

#include "absl/strings/str_cat.h"
#include "broker/auditlog/frontier.h"
#include "broker/service/store_node_source.h"

namespace accord::service {

std::string StoreDir(const BrokerConfig& config) {
  return config.data_dir + "/db";
}

absl::StatusOr<AuditedStore> OpenAuditedStore(const std::string& db_dir,
                                              store::StoreOptions options) {
  options.appender = nullptr;
  auto store = store::Store::Open(db_dir, options);
  if (!store.ok()) return store.status();
  AuditedStore opened;
  opened.store = *std::move(store);
  StoreNodeSource nodes(opened.store.get());
  auto frontier = auditlog::Frontier::Load(nodes, opened.store->LogSize());
  if (!frontier.ok()) {
    return absl::DataLossError(absl::StrCat("the audit log cannot be loaded: ",
                                            frontier.status().message()));
  }
  opened.log = std::make_unique<auditlog::Log>(*std::move(frontier));
  opened.store->SetLogAppender(opened.log.get());
  return opened;
}

}  // namespace accord::service
