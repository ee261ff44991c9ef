#ifndef ACCORD_BROKER_AUDITLOG_MEMORY_NODE_SOURCE_H_
#define ACCORD_BROKER_AUDITLOG_MEMORY_NODE_SOURCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/auditlog/merkle.h"
#include "broker/auditlog/node_source.h"
#include "broker/store/log_appender.h"

namespace accord::auditlog {

// A NodeSource held in memory, filled with what Log::Append returns: for
// offline tools (proofs over a downloaded log) and tests. Thread-safe.
class MemoryNodeSource final : public NodeSource {
 public:
  // Stores one appended entry and its nodes. Returns OK.
  // Errors: InvalidArgument if append.index is not Size(), node levels do not
  // strictly increase, a node is out of
  // sequence (its index is not the next one at its level) or a node hash is
  // not 32 bytes. Nothing is stored on error.
  absl::Status Add(const store::LogAppend& append) ABSL_LOCKS_EXCLUDED(mu_);

  absl::StatusOr<std::string> Node(uint8_t level, uint64_t index) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::string> Entry(uint64_t index) override
      ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t Size() override ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::Mutex mu_;
  std::vector<std::string> entries_ ABSL_GUARDED_BY(mu_);
  std::vector<std::vector<Hash>> levels_ ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_MEMORY_NODE_SOURCE_H_
