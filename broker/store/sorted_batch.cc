#include "broker/store/sorted_batch.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"

namespace accord::store {
namespace {

struct Op {
  uint32_t family;
  rocksdb::Slice key;
  rocksdb::Slice value;
  bool del;
};

// The operations of a batch, pointing into its bytes.
class Collect : public rocksdb::WriteBatch::Handler {
 public:
  explicit Collect(std::vector<Op>* ops) : ops_(ops) {}

  rocksdb::Status PutCF(uint32_t family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    ops_->push_back(Op{family, key, value, false});
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t family,
                           const rocksdb::Slice& key) override {
    ops_->push_back(Op{family, key, rocksdb::Slice(), true});
    return rocksdb::Status::OK();
  }
  // Anything else (merge, range delete, single delete) is not ours: the
  // handler's defaults refuse it, and so does SortedByKey.

 private:
  std::vector<Op>* ops_;
};

}  // namespace

absl::StatusOr<rocksdb::WriteBatch> SortedByKey(
    const rocksdb::WriteBatch& batch,
    const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
  std::vector<Op> ops;
  ops.reserve(batch.Count());
  Collect collect(&ops);
  if (rocksdb::Status s = batch.Iterate(&collect); !s.ok()) {
    return absl::InternalError(
        absl::StrCat("a write batch holds an operation the store never makes: ",
                     s.ToString()));
  }
  std::stable_sort(ops.begin(), ops.end(), [](const Op& a, const Op& b) {
    if (a.family != b.family) return a.family < b.family;
    return a.key.compare(b.key) < 0;
  });
  rocksdb::WriteBatch sorted(batch.GetDataSize());
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  for (const Op& op : ops) {
    if (handle == nullptr || handle->GetID() != op.family) {
      auto it = std::find_if(families.begin(), families.end(),
                             [&](rocksdb::ColumnFamilyHandle* h) {
                               return h->GetID() == op.family;
                             });
      if (it == families.end()) {
        return absl::InternalError(
            absl::StrCat("a write batch writes column family ", op.family,
                         ", not the store's"));
      }
      handle = *it;
    }
    rocksdb::Status s = op.del ? sorted.Delete(handle, op.key)
                               : sorted.Put(handle, op.key, op.value);
    if (!s.ok()) {
      return absl::InternalError(
          absl::StrCat("sorting a write batch: ", s.ToString()));
    }
  }
  return sorted;
}

}  // namespace accord::store
