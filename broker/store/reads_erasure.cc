// Reads for erasure and retention, and the compaction after an erasure.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/store/erase.h"
#include "broker/store/grant_index.h"
#include "broker/store/read_util.h"
#include "broker/store/validate.h"
#include "rocksdb/options.h"

namespace accord::store {
namespace {

bool Ended(accord::v1::ConsentState state) {
  return state == accord::v1::CONSENT_STATE_WITHDRAWN ||
         state == accord::v1::CONSENT_STATE_EXPIRED ||
         state == accord::v1::CONSENT_STATE_REFUSED;
}

}  // namespace

absl::StatusOr<SubjectFootprint> Store::FindSubject(
    absl::string_view subject) const {
  if (absl::Status s = CheckKeyPart("subject", subject); !s.ok()) return s;
  rocksdb::ManagedSnapshot snapshot(db_->db());
  const rocksdb::Snapshot* at = snapshot.snapshot();
  SubjectFootprint found;
  absl::Status error;
  const std::string consent_prefix = keys::ConsentBySubjectPrefix(subject);
  absl::Status s = Scan(*db_, kIndex, consent_prefix, "", at,
                        [&](absl::string_view key, absl::string_view) {
                          const absl::string_view id =
                              key.substr(consent_prefix.size());
                          auto c = Parse<accord::v1::Consent>(
                              db_->Get(kConsents, id, at), "consent", id);
                          if (absl::IsNotFound(c.status())) return true;
                          if (!c.ok()) {
                            error = c.status();
                            return false;
                          }
                          found.consents.push_back(*std::move(c));
                          return true;
                        });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  const std::string grant_prefix = keys::GrantBySubjectPrefix(subject);
  s = ScanGrantIndex(*db_, grant_prefix, "", at,
                     [&](absl::string_view key, absl::string_view) {
                       absl::StatusOr<absl::string_view> id =
                           GrantIdOfEntry(key, grant_prefix);
                       if (!id.ok()) {
                         error = id.status();
                         return false;
                       }
                       auto g = Parse<GrantRecord>(db_->Get(kGrants, *id, at),
                                                   "grant", *id);
                       if (absl::IsNotFound(g.status())) return true;
                       if (!g.ok()) {
                         error = g.status();
                         return false;
                       }
                       found.grants.push_back(*std::move(g));
                       return true;
                     });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  auto key = db_->Get(kIndex, keys::SubjectKey(subject), at);
  if (!key.ok() && !absl::IsNotFound(key.status())) return key.status();
  found.has_subject_key = key.ok();
  return found;
}

absl::StatusOr<ExpiredRecords> Store::FindExpired(
    int64_t now, int64_t consent_retention_seconds,
    int64_t grant_retention_seconds, size_t limit) const {
  if (limit == 0 || limit > 10000) limit = 10000;
  const int64_t consent_cutoff = now - consent_retention_seconds;
  const int64_t grant_cutoff = now - grant_retention_seconds;
  ExpiredRecords expired;
  absl::Status error;
  absl::Status s = Scan(
      *db_, kConsents, "", "", nullptr,
      [&](absl::string_view id, absl::string_view value) {
        if (expired.size() >= limit) return false;
        accord::v1::Consent c;
        if (!c.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          error = absl::DataLossError(
              absl::StrCat("unreadable consent '", id, "'"));
          return false;
        }
        int64_t ended;
        if (Ended(c.state())) {
          auto last = LastEventAt(*db_, id, c.given_at());
          if (!last.ok()) {
            error = last.status();
            return false;
          }
          ended = *last;
        } else if (c.expires_at() != 0 && c.expires_at() <= now) {
          ended = c.expires_at();  // expired, its event not yet recorded
        } else {
          return true;  // live
        }
        if (ended < consent_cutoff) expired.consent_ids.emplace_back(id);
        return true;
      });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  s = Scan(
      *db_, kGrants, "", "", nullptr,
      [&](absl::string_view id, absl::string_view value) {
        if (expired.size() >= limit) return false;
        GrantRecord g;
        if (!g.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          error =
              absl::DataLossError(absl::StrCat("unreadable grant '", id, "'"));
          return false;
        }
        if (g.expires_at() < grant_cutoff) expired.grant_ids.emplace_back(id);
        return true;
      });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  const std::string prefix(keys::kConsentTombstonePrefix);
  s = Scan(
      *db_, kIndex, prefix, "", nullptr,
      [&](absl::string_view key, absl::string_view value) {
        if (expired.size() >= limit) return false;
        ConsentTombstone t;
        if (!t.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          error = absl::DataLossError("unreadable consent tombstone");
          return false;
        }
        if (t.ended_at() < consent_cutoff) {
          expired.tombstone_ids.emplace_back(key.substr(prefix.size()));
        }
        return true;
      });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  return expired;
}

absl::Status Store::CompactErased() const {
  if (db_->read_only()) {
    return absl::FailedPreconditionError("the store was opened read-only");
  }
  const std::string pending_key(keys::kCompactionPending);
  auto pending = db_->Get(kMeta, pending_key);
  if (!pending.ok() && !absl::IsNotFound(pending.status())) {
    return pending.status();
  }
  // Every family first: the write-ahead log segments that still hold the
  // erased values become obsolete and are deleted.
  if (absl::Status s =
          FromRocks(db_->db()->Flush(rocksdb::FlushOptions(), db_->handles()),
                    "flush after an erasure");
      !s.ok()) {
    return s;
  }
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  for (Family f : {kConsents, kConsentEvents, kGrants, kIndex}) {
    absl::Status s = FromRocks(
        db_->db()->CompactRange(options, db_->cf(f), nullptr, nullptr),
        "compaction after an erasure");
    if (!s.ok()) return s;
  }
  // Cleared only when no erasure committed meanwhile (which owes its own).
  if (!pending.ok()) return absl::OkStatus();
  auto now = db_->Get(kMeta, pending_key);
  if (!now.ok() || *now != *pending) return absl::OkStatus();
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return FromRocks(db_->db()->Delete(sync, db_->cf(kMeta), pending_key),
                   "clearing the pending compaction");
}

bool Store::CompactionPending() const {
  return db_->Get(kMeta, keys::kCompactionPending).ok();
}

}  // namespace accord::store
