#include "broker/store/validate.h"

#include <cstdint>
#include <limits>
#include <variant>

#include "absl/strings/str_cat.h"

namespace accord::store {
namespace {

absl::Status CheckOp(const accord::v1::Dataset& d) {
  return CheckKeyPart("dataset.id", d.id());
}

absl::Status CheckOp(const accord::v1::PolicyVersion& v) {
  if (absl::Status s =
          CheckKeyPart("policy_version.dataset_id", v.dataset_id());
      !s.ok()) {
    return s;
  }
  if (v.ref().version() == 0) {
    return absl::InvalidArgumentError(
        "policy_version.ref.version: must be >= 1");
  }
  return absl::OkStatus();
}

absl::Status CheckOp(const accord::v1::Consent& c) {
  for (const auto& [field, value] :
       {std::pair<absl::string_view, absl::string_view>{"consent.id", c.id()},
        {"consent.subject", c.subject()},
        {"consent.dataset_id", c.dataset_id()}}) {
    if (absl::Status s = CheckKeyPart(field, value); !s.ok()) return s;
  }
  if (uint64_t{c.earlier_events()} + static_cast<uint64_t>(c.events_size()) >
      std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError("consent.events: too many events");
  }
  if (!c.request_id().empty()) {
    return CheckKeyPart("consent.request_id", c.request_id());
  }
  return absl::OkStatus();
}

absl::Status CheckOp(const accord::v1::ConsentRequest& r) {
  return CheckKeyPart("consent_request.id", r.id());
}

absl::Status CheckOp(const GrantRecord& g) {
  for (const auto& [field, value] :
       {std::pair<absl::string_view, absl::string_view>{"grant.id", g.id()},
        {"grant.partner", g.partner()},
        {"grant.dataset_id", g.dataset_id()}}) {
    if (absl::Status s = CheckKeyPart(field, value); !s.ok()) return s;
  }
  if (g.issued_at() < 0) {
    return absl::InvalidArgumentError("grant.issued_at: must not be negative");
  }
  for (const std::string& subject : g.subjects()) {
    if (absl::Status s = CheckKeyPart("grant.subjects", subject); !s.ok())
      return s;
  }
  return absl::OkStatus();
}

absl::Status CheckOp(const accord::v1::Principal& p) {
  if (absl::Status s = CheckKeyPart("principal.id", p.id()); !s.ok()) return s;
  return absl::OkStatus();
}

absl::Status CheckOp(const WriteSet::DeletePrincipalOp& d) {
  return CheckKeyPart("principal.id", d.id);
}

absl::Status CheckOp(const accord::v1::Revocation&) { return absl::OkStatus(); }
absl::Status CheckOp(const WriteSet::CheckpointOp&) { return absl::OkStatus(); }
absl::Status CheckOp(const WriteSet::EraseSubjectOp& e) {
  return CheckKeyPart("subject", e.subject);
}
absl::Status CheckOp(const WriteSet::PurgeOp& p) {
  for (const std::string& id : p.consent_ids) {
    if (absl::Status s = CheckKeyPart("consent.id", id); !s.ok()) return s;
  }
  for (const std::string& id : p.grant_ids) {
    if (absl::Status s = CheckKeyPart("grant.id", id); !s.ok()) return s;
  }
  for (const std::string& id : p.tombstone_ids) {
    if (absl::Status s = CheckKeyPart("tombstone.consent_id", id); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// Age keys come from the store itself (Store::FindExpiredClientRequests).
absl::Status CheckOp(const WriteSet::DeleteClientRequestsOp& d) {
  for (const std::string& key : d.age_keys) {
    if (key.size() <= 9 || key[0] != 'W') {
      return absl::InvalidArgumentError(
          "client request age key: not one of the store's");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckKeyPart(absl::string_view field, absl::string_view value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  if (value.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must not contain a NUL byte"));
  }
  return absl::OkStatus();
}

absl::Status Validate(WriteSet& ws) {
  for (const WriteSet::Op& op : ws.ops()) {
    absl::Status s = std::visit([](const auto& o) { return CheckOp(o); }, op);
    if (!s.ok()) return s;
  }
  if (const auto& cr = ws.client_request(); cr.has_value()) {
    if (absl::Status s = CheckKeyPart("client request caller", cr->caller);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckKeyPart("client request method", cr->method);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckKeyPart("client_request_id", cr->id); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace accord::store
