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
  explicit ConsentReader(const Db& db) : db_(db), snapshot_(db.db()) {
    options_.snapshot = snapshot_.snapshot();
  }

  const rocksdb::Snapshot* snapshot() { return snapshot_.snapshot(); }

  // The record with its events.
  absl::StatusOr<accord::v1::Consent> Read(absl::string_view id) {
    auto consent = Parse<accord::v1::Consent>(
        db_.Get(kConsents, id, snapshot_.snapshot()), "consent", id);
    if (!consent.ok()) return consent;
    if (absl::Status s = AddEvents(&*consent); !s.ok()) return s;
    return consent;
  }

  // Appends the stored events of `consent` (a record as stored: without
  // them, earlier_events counting them), which then holds them all.
  absl::Status AddEvents(accord::v1::Consent* consent) {
    if (events_ == nullptr) {
      events_.reset(db_.db()->NewIterator(options_, db_.cf(kConsentEvents)));
    }
    const std::string prefix = keys::ConsentEventPrefix(consent->id());
    for (events_->Seek(prefix);
         events_->Valid() && events_->key().starts_with(prefix);
         events_->Next()) {
      const rocksdb::Slice v = events_->value();
      if (!consent->add_events()->ParseFromArray(v.data(),
                                                 static_cast<int>(v.size()))) {
        return absl::DataLossError(
            absl::StrCat("unreadable event of consent '", consent->id(), "'"));
      }
    }
    if (absl::Status s = FromRocks(events_->status(), "scan"); !s.ok()) {
      return s;
    }
    if (static_cast<uint64_t>(consent->events_size()) !=
        consent->earlier_events()) {
      return absl::DataLossError(absl::StrCat(
          "consent '", consent->id(), "' has ", consent->events_size(),
          " stored events where its record counts ",
          consent->earlier_events()));
    }
    consent->set_earlier_events(0);
    return absl::OkStatus();
  }

 private:
  const Db& db_;
  rocksdb::ManagedSnapshot snapshot_;
  rocksdb::ReadOptions options_;
  std::unique_ptr<rocksdb::Iterator> events_;
};

}  // namespace

absl::StatusOr<accord::v1::Consent> Store::GetConsent(
    absl::string_view id) const {
  ConsentReader reader(*db_);
  return reader.Read(id);
}

absl::StatusOr<accord::v1::Consent> Store::GetConsentHead(
    absl::string_view id) const {
  return Parse<accord::v1::Consent>(db_->Get(kConsents, id), "consent", id);
}

absl::StatusOr<Page<accord::v1::Consent>> Store::ListConsentsBySubject(
    absl::string_view subject, absl::string_view dataset_id,
    absl::string_view cursor, size_t limit) const {
  ConsentReader reader(*db_);
  if (dataset_id.empty()) {
    const std::string prefix = keys::ConsentBySubjectPrefix(subject);
    return List<accord::v1::Consent>(
        *db_, kIndex, prefix, cursor, limit,
        [&](absl::string_view key, absl::string_view,
            const rocksdb::Snapshot*) {
          return reader.Read(key.substr(prefix.size()));
        });
  }
  // With a dataset, the subject's consent list for it holds the records,
  // by id; a cursor is the list's key, a 0 and the last id of its page.
  const std::string list_key = keys::ConsentsOfSubject(dataset_id, subject);
  const std::string cursor_prefix =
      absl::StrCat(list_key, absl::string_view("\0", 1));
  std::string after;
  if (!cursor.empty()) {
    absl::StatusOr<std::string> key = DecodeCursor(cursor, cursor_prefix);
    if (!key.ok()) return key.status();
    after = key->substr(cursor_prefix.size());
  }
  Page<accord::v1::Consent> page;
  auto list = Parse<ConsentList>(db_->Get(kIndex, list_key, reader.snapshot()),
                                 "consent list of subject", subject);
  if (absl::IsNotFound(list.status())) return page;
  if (!list.ok()) return list.status();
  limit = ClampLimit(limit);
  for (accord::v1::Consent& c : *list->mutable_consents()) {
    if (c.id() <= after) continue;
    if (page.records.size() == limit) {
      page.next_cursor = EncodeCursor(cursor_prefix + page.records.back().id());
      break;
    }
    if (absl::Status s = reader.AddEvents(&c); !s.ok()) return s;
    page.records.push_back(std::move(c));
  }
  return page;
}

absl::StatusOr<std::vector<accord::v1::Consent>> Store::ConsentsForSubjects(
    absl::string_view dataset_id,
    absl::Span<const std::string> subjects) const {
  if (absl::Status s = CheckKeyPart("dataset_id", dataset_id); !s.ok())
    return s;
  for (const std::string& subject : subjects) {
    if (absl::Status s = CheckKeyPart("subjects", subject); !s.ok()) return s;
  }
  // One point read per subject, all in one MultiGet at one snapshot.
  std::vector<std::string> keys;
  keys.reserve(subjects.size());
  for (const std::string& subject : subjects) {
    keys.push_back(keys::ConsentsOfSubject(dataset_id, subject));
  }
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->db()->MultiGet(rocksdb::ReadOptions(), db_->cf(kIndex), slices.size(),
                      slices.data(), values.data(), statuses.data());
  std::vector<accord::v1::Consent> out;
  ConsentList list;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (absl::Status s = FromRocks(statuses[i], "read"); !s.ok()) return s;
    if (!list.ParseFromArray(values[i].data(),
                             static_cast<int>(values[i].size()))) {
      return absl::DataLossError(absl::StrCat(
          "unreadable consent list of subject '", subjects[i], "'"));
    }
    for (accord::v1::Consent& c : *list.mutable_consents()) {
      out.push_back(std::move(c));
    }
  }
  return out;
}

absl::StatusOr<Page<accord::v1::Consent>> Store::ListAnswersOfRequest(
    absl::string_view request_id, absl::string_view cursor,
    size_t limit) const {
  ConsentReader reader(*db_);
  const std::string prefix = keys::AnswerOfRequestPrefix(request_id);
  return List<accord::v1::Consent>(
      *db_, kIndex, prefix, cursor, limit,
      [&](absl::string_view key, absl::string_view, const rocksdb::Snapshot*) {
        return reader.Read(key.substr(prefix.size()));
      });
}

}  // namespace accord::store
