// Deterministic fake records of the PERSONAL demo dataset
// rennes.energy.household-consumption, the same as the C++ and Python
// examples' (clients/examples/household_records.cc): a few days of
// household energy use per subject pseudonym; the same pseudonym always
// gets the same records.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const HOUSEHOLD_DATASET = 'rennes.energy.household-consumption';
export const HOUSEHOLD_FIELDS = Object.freeze(['household_id', 'subject', 'day', 'kwh', 'tariff', 'district']);

const DISTRICTS = ['Centre', 'Thabor', "Bourg-l'Evesque", 'Villejean', 'Cleunay', 'Maurepas'];
const TARIFFS = ['base', 'peak-off-peak', 'tempo'];

/** A stable pseudo-random 64-bit number for (subject, salt). */
function stable(subject, salt) {
  return createHash('sha256').update(`${salt}\n${subject}`, 'utf8').digest().readBigUInt64BE(0);
}

/**
 * `days` records for `subject`, one per day from 2024-01-01, with every
 * field of the dataset (values as strings).
 */
export function householdRecordsFor(subject, days = 3) {
  const h = stable(subject, 'household');
  const records = [];
  for (let day = 1; day <= days; day += 1) {
    const use = stable(subject, `day-${day}`);
    records.push({
      household_id: `hh-${String(h % 1000000n).padStart(6, '0')}`,
      subject,
      day: `2024-01-${String(day).padStart(2, '0')}`,
      kwh: (4.0 + Number(use % 160n) / 10).toFixed(1),
      tariff: TARIFFS[Number(h % 3n)],
      district: DISTRICTS[Number((h >> 8n) % 6n)],
    });
  }
  return records;
}

/**
 * The pseudonyms of a JSON file holding an array of strings (or an object
 * with a "subjects" array). Throws an Error naming the file.
 */
export function readSubjectsFile(path) {
  let document;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: ${e.code ? `cannot open (${e.code})` : e.message}`);
  }
  const subjects = Array.isArray(document) ? document : document?.subjects;
  if (!Array.isArray(subjects)) {
    throw new Error(`${path}: expected an array of pseudonyms or {"subjects": [...]}`);
  }
  subjects.forEach((s, i) => {
    if (typeof s !== 'string' || s === '') throw new Error(`${path}: subjects[${i}] is not a non-empty string`);
  });
  return subjects;
}
