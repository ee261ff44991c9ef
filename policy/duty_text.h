#ifndef ACCORD_POLICY_DUTY_TEXT_H_
#define ACCORD_POLICY_DUTY_TEXT_H_

// A duty of a grant (policy/model.h, proto accord.v1.Duty) in one plain
// sentence, in French or English, for notices shown to citizens:
//   delete_after 2592000  "Les données sont supprimées au plus tard 30 jours
//                          après leur réception." /
//                         "The data is deleted within 30 days of receipt."
//   aggregate_min_k 10    "Les résultats ne sont publiés que sous forme
//                          d'agrégats d'au moins 10 personnes ou entités
//                          distinctes." /
//                         "Results are published only as aggregates of at
//                          least 10 distinct people or entities."
//   attribute M           "Toute utilisation des données doit citer la
//                          mention « M »." /
//                         "Any use of the data must show the mention “M”."
//   no_onward_transfer    "Les données ne sont transmises à personne
//                          d'autre." / "The data is not passed on to anyone
//                          else."
//   notify_producer       "Le producteur des données est informé de leur
//                          utilisation." / "The producer of the data is
//                          informed of its use."

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "policy/language.h"
#include "policy/model.h"

namespace accord::policy {

struct DutyTextOptions {
  // What aggregate_min_k counts, as a plural noun phrase in the language
  // asked for ("personnes", "foyers" / "people", "households"), when the
  // caller knows what the dataset's subjects are. Empty: "personnes ou
  // entités distinctes" / "distinct people or entities", true of any
  // dataset. At most 64 bytes, no control characters.
  std::string aggregate_unit;
};

// The sentence for `duty` in `language`, ending with a full stop.
// Returns INVALID_ARGUMENT naming the duty kind when the value does not fit
// it: delete_after not a positive decimal number of seconds, aggregate_min_k
// not a decimal integer of at least 2, attribute empty, over 500 bytes or
// with control characters, a value given to no_onward_transfer or
// notify_producer; or when options.aggregate_unit is malformed.
absl::StatusOr<std::string> DutyText(const Duty& duty, Language language,
                                     const DutyTextOptions& options = {});

// The same for a duty by its stable name (`delete_after`, ...), as grants
// and the protocol carry it. Returns INVALID_ARGUMENT for an unknown kind,
// otherwise as above.
absl::StatusOr<std::string> DutyText(absl::string_view kind,
                                     absl::string_view value,
                                     Language language,
                                     const DutyTextOptions& options = {});

}  // namespace accord::policy

#endif  // ACCORD_POLICY_DUTY_TEXT_H_
