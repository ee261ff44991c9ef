#include "broker/service/notice.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/crypto/sha256.h"
#include "broker/formats/json.h"
#include "policy/duration_text.h"
#include "policy/duty_text.h"
#include "policy/language.h"

namespace accord::service {
namespace {

using formats::JsonValue;

constexpr char kWithdrawFr[] =
    "Vous pouvez retirer votre consentement à tout moment, sans avoir à vous "
    "justifier, depuis l'application (« Mes consentements », « Retirer »). "
    "Le retrait prend effet immédiatement : plus aucun nouvel accès à vos "
    "données n'est accordé à ce partenaire, et les accès en cours sont "
    "révoqués.";
constexpr char kWithdrawEn[] =
    "You can withdraw your consent at any time, without giving a reason, "
    "from the app (\"My consents\", \"Withdraw\"). It takes effect at once: "
    "no new access to your data is granted to this partner, and current "
    "accesses are revoked.";

// The same value with every object's members sorted by key, recursively.
JsonValue Sorted(const JsonValue& v) {
  if (const JsonValue::Members* members = v.AsObject()) {
    JsonValue::Members sorted;
    sorted.reserve(members->size());
    for (const auto& [key, value] : *members) {
      sorted.emplace_back(key, Sorted(value));
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    JsonValue out = JsonValue::Object();
    for (auto& [key, value] : sorted) out.Set(key, std::move(value));
    return out;
  }
  if (const JsonValue::Elements* elements = v.AsArray()) {
    JsonValue out = JsonValue::Array();
    for (const JsonValue& e : *elements) out.Push(Sorted(e));
    return out;
  }
  return v;
}

JsonValue Texts(const accord::v1::LocalizedText& t) {
  JsonValue out = JsonValue::Object();
  out.Set("fr", t.fr());
  if (!t.en().empty()) out.Set("en", t.en());
  return out;
}

absl::Status MissingFrench(absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat(what,
                   ": missing French text; a citizen would read a "
                   "blank"));
}

absl::StatusOr<JsonValue> DatasetPart(
    const accord::v1::Dataset& dataset,
    const accord::v1::ConsentRequestSpec& spec) {
  if (dataset.description().fr().empty()) {
    return MissingFrench(
        absl::StrCat("dataset '", dataset.id(), "' description.fr"));
  }
  JsonValue fields = JsonValue::Array();
  for (const std::string& name : spec.fields()) {
    auto it = std::find_if(dataset.field_descriptions().begin(),
                           dataset.field_descriptions().end(),
                           [&](const accord::v1::FieldDescription& d) {
                             return d.field() == name;
                           });
    if (it == dataset.field_descriptions().end() || it->text().fr().empty()) {
      return MissingFrench(absl::StrCat("dataset '", dataset.id(),
                                        "' description of field '", name,
                                        "' (fr)"));
    }
    JsonValue field = JsonValue::Object();
    field.Set("id", name);
    field.Set("description", Texts(it->text()));
    fields.Push(std::move(field));
  }
  JsonValue out = JsonValue::Object();
  out.Set("id", dataset.id());
  out.Set("title", dataset.title());
  out.Set("description", Texts(dataset.description()));
  out.Set("fields", std::move(fields));
  return out;
}

absl::StatusOr<JsonValue> PurposePart(const policy::Taxonomy& taxonomy,
                                      const std::string& purpose) {
  JsonValue label = JsonValue::Object();
  JsonValue description = JsonValue::Object();
  for (policy::Language language : policy::kLanguages) {
    const std::string code(policy::LanguageCode(language));
    std::string l = taxonomy.Label(purpose, language);
    std::string d = taxonomy.Description(purpose, language);
    if (language == policy::Language::kFr && (l.empty() || d.empty())) {
      return MissingFrench(absl::StrCat("purpose '", purpose, "' ",
                                        l.empty() ? "label" : "description",
                                        ".fr"));
    }
    if (!l.empty()) label.Set(code, std::move(l));
    if (!d.empty()) description.Set(code, std::move(d));
  }
  JsonValue out = JsonValue::Object();
  out.Set("id", purpose);
  out.Set("label", std::move(label));
  out.Set("description", std::move(description));
  const std::string dpv = taxonomy.DpvIri(purpose);
  if (!dpv.empty()) out.Set("dpv", dpv);
  return out;
}

absl::StatusOr<JsonValue> DurationPart(int64_t seconds) {
  JsonValue out = JsonValue::Object();
  out.Set("seconds", seconds);
  for (policy::Language language : policy::kLanguages) {
    auto text = policy::LifetimeText(seconds, language);
    if (!text.ok()) return text.status();
    out.Set(policy::LanguageCode(language), *std::move(text));
  }
  return out;
}

absl::StatusOr<JsonValue> DutiesPart(
    const accord::v1::ConsentRequestSpec& spec) {
  JsonValue out = JsonValue::Array();
  for (const accord::v1::Duty& d : spec.duties()) {
    JsonValue duty = JsonValue::Object();
    duty.Set("kind", d.kind());
    duty.Set("value", d.value());
    for (policy::Language language : policy::kLanguages) {
      auto text = policy::DutyText(d.kind(), d.value(), language);
      if (!text.ok()) return text.status();
      duty.Set(policy::LanguageCode(language), *std::move(text));
    }
    out.Push(std::move(duty));
  }
  return out;
}

}  // namespace

absl::StatusOr<Notice> BuildNotice(const NoticeSource& source) {
  const accord::v1::ConsentRequestSpec& spec = *source.spec;
  auto dataset = DatasetPart(*source.dataset, spec);
  if (!dataset.ok()) return dataset.status();
  auto purpose = PurposePart(*source.taxonomy, spec.purpose());
  if (!purpose.ok()) return purpose.status();
  auto duration = DurationPart(spec.consent_duration_seconds());
  if (!duration.ok()) return duration.status();
  auto duties = DutiesPart(spec);
  if (!duties.ok()) return duties.status();

  JsonValue doc = JsonValue::Object();
  doc.Set("format", "accord-notice/1");
  JsonValue request = JsonValue::Object();
  request.Set("id", source.request->id());
  request.Set("version", static_cast<int64_t>(source.version));
  doc.Set("request", std::move(request));
  JsonValue partner = JsonValue::Object();
  partner.Set("id", source.request->partner());
  partner.Set("category", source.partner_category);
  partner.Set("organisation", spec.responsible().organisation());
  doc.Set("partner", std::move(partner));
  JsonValue responsible = JsonValue::Object();
  responsible.Set("organisation", spec.responsible().organisation());
  responsible.Set("name", spec.responsible().name());
  responsible.Set("role", spec.responsible().role());
  responsible.Set("email", spec.responsible().email());
  doc.Set("responsible", std::move(responsible));
  JsonValue project = JsonValue::Object();
  project.Set("title", Texts(spec.title()));
  project.Set("description", Texts(spec.description()));
  project.Set("public_benefit", Texts(spec.public_benefit()));
  doc.Set("project", std::move(project));
  doc.Set("dataset", *std::move(dataset));
  doc.Set("purpose", *std::move(purpose));
  doc.Set("duration", *std::move(duration));
  doc.Set("duties", *std::move(duties));
  JsonValue withdraw = JsonValue::Object();
  withdraw.Set("fr", kWithdrawFr);
  withdraw.Set("en", kWithdrawEn);
  doc.Set("withdraw", std::move(withdraw));
  doc.Set("opens_at", spec.opens_at());
  doc.Set("closes_at", spec.closes_at());
  JsonValue policy = JsonValue::Object();
  policy.Set("version", static_cast<int64_t>(source.policy.version()));
  policy.Set("hash", source.policy.hash());
  doc.Set("policy", std::move(policy));

  Notice notice;
  notice.json = Sorted(doc).Serialize();
  notice.hash = crypto::ToHex(crypto::Sha256(notice.json));
  return notice;
}

}  // namespace accord::service
