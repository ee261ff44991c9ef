#ifndef ACCORD_POLICY_DECISION_WRITER_H_
#define ACCORD_POLICY_DECISION_WRITER_H_

// Fills a Decision in place for the evaluator, keeping the storage of the
// strings and vectors it reuses so that steady-state decisions do not
// allocate. Internal to the policy module.

#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "policy/decide.h"

namespace accord::policy::internal {

// Copies `src` into `dst`, overwriting in place when the length is unchanged
// (the usual case when a Decision is reused for similar requests).
inline void Set(std::string* dst, absl::string_view src) {
  if (dst->size() == src.size()) {
    if (!src.empty()) std::memcpy(dst->data(), src.data(), src.size());
  } else {
    dst->assign(src.data(), src.size());
  }
}

// Returns the next element of `v`, reusing one left by an earlier decision.
template <typename T>
T& Next(std::vector<T>* v, size_t* n) {
  if (*n < v->size()) return (*v)[(*n)++];
  ++*n;
  return v->emplace_back();
}

// Writes a Decision in place, keeping the capacity of the strings it reuses.
class DecisionWriter {
 public:
  explicit DecisionWriter(Decision* d) : d_(d) {
    d_->outcome = Outcome::kDeny;
    d_->lifetime_seconds = 0;
    d_->subjects_without_consent = 0;
  }
  Decision* decision() { return d_; }

  std::string* AddReason(absl::string_view rule_id, absl::string_view code) {
    Reason& r = Next(&d_->reasons, &reasons_);
    Set(&r.rule_id, rule_id);
    Set(&r.code, code);
    r.message.clear();
    return &r.message;
  }
  void AddReason(absl::string_view rule_id, absl::string_view code,
                 absl::string_view message) {
    Reason& r = Next(&d_->reasons, &reasons_);
    Set(&r.rule_id, rule_id);
    Set(&r.code, code);
    Set(&r.message, message);
  }
  void AddField(absl::string_view f) { Assign(&d_->fields, &fields_, f); }
  void AddSubject(absl::string_view s) { Assign(&d_->subjects, &subjects_, s); }
  void AddConsent(absl::string_view id) {
    Assign(&d_->consent_ids, &consents_, id);
  }
  void AddDuty(DutyKind kind, absl::string_view value) {
    Duty& d = Next(&d_->duties, &duties_);
    d.kind = kind;
    Set(&d.value, value);
  }
  bool HasAttribute(absl::string_view value) const {
    for (size_t i = 0; i < duties_; ++i) {
      if (d_->duties[i].kind == DutyKind::kAttribute &&
          d_->duties[i].value == value) {
        return true;
      }
    }
    return false;
  }
  void AddQuota(absl::string_view rule_id, const Quota& q) {
    QuotaCheck& c = Next(&d_->quotas, &quotas_);
    Set(&c.rule_id, rule_id);
    c.count = q.grants;
    c.period_seconds = q.period_seconds;
  }
  size_t subject_count() const { return subjects_; }
  size_t duty_count() const { return duties_; }
  // Drops what a denial must not carry.
  void ClearGrant() { fields_ = subjects_ = duties_ = consents_ = quotas_ = 0; }
  void Finish() {
    d_->reasons.resize(reasons_);
    d_->fields.resize(fields_);
    d_->subjects.resize(subjects_);
    d_->duties.resize(duties_);
    d_->consent_ids.resize(consents_);
    d_->quotas.resize(quotas_);
  }

 private:
  static void Assign(std::vector<std::string>* v, size_t* n,
                     absl::string_view s) {
    Set(&Next(v, n), s);
  }

  Decision* d_;
  size_t reasons_ = 0, fields_ = 0, subjects_ = 0, duties_ = 0, consents_ = 0,
         quotas_ = 0;
};

}  // namespace accord::policy::internal

#endif  // ACCORD_POLICY_DECISION_WRITER_H_
