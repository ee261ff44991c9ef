#ifndef ACCORD_BROKER_STORE_SORTED_BATCH_H_
#define ACCORD_BROKER_STORE_SORTED_BATCH_H_

// A write batch reordered by column family and key.
//
// RocksDB inserts a batch into its memtables in batch order, and a memtable
// skip list inserts a key after the previous one cheaply (it keeps the
// previous insert's position) but pays a search from the top for a key
// that comes before it. A group commit gathers many write sets whose keys
// interleave (a grant writes its log entry, its record and one index entry
// per subject); sorted, each family's keys go in ascending order.

#include <vector>

#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace accord::store {

// `batch`'s puts and deletes sorted by (column family id, key); operations
// on the same key keep their order, so the result has the same effect.
// `families` are the handles of every column family `batch` writes.
// INTERNAL if `batch` holds another kind of operation or writes another
// family.
absl::StatusOr<rocksdb::WriteBatch> SortedByKey(
    const rocksdb::WriteBatch& batch,
    const std::vector<rocksdb::ColumnFamilyHandle*>& families);

}  // namespace accord::store

#endif  // ACCORD_BROKER_STORE_SORTED_BATCH_H_
