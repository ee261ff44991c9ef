#include "clients/notice_text.h"

#include <initializer_list>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/crypto/sha256.h"
#include "broker/formats/json.h"
#include "clients/time_format.h"
#include "policy/duration_text.h"
#include "policy/duty_text.h"
#include "policy/taxonomy.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using formats::JsonValue;
using policy::Language;

// The words of the notice in one language.
struct Words {
  const char* request;
  const char* version;
  const char* title;
  const char* project;
  const char* benefit;
  const char* partner;
  const char* purpose;
  const char* fields;
  const char* duration;
  const char* duties;
  const char* responsible;
  const char* period;
  const char* from;
  const char* to;
  const char* hash;
  const char* colon;
  const char* none;
  const char* dataset;
  const char* withdraw;
};

constexpr Words kFrench = {"Demande",
                           "version",
                           "Titre",
                           "Projet",
                           "Intérêt public",
                           "Demandeur",
                           "Finalité",
                           "Données",
                           "Durée du consentement",
                           "Engagements du demandeur",
                           "Responsable",
                           "Période",
                           "du",
                           "au",
                           "Empreinte de la notice",
                           " : ",
                           "aucun",
                           "Jeu de données",
                           "Retrait"};
constexpr Words kEnglish = {"Request",        "version",
                            "Title",          "Project",
                            "Public benefit", "Requested by",
                            "Purpose",        "Data",
                            "Consent lasts",  "The requester's duties",
                            "Responsible",    "Open",
                            "from",           "to",
                            "Notice hash",    ": ",
                            "none",           "Dataset",
                            "Withdrawing"};

const JsonValue* At(const JsonValue* v,
                    std::initializer_list<absl::string_view> path) {
  for (absl::string_view key : path) {
    if (v == nullptr) return nullptr;
    v = v->Find(key);
  }
  return v;
}

// A text of the notice: a string, or {fr, en} read in `language` (French
// when the other is missing). "" when absent.
std::string TextOf(const JsonValue* v, Language language) {
  if (v == nullptr) return "";
  if (const std::string* s = v->AsString()) return *s;
  for (absl::string_view code :
       {policy::LanguageCode(language), absl::string_view("fr")}) {
    const JsonValue* t = v->Find(code);
    if (t != nullptr && t->AsString() != nullptr && !t->AsString()->empty()) {
      return *t->AsString();
    }
  }
  return "";
}

std::string Localized(const v1::LocalizedText& text, Language language) {
  if (language == Language::kEn && !text.en().empty()) return text.en();
  return text.fr();
}

// The first non-empty of `candidates`.
std::string First(std::initializer_list<std::string> candidates) {
  for (const std::string& c : candidates) {
    if (!c.empty()) return c;
  }
  return "";
}

const policy::Taxonomy* DefaultTaxonomy() {
  static const policy::Taxonomy* taxonomy = [] {
    absl::StatusOr<policy::Taxonomy> t = policy::Taxonomy::Default();
    return t.ok() ? new policy::Taxonomy(*std::move(t)) : nullptr;
  }();
  return taxonomy;
}

struct Printer {
  const Words& w;
  std::string out;

  void Line(absl::string_view label, absl::string_view value) {
    absl::StrAppend(&out, label, w.colon, value.empty() ? "-" : value, "\n");
  }
  void List(absl::string_view label, const std::vector<std::string>& items) {
    if (items.empty()) {
      Line(label, w.none);
      return;
    }
    absl::StrAppend(&out, label, absl::StripTrailingAsciiWhitespace(w.colon),
                    "\n");
    for (const std::string& item : items) {
      absl::StrAppend(&out, "  - ", item, "\n");
    }
  }
};

std::vector<std::string> FieldLines(const JsonValue* notice,
                                    const v1::ConsentRequestSpec& spec,
                                    const Words& w, Language language) {
  std::vector<std::string> lines;
  const JsonValue* fields = At(notice, {"dataset", "fields"});
  if (fields != nullptr && fields->AsArray() != nullptr &&
      !fields->AsArray()->empty()) {
    for (const JsonValue& f : *fields->AsArray()) {
      std::string id = TextOf(f.Find("id"), language);
      std::string description = TextOf(f.Find("description"), language);
      lines.push_back(
          description.empty() ? id : absl::StrCat(id, w.colon, description));
    }
    return lines;
  }
  for (const std::string& f : spec.fields()) lines.push_back(f);
  return lines;
}

std::vector<std::string> DutyLines(const JsonValue* notice,
                                   const v1::ConsentRequestSpec& spec,
                                   Language language) {
  std::vector<std::string> lines;
  const JsonValue* duties = At(notice, {"duties"});
  if (duties != nullptr && duties->AsArray() != nullptr) {
    for (const JsonValue& d : *duties->AsArray()) {
      std::string text =
          TextOf(d.Find(policy::LanguageCode(language)), language);
      if (text.empty()) text = TextOf(d.Find("fr"), language);
      if (text.empty()) text = TextOf(d.Find("text"), language);
      if (!text.empty()) lines.push_back(text);
    }
    if (!lines.empty()) return lines;
  }
  for (const v1::Duty& d : spec.duties()) {
    absl::StatusOr<std::string> text =
        policy::DutyText(d.kind(), d.value(), language);
    lines.push_back(
        text.ok()
            ? *text
            : absl::StrCat(d.kind(), d.value().empty() ? "" : " " + d.value()));
  }
  return lines;
}

