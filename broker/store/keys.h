#ifndef ACCORD_BROKER_STORE_KEYS_H_
#define ACCORD_BROKER_STORE_KEYS_H_

// Key layout of every column family. Integers are big-endian so range scans
// follow time and index order; string parts are separated by a 0 byte,
// which identifiers and pseudonyms never contain.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace accord::store::keys {

void AppendBE64(std::string* out, uint64_t v);
uint64_t ReadBE64(absl::string_view bytes);  // bytes.size() >= 8
std::string BE64(uint64_t v);

// datasets: id. grants: id. principals: id. consents: id.
// policies: dataset 0 be64(version).
std::string Policy(absl::string_view dataset_id, uint64_t version);
std::string PolicyPrefix(absl::string_view dataset_id);
// consent_events: consent id 0 be64(sequence).
std::string ConsentEvent(absl::string_view consent_id, uint64_t seq);
std::string ConsentEventPrefix(absl::string_view consent_id);
// audit_leaves: be64(index). audit_hashes: level byte, be64(index).
std::string AuditNode(uint8_t level, uint64_t index);
// checkpoints: be64(tree size).

// index, one letter per kind:
// 'U' uri -> principal id; 'H' sha256 -> principal id.
std::string PrincipalByUri(absl::string_view uri);
std::string PrincipalBySha(absl::string_view sha256_hex);
// 'S' subject 0 consent id.
std::string ConsentBySubject(absl::string_view subject,
                             absl::string_view consent_id);
std::string ConsentBySubjectPrefix(absl::string_view subject);
// 'D' dataset 0 subject -> ConsentList: a subject's consents for a dataset.
std::string ConsentsOfSubject(absl::string_view dataset_id,
                              absl::string_view subject);
// 'G' subject 0 be64(~issued_at) grant id -> dataset id: a subject's grants,
// newest first. Written off the commit path, and read merged with what is
// not written yet (store/grant_index.h).
std::string GrantBySubject(absl::string_view subject, int64_t issued_at,
                           absl::string_view grant_id);
std::string GrantBySubjectPrefix(absl::string_view subject);
// 'P' partner 0 be64(issued_at) grant id -> empty: a partner's grants,
// oldest first; like 'G'.
std::string GrantByPartner(absl::string_view partner, int64_t issued_at,
                           absl::string_view grant_id);
// 'V' be64(revision) be32(n): revocations in commit order.
std::string Revocation(uint64_t revision, uint32_t n);
inline constexpr absl::string_view kRevocationPrefix = "V";

// 'K' request id -> ConsentRequest: consent requests, by id.
std::string ConsentRequest(absl::string_view request_id);
inline constexpr absl::string_view kConsentRequestPrefix = "K";
// 'R' request id 0 consent id: the answers (consents and refusals) to a
// consent request.
std::string AnswerOfRequest(absl::string_view request_id,
                            absl::string_view consent_id);
std::string AnswerOfRequestPrefix(absl::string_view request_id);

// 'C' subject -> 32 random bytes: the subject's commitment key k_s, which
// opens the subject's commitments in the audit log (auditlog/commitment.h).
// Destroyed by erasure, after which no log entry can be linked to the
// subject.
std::string SubjectKey(absl::string_view subject);
inline constexpr absl::string_view kSubjectKeyPrefix = "C";

// 'T' consent id -> ConsentTombstone: what erasure keeps of a consent a
// grant relied on, without the subject (records.proto).
std::string ConsentTombstone(absl::string_view consent_id);
inline constexpr absl::string_view kConsentTombstonePrefix = "T";

// 'Q' partner 0 dataset 0 rule 0 be64(window start) -> be64(uses).
std::string QuotaUses(absl::string_view partner, absl::string_view dataset_id,
                      absl::string_view rule_id, int64_t window_start);

// 'I' caller 0 method 0 client request id -> ClientRequestRecord: the answer
// to a write call that named a client request id (service/request_ids.h).
// 'W' be64(created_at) caller 0 method 0 client request id -> empty: the
// same records by age, for the sweeper. The caller part is the caller's
// principal id, with the citizen's pseudonym after a '/' for citizen calls.
std::string ClientRequest(absl::string_view caller, absl::string_view method,
                          absl::string_view id);
std::string ClientRequestByAge(int64_t created_at, absl::string_view caller,
                               absl::string_view method, absl::string_view id);
// The 'I' key of a 'W' key (its be64 dropped).
std::string ClientRequestOfAgeKey(absl::string_view age_key);
inline constexpr absl::string_view kClientRequestByAgePrefix = "W";

// 'E' kind term 0 be64(log index) -> empty: the query indexes of the audit
// log (store/event_indexer.h), one list per term, in log order. Kinds:
// 'a' partner, 'd' dataset, 'p' purpose, 'o' decision (decimal), 't' type
// (decimal) (auditlog::EventTerms).
// 'E' 'm' be64(time) be64(log index) -> empty: where the log's running
// largest event time first reaches `time` (a list sorted both ways).
std::string EventTerm(char kind, absl::string_view term, uint64_t index);
std::string EventTermPrefix(char kind, absl::string_view term);
std::string EventTime(int64_t time, uint64_t index);
inline constexpr absl::string_view kEventTimePrefix = "Em";
inline constexpr absl::string_view kEventIndexPrefix = "E";

// meta keys.
inline constexpr absl::string_view kFormatVersion = "format_version";
inline constexpr absl::string_view kRevision = "revision";
inline constexpr absl::string_view kLogSize = "log_size";
// Set by an erasure (to a value of its own), deleted once the compaction
// after it has run: a broker restarted before that compacts at start.
// The query indexes' progress (store/event_indexer.h): be64(entries
// indexed) be64(largest event time) be64(largest lag of an event's time
// behind the largest before it).
inline constexpr absl::string_view kEventIndexState = "event_index";
inline constexpr absl::string_view kCompactionPending = "compaction_pending";
// "setting/" name -> value: a setting the store must always be opened with
// (service/settings_guard.h).
std::string Setting(absl::string_view name);

// The smallest key greater than every key that starts with `prefix`.
std::string PrefixEnd(absl::string_view prefix);

}  // namespace accord::store::keys

#endif  // ACCORD_BROKER_STORE_KEYS_H_
