// Erasure and retention on the writer thread (erase.h).
#include "broker/store/erase.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "broker/store/grant_index.h"
#include "broker/store/keys.h"
#include "broker/store/read_util.h"

namespace accord::store {
namespace {

void Delete(BatchState& state, Family f, absl::string_view key) {
  state.batch->Delete(state.db.cf(f), rocksdb::Slice(key.data(), key.size()));
}

void Put(BatchState& state, Family f, absl::string_view key,
         const google::protobuf::MessageLite& m) {
  const std::string value = m.SerializeAsString();
  state.batch->Put(state.db.cf(f), rocksdb::Slice(key.data(), key.size()),
                   value);
}

// Deletes every stored event of consent `id`.
absl::Status DeleteEvents(BatchState& state, absl::string_view id) {
  std::vector<std::string> event_keys;
  absl::Status s =
      Scan(state.db, kConsentEvents, keys::ConsentEventPrefix(id), "", nullptr,
           [&](absl::string_view key, absl::string_view) {
             event_keys.emplace_back(key);
             return true;
           });
  if (!s.ok()) return s;
  for (const std::string& key : event_keys) Delete(state, kConsentEvents, key);
  return absl::OkStatus();
}

// The subject's consent list under `list_key` as the batch leaves it so far.
absl::StatusOr<ConsentList*> ListOf(BatchState& state,
                                    const std::string& list_key,
                                    absl::string_view subject) {
  auto [it, inserted] = state.consent_lists.try_emplace(list_key);
  if (inserted) {
    auto stored = Parse<ConsentList>(state.db.Get(kIndex, list_key),
                                     "consent list of subject", subject);
    if (stored.ok()) {
      it->second = *std::move(stored);
    } else if (!absl::IsNotFound(stored.status())) {
      state.consent_lists.erase(it);
      return stored.status();
    }
  }
  return &it->second;
}

ConsentTombstone TombstoneOf(const accord::v1::Consent& c, int64_t ended_at,
                             int64_t erased_at) {
  ConsentTombstone t;
  t.set_consent_id(c.id());
  t.set_dataset_id(c.dataset_id());
  t.set_purpose(c.purpose());
  *t.mutable_recipient() = c.recipient();
  *t.mutable_notice() = c.notice();
  t.set_legal_basis(c.legal_basis());
  t.set_given_at(c.given_at());
  t.set_ended_at(ended_at);
  t.set_state(c.state());
  t.set_request_id(c.request_id());
  t.set_request_version(c.request_version());
  t.set_erased_at(erased_at);
  return t;
}

}  // namespace

absl::StatusOr<int64_t> LastEventAt(const Db& db, absl::string_view id,
                                    int64_t fallback) {
  int64_t at = fallback;
  absl::Status bad;
  absl::Status s =
      Scan(db, kConsentEvents, keys::ConsentEventPrefix(id), "", nullptr,
           [&](absl::string_view, absl::string_view v) {
             accord::v1::ConsentEvent e;
             if (!e.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
               bad = absl::DataLossError(
                   absl::StrCat("unreadable event of consent '", id, "'"));
               return false;
             }
             at = e.at();
             return true;
           });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return at;
}

namespace {

// The answers kept for retries (keys::ClientRequest) that name `subject`:
// its own calls (the caller part names it) and any answer whose bytes hold
// it (a grant naming it, a consent of theirs), deleted with their age
// entries. Matching the bytes may take an answer that only looks like it
// names the subject: its retry is then a new call, never a leak.
absl::Status DeleteClientRequestsNaming(BatchState& state,
                                        absl::string_view subject) {
  std::vector<std::pair<std::string, int64_t>> doomed;
  absl::Status error;
  absl::Status s =
      Scan(state.db, kIndex, "I", "", nullptr,
           [&](absl::string_view key, absl::string_view value) {
             if (key.find(subject) == absl::string_view::npos &&
                 value.find(subject) == absl::string_view::npos) {
               return true;
             }
             ClientRequestRecord record;
             if (!record.ParseFromArray(value.data(),
                                        static_cast<int>(value.size()))) {
               error = absl::DataLossError("unreadable client request record");
               return false;
             }
             doomed.emplace_back(std::string(key), record.created_at());
             return true;
           });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  for (const auto& [key, created_at] : doomed) {
    Delete(state, kIndex, key);
    std::string age_key(keys::kClientRequestByAgePrefix);
    keys::AppendBE64(&age_key, static_cast<uint64_t>(created_at));
    age_key.append(key.substr(1));
    Delete(state, kIndex, age_key);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyErasure(BatchState& state,
                          const WriteSet::EraseSubjectOp& op) {
  const std::string& subject = op.subject;
  if (absl::Status s = DeleteClientRequestsNaming(state, subject); !s.ok()) {
    return s;
  }
  // Grants first: the consents they relied on keep a tombstone.
  const std::string grant_prefix = keys::GrantBySubjectPrefix(subject);
  std::vector<std::string> grant_keys;
  // With those the indexer has yet to write: the writer holds it
  // (EventIndexer::batch_mutex), so it writes none for the subject after
  // this batch rewrites the grants.
  absl::Status s =
      ScanGrantIndex(state.db, grant_prefix, "", nullptr,
                     [&](absl::string_view key, absl::string_view) {
                       grant_keys.emplace_back(key);
                       return true;
                     });
  if (!s.ok()) return s;
  absl::flat_hash_set<std::string> relied_on;
  for (const std::string& key : grant_keys) {
    Delete(state, kIndex, key);
    absl::StatusOr<absl::string_view> grant_id =
        GrantIdOfEntry(key, grant_prefix);
    if (!grant_id.ok()) return grant_id.status();
    const std::string id(*grant_id);
    auto grant = Parse<GrantRecord>(state.db.Get(kGrants, id), "grant", id);
    if (absl::IsNotFound(grant.status())) continue;
    if (!grant.ok()) return grant.status();
    for (const std::string& c : grant->consent_ids()) relied_on.insert(c);
    auto* subjects = grant->mutable_subjects();
    const auto at = std::find(subjects->begin(), subjects->end(), subject);
    if (at == subjects->end()) continue;
    subjects->DeleteSubrange(static_cast<int>(at - subjects->begin()), 1);
    grant->set_erased_subjects(grant->erased_subjects() + 1);
    Put(state, kGrants, id, *grant);
  }

  const std::string consent_prefix = keys::ConsentBySubjectPrefix(subject);
  std::vector<std::string> consent_keys;
  s = Scan(state.db, kIndex, consent_prefix, "", nullptr,
           [&](absl::string_view key, absl::string_view) {
             consent_keys.emplace_back(key);
             return true;
           });
  if (!s.ok()) return s;
  for (const std::string& key : consent_keys) {
    Delete(state, kIndex, key);
    const std::string id = key.substr(consent_prefix.size());
    auto consent =
        Parse<accord::v1::Consent>(state.db.Get(kConsents, id), "consent", id);
    if (absl::IsNotFound(consent.status())) continue;
    if (!consent.ok()) return consent.status();
    if (relied_on.contains(id)) {
      int64_t ended = op.at;
      if (consent->state() != accord::v1::CONSENT_STATE_GIVEN) {
        auto last = LastEventAt(state.db, id, op.at);
        if (!last.ok()) return last.status();
        ended = *last;
      } else if (consent->expires_at() != 0 && consent->expires_at() < op.at) {
        ended = consent->expires_at();
      }
      Put(state, kIndex, keys::ConsentTombstone(id),
          TombstoneOf(*consent, ended, op.at));
    }
    if (absl::Status d = DeleteEvents(state, id); !d.ok()) return d;
    Delete(state, kConsents, id);
    if (!consent->request_id().empty()) {
      Delete(state, kIndex, keys::AnswerOfRequest(consent->request_id(), id));
    }
    const std::string list_key =
        keys::ConsentsOfSubject(consent->dataset_id(), subject);
    Delete(state, kIndex, list_key);
    // A later write set of the same batch starts from the empty list.
    state.consent_lists[list_key].Clear();
  }
  Delete(state, kIndex, keys::SubjectKey(subject));
  // The compaction after the erasure is owed, across a restart too.
  const std::string pending(keys::kCompactionPending);
  state.batch->Put(state.db.cf(kMeta), pending,
                   absl::StrCat(op.at, ":", state.revision + 1));
  return absl::OkStatus();
}

absl::Status ApplyPurge(BatchState& state, const WriteSet::PurgeOp& op) {
  for (const std::string& id : op.consent_ids) {
    auto consent =
        Parse<accord::v1::Consent>(state.db.Get(kConsents, id), "consent", id);
    if (absl::IsNotFound(consent.status())) continue;
    if (!consent.ok()) return consent.status();
    if (absl::Status d = DeleteEvents(state, id); !d.ok()) return d;
    Delete(state, kConsents, id);
    Delete(state, kIndex, keys::ConsentBySubject(consent->subject(), id));
    if (!consent->request_id().empty()) {
      Delete(state, kIndex, keys::AnswerOfRequest(consent->request_id(), id));
    }
    const std::string list_key =
        keys::ConsentsOfSubject(consent->dataset_id(), consent->subject());
    auto list = ListOf(state, list_key, consent->subject());
    if (!list.ok()) return list.status();
    auto* consents = (*list)->mutable_consents();
    for (int i = 0; i < consents->size(); ++i) {
      if (consents->Get(i).id() == id) {
        consents->DeleteSubrange(i, 1);
        break;
      }
    }
    if (consents->empty()) {
      Delete(state, kIndex, list_key);
    } else {
      Put(state, kIndex, list_key, **list);
    }
  }
  for (const std::string& id : op.grant_ids) {
    auto grant = Parse<GrantRecord>(state.db.Get(kGrants, id), "grant", id);
    if (absl::IsNotFound(grant.status())) continue;
    if (!grant.ok()) return grant.status();
    for (const std::string& subject : grant->subjects()) {
      Delete(state, kIndex,
             keys::GrantBySubject(subject, grant->issued_at(), id));
    }
    Delete(state, kIndex,
           keys::GrantByPartner(grant->partner(), grant->issued_at(), id));
    Delete(state, kGrants, id);
  }
  for (const std::string& id : op.tombstone_ids) {
    Delete(state, kIndex, keys::ConsentTombstone(id));
  }
  return absl::OkStatus();
}

}  // namespace accord::store
