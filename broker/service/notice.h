#ifndef ACCORD_BROKER_SERVICE_NOTICE_H_
#define ACCORD_BROKER_SERVICE_NOTICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "accord/v1/common.pb.h"
#include "accord/v1/requests.pb.h"
#include "policy/taxonomy.h"

namespace accord::service {

// The notice of one version of a consent request: what a citizen is shown
// and agrees to, in plain French and English.
struct Notice {
  // Canonical JSON: UTF-8, object keys sorted, no insignificant space.
  std::string json;
  // Lowercase hex SHA-256 of `json`.
  std::string hash;
};

// What the notice is built from.
struct NoticeSource {
  const accord::v1::ConsentRequest* request = nullptr;   // id, partner
  const accord::v1::ConsentRequestSpec* spec = nullptr;  // the version's
  uint32_t version = 0;
  // The partner's category (`academic`, ...).
  std::string partner_category;
  const accord::v1::Dataset* dataset = nullptr;
  accord::v1::PolicyRef policy;
  const policy::Taxonomy* taxonomy = nullptr;
};

// Builds the notice, whose members are:
//   format       "accord-notice/1"
//   request      {id, version}
//   partner      {id, category, organisation}
//   responsible  {organisation, name, role, email}
//   project      {title, description, public_benefit}  each {fr, en}
//   dataset      {id, title, description, fields: [{id, description}]}
//   purpose      {id, label, description, dpv}         texts {fr, en}
//   duration     {seconds, fr, en}                     "pendant 6 mois"
//   duties       [{kind, value, fr, en}]               in words
//   withdraw     {fr, en}                              how to withdraw
//   opens_at, closes_at                                Unix seconds
//   policy       {version, hash}
// An English text left empty by its author is left out (readers show the
// French one). FAILED_PRECONDITION naming the text when a French text the
// notice needs is missing: the dataset's description, a requested field's
// description, the purpose's label or description.
absl::StatusOr<Notice> BuildNotice(const NoticeSource& source);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_NOTICE_H_