std::string PurposeText(const JsonValue* notice, const std::string& id,
                        Language language) {
  std::string label = TextOf(At(notice, {"purpose", "label"}), language);
  if (label.empty() && DefaultTaxonomy() != nullptr) {
    label = DefaultTaxonomy()->Label(id, language);
    if (label.empty()) label = DefaultTaxonomy()->Label(id, Language::kFr);
  }
  return label.empty() ? id : absl::StrCat(label, " (", id, ")");
}

std::string DurationText(const JsonValue* notice, int64_t seconds,
                         Language language) {
  std::string text = TextOf(At(notice, {"duration"}), language);
  if (!text.empty()) return text;
  absl::StatusOr<std::string> words = policy::LifetimeText(seconds, language);
  return words.ok() ? *words : "";
}

}  // namespace

std::string StateText(v1::ConsentRequestState state, Language language) {
  const bool fr = language == Language::kFr;
  switch (state) {
    case v1::CONSENT_REQUEST_STATE_DRAFT:
      return fr ? "brouillon" : "draft";
    case v1::CONSENT_REQUEST_STATE_PENDING_APPROVAL:
      return fr ? "en attente d'approbation" : "pending approval";
    case v1::CONSENT_REQUEST_STATE_OPEN:
      return fr ? "ouverte" : "open";
    case v1::CONSENT_REQUEST_STATE_CLOSED:
      return fr ? "close" : "closed";
    case v1::CONSENT_REQUEST_STATE_REJECTED:
      return fr ? "rejetée" : "rejected";
    default:
      return "-";
  }
}

std::string NoticeText(const v1::ConsentRequest& request, Language language) {
  const Words& w = language == Language::kFr ? kFrench : kEnglish;
  absl::StatusOr<JsonValue> parsed = formats::ParseJson(request.notice());
  const JsonValue* notice =
      request.notice().empty() || !parsed.ok() ? nullptr : &*parsed;
  const v1::ConsentRequestSpec& spec =
      request.has_current() || !request.has_proposed() ? request.current()
                                                       : request.proposed();
  Printer p{w, ""};
  absl::StrAppend(&p.out, w.request, " ", request.id(), ", ", w.version, " ",
                  request.version(), " (", StateText(request.state(), language),
                  ")\n");
  p.Line(w.title, First({TextOf(At(notice, {"project", "title"}), language),
                         Localized(spec.title(), language)}));
  p.Line(w.project,
         First({TextOf(At(notice, {"project", "description"}), language),
                Localized(spec.description(), language)}));
  p.Line(w.benefit,
         First({TextOf(At(notice, {"project", "public_benefit"}), language),
                Localized(spec.public_benefit(), language)}));
  std::string organisation =
      First({TextOf(At(notice, {"partner", "organisation"}), language),
             spec.responsible().organisation()});
  p.Line(w.partner, organisation.empty()
                        ? request.partner()
                        : absl::StrCat(request.partner(), " — ", organisation));
  p.Line(w.purpose, PurposeText(notice, spec.purpose(), language));
  const std::string dataset_text =
      TextOf(At(notice, {"dataset", "description"}), language);
  if (!dataset_text.empty()) {
    p.Line(w.dataset, absl::StrCat(dataset_text, " (", spec.dataset_id(), ")"));
    p.List(w.fields, FieldLines(notice, spec, w, language));
  } else {
    p.List(absl::StrCat(w.fields, " (", spec.dataset_id(), ")"),
           FieldLines(notice, spec, w, language));
  }
  p.Line(w.duration,
         DurationText(notice, spec.consent_duration_seconds(), language));
  p.List(w.duties, DutyLines(notice, spec, language));
  const JsonValue* who = At(notice, {"responsible"});
  const v1::Responsible& r = spec.responsible();
  auto member = [&](const char* key, const std::string& fallback) {
    return First({TextOf(At(who, {key}), language), fallback});
  };
  const std::string name = member("name", r.name());
  p.Line(w.responsible,
         name.empty()
             ? ""
             : absl::StrCat(name, " (", member("role", r.role()), "), ",
                            member("organisation", r.organisation()), ", ",
                            member("email", r.email())));
  const JsonValue* opens = At(notice, {"opens_at"});
  const JsonValue* closes = At(notice, {"closes_at"});
  const int64_t opens_at = opens != nullptr
                               ? opens->AsInt64().value_or(spec.opens_at())
                               : spec.opens_at();
  const int64_t closes_at = closes != nullptr
                                ? closes->AsInt64().value_or(spec.closes_at())
                                : spec.closes_at();
  p.Line(w.period, closes_at == 0
                       ? ""
                       : absl::StrCat(w.from, " ", FormatRfc3339(opens_at), " ",
                                      w.to, " ", FormatRfc3339(closes_at)));
  const std::string withdraw = TextOf(At(notice, {"withdraw"}), language);
  if (!withdraw.empty()) p.Line(w.withdraw, withdraw);
  if (!request.notice_hash().empty()) p.Line(w.hash, request.notice_hash());
  return p.out;
}

absl::StatusOr<std::string> NoticeHash(const v1::ConsentRequest& request) {
  if (request.notice().empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "request ", request.id(), " has no notice yet (not approved)"));
  }
  std::string hash = crypto::ToHex(crypto::Sha256(request.notice()));
  if (hash != request.notice_hash()) {
    return absl::DataLossError(
        absl::StrCat("the notice of request ", request.id(),
                     " does not match its notice_hash; not answering"));
  }
  return hash;
}

}  // namespace accord::client
