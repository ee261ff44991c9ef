// What a verified grant lets the example data service serve: the granted
// fields of the granted subjects, of the one dataset it holds (as
// clients/examples/record_access.cc).
import { AccordError, status } from '@accord/client';

import { HOUSEHOLD_DATASET, HOUSEHOLD_FIELDS, householdRecordsFor } from './household_records.js';

/**
 * The records `grant` allows for a request of `fields` and `subjects`
 * (empty: all the grant's), from the subjects this service holds:
 * {fields, records}. Throws AccordError PERMISSION_DENIED naming the
 * dataset, field or subject the grant does not cover. A requested subject
 * the service does not hold yields no record.
 */
export function serveRecords(grant, fields, subjects, knownSubjects) {
  const denied = (details) => new AccordError(status.PERMISSION_DENIED, details);
  if (grant.dataset !== HOUSEHOLD_DATASET) {
    throw denied(`grant is for dataset ${grant.dataset}, not ${HOUSEHOLD_DATASET}`);
  }
  // A PERSONAL dataset: a grant without a subject list covers nobody.
  if (grant.subjects === null) throw denied('grant names no subjects');
  for (const f of fields) {
    if (!grant.coversField(f)) throw denied(`field ${f} is not covered by the grant`);
  }
  for (const s of subjects) {
    if (!grant.coversSubject(s)) throw denied(`subject ${s} is not covered by the grant`);
  }
  const servedFields = grant.fields.filter(
    (f) => HOUSEHOLD_FIELDS.includes(f) && (fields.length === 0 || fields.includes(f)));
  const records = [];
  for (const subject of subjects.length > 0 ? subjects : grant.subjects) {
    if (!knownSubjects.includes(subject)) continue;
    for (const full of householdRecordsFor(subject)) {
      records.push(Object.fromEntries(servedFields.map((f) => [f, full[f]])));
    }
  }
  return { fields: servedFields, records };
}
