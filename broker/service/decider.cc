#include "broker/service/decider.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "broker/service/clock.h"
#include "broker/service/config.h"
#include "broker/service/limits.h"
#include "broker/service/validate.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

policy::ConsentView ViewOf(const accord::v1::Consent& c, int64_t now) {
  policy::ConsentView v;
  v.id = c.id();
  v.subject = c.subject();
  v.purpose = c.purpose();
  v.recipient_partner = c.recipient().partner();
  v.recipient_category = c.recipient().category();
  v.expires_at = c.expires_at();
  v.live = c.state() == accord::v1::CONSENT_STATE_GIVEN &&
           (c.expires_at() == 0 || c.expires_at() > now);
  v.objection = c.objection();
  v.fields.assign(c.fields().begin(), c.fields().end());
  return v;
}

// Consents that answered a version of a consent request older than the
// one it still honours (a change approved with renewal_required) cover
// nothing: they are not live. One read per request named.
absl::Status ApplyRenewals(const Env& env,
                           const std::vector<accord::v1::Consent>& consents,
                           std::vector<policy::ConsentView>& views) {
  absl::flat_hash_map<std::string, uint32_t> oldest;
  for (size_t i = 0; i < consents.size(); ++i) {
    const accord::v1::Consent& c = consents[i];
    if (c.request_id().empty() || !views[i].live) continue;
    auto it = oldest.find(c.request_id());
    if (it == oldest.end()) {
      auto request = env.store->GetConsentRequest(c.request_id());
      if (!request.ok()) return request.status();
      it = oldest.emplace(c.request_id(), request->oldest_honoured_version())
               .first;
    }
    if (c.request_version() < it->second) views[i].live = false;
  }
  return absl::OkStatus();
}

absl::Status CheckQuestion(const AccessQuestion& q, const DatasetPolicy& p,
                           const policy::Taxonomy& taxonomy) {
  if (!taxonomy.Contains(q.purpose)) {
    return absl::InvalidArgumentError(
        absl::StrCat("purpose: '", q.purpose, "' is not in the taxonomy"));
  }
  for (size_t i = 0; i < q.fields.size(); ++i) {
    const auto& all = p.info.fields;
    if (std::find(all.begin(), all.end(), q.fields[i]) == all.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("fields[", i, "]: dataset '", q.dataset_id,
                       "' has no field '", q.fields[i], "'"));
    }
  }
  if (q.subjects.size() > kMaxSubjects) {
    return absl::InvalidArgumentError(
        absl::StrCat("subjects: at most ", kMaxSubjects));
  }
  absl::flat_hash_set<absl::string_view> seen;
  seen.reserve(q.subjects.size());
  for (size_t i = 0; i < q.subjects.size(); ++i) {
    // The field name is spelled out only for an error: this loop runs for
    // every subject of every request.
    if (absl::Status s = CheckSubject("subjects", q.subjects[i]); !s.ok()) {
      return CheckSubject(absl::StrCat("subjects[", i, "]"), q.subjects[i]);
    }
    if (!seen.insert(q.subjects[i]).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("subjects[", i, "]: duplicate"));
    }
  }
  // The rule offline policy suites apply too.
  return policy::CheckRequestSubjects(p.info.classification, q.subjects.size());
}

}  // namespace

accord::v1::Decision ToProto(const policy::Decision& d,
                             const accord::v1::PolicyRef& ref) {
  accord::v1::Decision out;
  out.set_outcome(d.outcome == policy::Outcome::kPermit
                      ? accord::v1::OUTCOME_PERMIT
                      : accord::v1::OUTCOME_DENY);
  for (const policy::Reason& r : d.reasons) {
    accord::v1::Reason* reason = out.add_reasons();
    reason->set_rule_id(r.rule_id);
    reason->set_code(r.code);
    reason->set_message(r.message);
  }
  *out.mutable_policy() = ref;
  if (d.outcome == policy::Outcome::kPermit) {
    for (const std::string& f : d.fields) out.add_fields(f);
    for (const std::string& s : d.subjects) out.add_subjects(s);
    out.set_lifetime_seconds(d.lifetime_seconds);
    for (const policy::Duty& duty : d.duties) {
      accord::v1::Duty* dp = out.add_duties();
      dp->set_kind(std::string(policy::DutyKindName(duty.kind)));
      dp->set_value(duty.value);
    }
  }
  for (const std::string& id : d.consent_ids) out.add_consent_ids(id);
  return out;
}

absl::StatusOr<AccessAnswer> DecideAccess(const Env& env,
                                          const AccessQuestion& q) {
  if (!q.location.empty() && !policy::IsLocation(q.location)) {
    return absl::InvalidArgumentError(
        "location: a processing location such as 'eu': "
        "[a-z0-9][a-z0-9._-]{0,127}");
  }
  AccessAnswer answer;
  // Read the revision first: everything read below is at least this fresh.
  answer.revision = env.store->revision();
  auto current = env.policies->Current(q.dataset_id);
  if (!current.ok()) return current.status();
  answer.policy = *current;
  if (absl::Status s =
          CheckQuestion(q, *answer.policy, env.policies->taxonomy());
      !s.ok()) {
    return s;
  }
  auto directory = env.policies->Directory();
  if (!directory.ok()) return directory.status();
  auto partner = (*directory)->principal_categories.find(q.partner);
  if (partner == (*directory)->principal_categories.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("partner: '", q.partner, "' is not a known partner"));
  }
  const int64_t now = env.clock->NowSeconds();
  std::vector<accord::v1::Consent> consents;
  if (!q.subjects.empty()) {
    auto read = env.store->ConsentsForSubjects(q.dataset_id, q.subjects);
    if (!read.ok()) return read.status();
    consents = *std::move(read);
  }
  std::vector<policy::ConsentView> views;
  views.reserve(consents.size());
  for (const auto& c : consents) views.push_back(ViewOf(c, now));
  if (absl::Status s = ApplyRenewals(env, consents, views); !s.ok()) return s;

  policy::Request request;
  request.partner = q.partner;
  request.partner_category = partner->second;
  request.purpose = q.purpose;
  request.fields = q.fields;
  request.subjects = q.subjects;
  request.lifetime_seconds = q.lifetime_seconds;
  request.location = q.location.empty() ? policy::kDefaultLocation : q.location;
  answer.decision =
      policy::Decide(request, answer.policy->compiled, views, env.clock->Now());
  // The broker's cap holds whatever the policy allows: a request without a
  // lifetime gets the policy's maximum, which may be longer.
  uint32_t& lifetime = answer.decision.lifetime_seconds;
  lifetime = std::min(lifetime, env.config->max_grant_lifetime_seconds);
  answer.proto = ToProto(answer.decision, answer.policy->ref);
  return answer;
}

}  // namespace accord::service
