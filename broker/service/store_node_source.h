#ifndef ACCORD_BROKER_SERVICE_STORE_NODE_SOURCE_H_
#define ACCORD_BROKER_SERVICE_STORE_NODE_SOURCE_H_

#include "broker/auditlog/node_source.h"
#include "broker/store/store.h"

namespace accord::service {

// The audit log's stored tree, read through the store.
class StoreNodeSource final : public auditlog::NodeSource {
 public:
  explicit StoreNodeSource(store::Store* store) : store_(store) {}

  absl::StatusOr<std::string> Node(uint8_t level, uint64_t index) override {
    return store_->GetTreeNode(level, index);
  }
  absl::StatusOr<std::string> Entry(uint64_t index) override {
    return store_->GetLogEntry(index);
  }
  uint64_t Size() override { return store_->LogSize(); }

 private:
  store::Store* const store_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_STORE_NODE_SOURCE_H_
