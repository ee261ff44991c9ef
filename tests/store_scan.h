#ifndef ACCORD_TESTS_STORE_SCAN_H_
#define ACCORD_TESTS_STORE_SCAN_H_

// A stopped broker's RocksDB store opened directly, for the erasure tests:
// what an insider with disk access would find.

#include <memory>
#include <string>
#include <vector>

#include "broker/store/store.h"

namespace accord::testing {

// Returns the 32-byte commitment key the broker keeps for `subject` in the
// index family (store::keys::SubjectKey), after flushing every family into
// table files (so that a scan of their bytes has something to find).
// The store must not be open elsewhere. Fails the test on an error or when
// the subject has no key.
std::string ReadSubjectKey(const std::string& db_path,
                           const std::string& subject);

// Every key and value of every column family, read through RocksDB (read
// only), that contains one of `needles` (as bytes): one line "family: key
// or value" per hit, empty when none.
// The audit log's families are searched too: its entries hold commitments,
// never a pseudonym.
std::vector<std::string> FindInStore(const std::string& db_path,
                                     const std::vector<std::string>& needles);

// The same search in the raw bytes of the live table (.sst) files of every
// column family: a value deleted but not
// compacted away would show here. One line "file: needle" per hit.
std::vector<std::string> FindInTableFiles(
    const std::string& db_path, const std::vector<std::string>& needles);

// The number of keys of `family` that start with `prefix`.
size_t CountKeys(const std::string& db_path, const std::string& family,
                 const std::string& prefix);

// Every entry (key and value) of the indexes derived off the commit path
// (store/event_indexer.h): the audit log's query indexes ('E' keys of the
// index family, store/keys.h) and the grant indexes ('G', 'P'), and, last,
// their stored progress, read through RocksDB (read only).
std::vector<std::string> DerivedIndexEntries(const std::string& db_path);

// The store at `db_path` opened read-only through store::Store: no thread
// indexes its log. Fails the test when it does not open.
std::unique_ptr<store::Store> OpenReadOnlyStore(const std::string& db_path);

// Deletes those indexes and their progress, so that the store indexes its
// whole log again when next opened.
void DropDerivedIndexes(const std::string& db_path);

}  // namespace accord::testing

#endif  // ACCORD_TESTS_STORE_SCAN_H_
