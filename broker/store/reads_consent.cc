// Reads of consents and their events.
#include <memory>

#include "absl/strings/str_cat.h"
#include "broker/store/read_util.h"
#include "broker/store/validate.h"

namespace accord::store {
namespace {

// Reads consents with their events at one snapshot, reusing one iterator
// over the events: a listing reads many consents.
class ConsentReader {
 public:
  explicit ConsentReader(const Db& db)
      : db_(db), snapshot_(db.db()) {
    options_.snapshot = snapshot_.snapshot();
  }

  // The record alone; its `state` is current.
  absl::StatusOr<accord::v1::Consent> ReadRecord(absl::string_view id) {
    return Parse<accord::v1::Consent>(
        db_.Get(kConsents, id, snapshot_.snapshot()), "consent", id);
  }

  // The record with its events.
  absl::StatusOr<accord::v1::Consent> Read(absl::string_view id) {
    auto consent = ReadRecord(id);
    if (!consent.ok()) return consent;
    if (events_ == nullptr) {
      events_.reset(db_.db()->NewIterator(options_, db_.cf(kConsentEvents)));
    }
    const std::string prefix = keys::ConsentEventPrefix(id);
    for (events_->Seek(prefix);
         events_->Valid() && events_->key().starts_with(prefix); events_->Next()) {
      const rocksdb::Slice v = events_->value();
      if (!consent->add_events()->ParseFromArray(v.data(),
                                                 static_cast<int>(v.size()))) {
        return absl::DataLossError(
            absl::StrCat("unreadable event of consent '", id, "'"));
      }
    }
    if (absl::Status s = FromRocks(events_->status(), "scan"); !s.ok()) return s;
    return consent;
  }

 private:
  const Db& db_;
  rocksdb::ManagedSnapshot snapshot_;
  rocksdb::ReadOptions options_;
  std::unique_ptr<rocksdb::Iterator> events_;
};

}  // namespace

absl::StatusOr<accord::v1::Consent> Store::GetConsent(absl::string_view id) const {
  ConsentReader reader(*db_);
  return reader.Read(id);
}

absl::StatusOr<Page<accord::v1::Consent>> Store::ListConsentsBySubject(
    absl::string_view subject, absl::string_view dataset_id,
    absl::string_view cursor, size_t limit) const {
  // With a dataset, the (dataset, subject) index holds exactly the page.
  const std::string prefix =
      dataset_id.empty() ? keys::ConsentBySubjectPrefix(subject)
                         : keys::ConsentByDatasetSubjectPrefix(dataset_id, subject);
  ConsentReader reader(*db_);
  return List<accord::v1::Consent>(
      *db_, kIndex, prefix, cursor, limit,
      [&](absl::string_view key, absl::string_view, const rocksdb::Snapshot*) {
        return reader.Read(key.substr(prefix.size()));
      });
}

absl::StatusOr<std::vector<accord::v1::Consent>> Store::ConsentsForSubjects(
    absl::string_view dataset_id, absl::Span<const std::string> subjects) const {
  if (absl::Status s = CheckKeyPart("dataset_id", dataset_id); !s.ok()) return s;
  for (const std::string& subject : subjects) {
    if (absl::Status s = CheckKeyPart("subjects", subject); !s.ok()) return s;
  }
  // The (dataset, subject) index holds the records: one seek per subject,
  // which the index's prefix Bloom filters let skip the files without it.
  rocksdb::ReadOptions options;
  options.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> index(
      db_->db()->NewIterator(options, db_->cf(kIndex)));
  std::vector<accord::v1::Consent> out;
  for (const std::string& subject : subjects) {
    const std::string prefix =
        keys::ConsentByDatasetSubjectPrefix(dataset_id, subject);
    for (index->Seek(prefix); index->Valid() && index->key().starts_with(prefix);
         index->Next()) {
      const rocksdb::Slice v = index->value();
      if (!out.emplace_back().ParseFromArray(v.data(), static_cast<int>(v.size())) ||
          out.back().id().empty()) {
        return absl::DataLossError(absl::StrCat(
            "consent index of subject '", subject, "' holds an unreadable record"));
      }
    }
    if (absl::Status s = FromRocks(index->status(), "scan"); !s.ok()) return s;
  }
  return out;
}

}  // namespace accord::store
