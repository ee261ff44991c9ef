#include "broker/store/keys.h"

#include "absl/strings/str_cat.h"

namespace accord::store::keys {
namespace {

constexpr char kSep = '\0';

std::string Join(std::initializer_list<absl::string_view> parts) {
  std::string out;
  bool first = true;
  for (absl::string_view p : parts) {
    if (!first) out.push_back(kSep);
    out.append(p.data(), p.size());
    first = false;
  }
  return out;
}

}  // namespace

void AppendBE64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint64_t ReadBE64(absl::string_view bytes) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

std::string BE64(uint64_t v) {
  std::string out;
  AppendBE64(&out, v);
  return out;
}

std::string Policy(absl::string_view dataset_id, uint64_t version) {
  std::string k = PolicyPrefix(dataset_id);
  AppendBE64(&k, version);
  return k;
}

std::string PolicyPrefix(absl::string_view dataset_id) {
  return absl::StrCat(dataset_id, absl::string_view(&kSep, 1));
}

std::string ConsentEvent(absl::string_view consent_id, uint64_t seq) {
  std::string k = ConsentEventPrefix(consent_id);
  AppendBE64(&k, seq);
  return k;
}

std::string ConsentEventPrefix(absl::string_view consent_id) {
  return absl::StrCat(consent_id, absl::string_view(&kSep, 1));
}

std::string AuditNode(uint8_t level, uint64_t index) {
  std::string k(1, static_cast<char>(level));
  AppendBE64(&k, index);
  return k;
}

std::string PrincipalByUri(absl::string_view uri) {
  return absl::StrCat("U", uri);
}

std::string PrincipalBySha(absl::string_view sha256_hex) {
  return absl::StrCat("H", sha256_hex);
}

std::string ConsentBySubject(absl::string_view subject,
                             absl::string_view consent_id) {
  return absl::StrCat(ConsentBySubjectPrefix(subject), consent_id);
}

std::string ConsentBySubjectPrefix(absl::string_view subject) {
  return Join({absl::StrCat("S", subject), ""});
}

std::string ConsentsOfSubject(absl::string_view dataset_id,
                              absl::string_view subject) {
  return Join({absl::StrCat("D", dataset_id), subject});
}

std::string GrantBySubject(absl::string_view subject, int64_t issued_at,
                           absl::string_view grant_id) {
  std::string k = GrantBySubjectPrefix(subject);
  AppendBE64(&k, ~static_cast<uint64_t>(issued_at));
  k.append(grant_id.data(), grant_id.size());
  return k;
}

std::string GrantBySubjectPrefix(absl::string_view subject) {
  return Join({absl::StrCat("G", subject), ""});
}

std::string GrantByPartner(absl::string_view partner, int64_t issued_at,
                           absl::string_view grant_id) {
  std::string k = Join({absl::StrCat("P", partner), ""});
  AppendBE64(&k, static_cast<uint64_t>(issued_at));
  k.append(grant_id.data(), grant_id.size());
  return k;
}

std::string EventTermPrefix(char kind, absl::string_view term) {
  std::string k = {'E', kind};
  k.append(term.data(), term.size());
  k.push_back(kSep);
  return k;
}

std::string EventTerm(char kind, absl::string_view term, uint64_t index) {
  std::string k = EventTermPrefix(kind, term);
  AppendBE64(&k, index);
  return k;
}

std::string EventTime(int64_t time, uint64_t index) {
  std::string k(kEventTimePrefix);
  AppendBE64(&k, static_cast<uint64_t>(time));
  AppendBE64(&k, index);
  return k;
}

std::string Revocation(uint64_t revision, uint32_t n) {
  std::string k(kRevocationPrefix);
  AppendBE64(&k, revision);
  for (int shift = 24; shift >= 0; shift -= 8) {
    k.push_back(static_cast<char>((n >> shift) & 0xff));
  }
  return k;
}

std::string Setting(absl::string_view name) {
  return absl::StrCat("setting/", name);
}

std::string PrefixEnd(absl::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;  // empty: no upper bound
}

std::string ConsentRequest(absl::string_view request_id) {
  return absl::StrCat(kConsentRequestPrefix, request_id);
}

std::string SubjectKey(absl::string_view subject) {
  return absl::StrCat(kSubjectKeyPrefix, subject);
}

std::string AnswerOfRequest(absl::string_view request_id,
                            absl::string_view consent_id) {
  return absl::StrCat(AnswerOfRequestPrefix(request_id), consent_id);
}

std::string AnswerOfRequestPrefix(absl::string_view request_id) {
  return absl::StrCat("R", request_id, absl::string_view("\0", 1));
}

std::string QuotaUses(absl::string_view partner, absl::string_view dataset_id,
                      absl::string_view rule_id, int64_t window_start) {
  std::string k = absl::StrCat("Q", partner, absl::string_view("\0", 1),
                               dataset_id, absl::string_view("\0", 1), rule_id,
                               absl::string_view("\0", 1));
  AppendBE64(&k, static_cast<uint64_t>(window_start));
  return k;
}

std::string ConsentTombstone(absl::string_view consent_id) {
  return absl::StrCat(kConsentTombstonePrefix, consent_id);
}

std::string ClientRequest(absl::string_view caller, absl::string_view method,
                          absl::string_view id) {
  return absl::StrCat("I", caller, absl::string_view("\0", 1), method,
                      absl::string_view("\0", 1), id);
}

std::string ClientRequestByAge(int64_t created_at, absl::string_view caller,
                               absl::string_view method, absl::string_view id) {
  std::string k(kClientRequestByAgePrefix);
  AppendBE64(&k, static_cast<uint64_t>(created_at));
  absl::StrAppend(&k, caller, absl::string_view("\0", 1), method,
                  absl::string_view("\0", 1), id);
  return k;
}

std::string ClientRequestOfAgeKey(absl::string_view age_key) {
  const size_t skip = kClientRequestByAgePrefix.size() + 8;
  if (age_key.size() < skip) return "";
  return absl::StrCat("I", age_key.substr(skip));
}

}  // namespace accord::store::keys
