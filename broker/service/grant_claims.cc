#include "broker/service/grant_claims.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/formats/json.h"

namespace accord::service {
namespace {

using formats::JsonValue;

JsonValue StringArray(const std::vector<std::string>& items) {
  JsonValue array = JsonValue::Array();
  for (const std::string& item : items) array.Push(item);
  return array;
}

}  // namespace

JsonValue DutiesClaim(const policy::Decision& d) {
  JsonValue duties = JsonValue::Object();
  for (const policy::Duty& duty : d.duties) {
    const absl::string_view kind = policy::DutyKindName(duty.kind);
    int64_t n;
    if (duty.value.empty()) {
      duties.Set(kind, true);
    } else if (absl::SimpleAtoi(duty.value, &n)) {
      duties.Set(kind, static_cast<long long>(n));
    } else {
      duties.Set(kind, duty.value);
    }
  }
  return duties;
}

GrantClaimsWriter::GrantClaimsWriter(const GrantOrder& order,
                                     const AccessAnswer& answer)
    : personal_(answer.policy->info.classification ==
                policy::Classification::kPersonal) {
  const policy::Decision& d = answer.decision;
  const int64_t exp = order.now + d.lifetime_seconds;
  head_.append("{\"iss\":");
  formats::AppendJsonString(order.issuer, &head_);
  head_.append(",\"sub\":");
  formats::AppendJsonString(order.partner, &head_);
  head_.append(",\"aud\":");
  formats::AppendJsonString(order.audience, &head_);
  head_.append(",\"jti\":");

  absl::StrAppend(&middle_, ",\"iat\":", order.now, ",\"nbf\":", order.now,
                  ",\"exp\":", exp, ",\"dataset\":");
  formats::AppendJsonString(answer.policy->dataset.id(), &middle_);
  middle_.append(",\"purpose\":");
  formats::AppendJsonString(order.purpose, &middle_);
  absl::StrAppend(&middle_, ",\"fields\":", StringArray(d.fields).Serialize());

  JsonValue policy = JsonValue::Object();
  policy.Set("version", static_cast<long long>(answer.policy->ref.version()))
      .Set("hash", answer.policy->ref.hash());
  JsonValue cnf = JsonValue::Object();
  cnf.Set("x5t#S256", order.cert_thumbprint);
  absl::StrAppend(&tail_, ",\"policy\":", policy.Serialize(),
                  ",\"duties\":", DutiesClaim(d).Serialize(),
                  ",\"rev\":", answer.revision, ",\"cnf\":", cnf.Serialize(),
                  "}");
}

void GrantClaimsWriter::Write(absl::string_view jti,
                              absl::Span<const std::string> subjects,
                              std::string* out) const {
  out->assign(head_);
  formats::AppendJsonString(jti, out);
  out->append(middle_);
  if (personal_) {
    out->append(",\"subjects\":[");
    for (size_t k = 0; k < subjects.size(); ++k) {
      if (k > 0) out->push_back(',');
      formats::AppendJsonString(subjects[k], out);
    }
    out->push_back(']');
  }
  out->append(tail_);
}

}  // namespace accord::service
