#ifndef ACCORD_BROKER_AUDITLOG_NODE_SOURCE_H_
#define ACCORD_BROKER_AUDITLOG_NODE_SOURCE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace accord::auditlog {

// Read access to a stored Merkle log. The broker wires it to the store; tools
// and tests use MemoryNodeSource. Proof generation reads through it only, so
// it never depends on how the log is persisted.
class NodeSource {
 public:
  virtual ~NodeSource() = default;

  // Returns the 32-byte hash of the complete aligned subtree at `level`
  // (0 = leaf hashes) covering leaves [index << level, (index + 1) << level).
  // Errors: NotFound if that node is not stored (the subtree is not complete
  // yet or not durable); any other code for a read failure.
  virtual absl::StatusOr<std::string> Node(uint8_t level, uint64_t index) = 0;

  // Returns the canonical bytes of entry `index`.
  // Errors: NotFound / OutOfRange past the stored size; others for a read
  // failure.
  virtual absl::StatusOr<std::string> Entry(uint64_t index) = 0;

  // Returns the number of leaves whose entries and nodes are readable.
  virtual uint64_t Size() = 0;
};

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_NODE_SOURCE_H_
