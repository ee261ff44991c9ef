// The browser's own check of the access history: every line is shown as
// verified only when this code has
//  1. verified the Ed25519 signature of the checkpoint (a C2SP signed note,
//     https://c2sp.org/signed-note) with the checkpoint key pinned in the
//     portal's configuration,
//  2. decoded the line's audit log entry and found it describes the same
//     grant (grant id, dataset, purpose, partner) and concerns the citizen:
//     a version 2 entry names nobody, but holds the citizen's commitment
//     SHA-256("accord subject commitment v1" || 0x00 || opening || pseudonym),
//     recomputed here from the line's opening and the citizen's pseudonym
//     (broker/auditlog/commitment.h); a version 1 entry names the citizen,
//     and
//  3. verified its RFC 9162 inclusion proof (SHA-256) from the entry's leaf
//     hash to the checkpoint's root.
// A line recorded before commitments whose entry also named other people is
// sent without its entry: it is shown as not verifiable.
// All hashing and signature checks are WebCrypto's; nothing here trusts
// what the server says about a line.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class VerificationError extends Error {}

function fail(message) {
  throw new VerificationError(message);
}

export function base64ToBytes(text) {
  let binary;
  try {
    binary = atob(text);
  } catch {
    fail('base64');
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function concat(...parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

async function sha256(...parts) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));
}

// RFC 9162 2.1.1: leaf and interior node hashes.
export function leafHash(entry) {
  return sha256(Uint8Array.of(0), entry);
}
function nodeHash(left, right) {
  return sha256(Uint8Array.of(1), left, right);
}

// A C2SP verifier key "<name>+<8 hex key hash>+<base64(0x01 || key)>".
export async function importVerifierKey(text) {
  // The name has no '+'; the base64 key may.
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (first <= 0 || second !== first + 9) fail('verifier key: not name+hash+key');
  const name = text.slice(0, first);
  const hashHex = text.slice(first + 1, second);
  const keyB64 = text.slice(second + 1);
  const key = base64ToBytes(keyB64);
  if (key.length !== 33 || key[0] !== 1) fail('verifier key: not Ed25519');
  const hash = (await sha256(encoder.encode(name + '\n'), key)).slice(0, 4);
  const hex = Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
  if (hex !== hashHex) fail('verifier key: key hash does not match');
  const publicKey = await crypto.subtle.importKey(
      'raw', key.slice(1), { name: 'Ed25519' }, false, ['verify']);
  return { name, keyHash: hash, publicKey };
}

// Opens a checkpoint note with `key` (importVerifierKey). Returns
// {origin, size (BigInt), root (32 bytes)}; throws VerificationError.
export async function openCheckpoint(note, key) {
  const split = note.indexOf('\n\n');
  if (split < 0) fail('checkpoint: no signature');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split('\n');
  if (lines[lines.length - 1] !== '') fail('checkpoint: malformed signatures');
  let verified = false;
  for (const line of lines.slice(0, -1)) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!match) fail('checkpoint: malformed signature line');
    if (match[1] !== key.name) continue;
    const sig = base64ToBytes(match[2]);
    if (sig.length !== 68 || !equalBytes(sig.slice(0, 4), key.keyHash)) continue;
    verified = await crypto.subtle.verify(
        { name: 'Ed25519' }, key.publicKey, sig.slice(4), encoder.encode(text));
    if (!verified) fail('checkpoint: signature does not verify');
  }
  if (!verified) fail('checkpoint: not signed by the pinned key');
  const body = text.split('\n');
  if (body.length < 4) fail('checkpoint: too few lines');
  if (body[0] !== key.name) fail('checkpoint: another log');
  if (!/^(0|[1-9][0-9]{0,19})$/.test(body[1])) fail('checkpoint: bad size');
  const root = base64ToBytes(body[2]);
  if (root.length !== 32) fail('checkpoint: bad root');
  return { origin: body[0], size: BigInt(body[1]), root };
}

// RFC 9162 2.1.3.2: whether `proof` leads from `leaf` at `index` to `root`
// of a tree of `size` leaves.
export async function verifyInclusion(leaf, index, size, proof, root) {
  if (leaf.length !== 32 || root.length !== 32 || index >= size) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (p.length !== 32 || sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(r, root);
}

// The fields of an audit entry (version byte 0x01 or 0x02 || AuditEvent
// protobuf) a line is checked against: type (1), actor (3), dataset_id (4),
// purpose (5), grant_id (8), subjects (10, version 1), subject_commitments
// (13, version 2).
export function decodeEntry(entry) {
  if (entry.length < 1 || (entry[0] !== 1 && entry[0] !== 2)) {
    fail('entry: unknown format');
  }
  const out = { version: entry[0], type: 0n, actor: '', dataset_id: '',
    purpose: '', grant_id: '', subjects: [], commitments: [] };
  let at = 1;
  const varint = () => {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= entry.length) fail('entry: truncated');
      const b = entry[at++];
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value;
    }
    fail('entry: bad varint');
  };
  const names = { 3: 'actor', 4: 'dataset_id', 5: 'purpose', 8: 'grant_id' };
  while (at < entry.length) {
    const tag = varint();
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const v = varint();
      if (field === 1) out.type = v;
    } else if (wire === 2) {
      const length = Number(varint());
      if (at + length > entry.length) fail('entry: truncated');
      const bytes = entry.slice(at, at + length);
      at += length;
      if (names[field]) out[names[field]] = decoder.decode(bytes);
      if (field === 10) out.subjects.push(decoder.decode(bytes));
      if (field === 13) out.commitments.push(bytes);
    } else if (wire === 1) {
      at += 8;
    } else if (wire === 5) {
      at += 4;
    } else {
      fail('entry: bad wire type');
    }
  }
  if (at !== entry.length) fail('entry: truncated');
  return out;
}

const DECISION = 1n;

// The commitment of `subject` (a pseudonym) under `opening` (32 bytes).
export function subjectCommitment(opening, subject) {
  return sha256(encoder.encode('accord subject commitment v1'), Uint8Array.of(0),
      opening, encoder.encode(subject));
}

// Checks one access record (proto3 JSON of accord.v1.AccessRecord) of the
// citizen whose pseudonym is `subject` against an opened checkpoint.
// Returns null when verified, else why not (a short English code for logs;
// the page says it in words).
export async function checkRecord(record, checkpoint, subject) {
  try {
    const entry = base64ToBytes(record.log_entry || '');
    const event = decodeEntry(entry);
    if (event.type !== DECISION || event.grant_id !== record.grant_id ||
        event.dataset_id !== record.dataset_id ||
        event.purpose !== record.purpose || event.actor !== record.partner) {
      return 'entry describes another grant';
    }
    if (!subject) return 'no pseudonym to check the entry against';
    if (event.version === 1) {
      if (!event.subjects.includes(subject)) return 'entry does not name you';
    } else {
      const opening = base64ToBytes(record.subject_opening || '');
      if (opening.length !== 32) return 'no opening of your commitment';
      const mine = await subjectCommitment(opening, subject);
      if (!event.commitments.some((c) => equalBytes(c, mine))) {
        return 'entry does not hold your commitment';
      }
    }
    const proof = (record.inclusion_proof || []).map(base64ToBytes);
    const ok = await verifyInclusion(await leafHash(entry),
        BigInt(record.log_index || '0'), checkpoint.size, proof, checkpoint.root);
    return ok ? null : 'inclusion proof does not lead to the signed root';
  } catch (e) {
    return e instanceof VerificationError ? e.message : `error: ${e}`;
  }
}

// Checks every page of the history ({pages:[GetAccessHistoryResponse]})
// with the pinned `verifierKey`. Returns [{record, problem, unverifiable}]
// in the order shown: problem null for a verified line; unverifiable true
// (problem null) for a line recorded before commitments, sent without its
// entry.
export async function verifyHistory(history, verifierKey) {
  let key = null;
  let keyProblem = null;
  try {
    key = await importVerifierKey(verifierKey);
  } catch (e) {
    keyProblem = `pinned key unusable: ${e.message}`;
  }
  const lines = [];
  for (const page of history.pages || []) {
    const records = page.records || [];
    let checkpoint = null;
    let pageProblem = keyProblem;
    if (!pageProblem && records.some((r) => !r.recorded_before_commitments)) {
      try {
        checkpoint = await openCheckpoint(page.checkpoint || '', key);
      } catch (e) {
        pageProblem = e instanceof VerificationError ? e.message : `error: ${e}`;
      }
    }
    for (const record of records) {
      if (record.recorded_before_commitments) {
        lines.push({ record, problem: null, unverifiable: true });
        continue;
      }
      const problem = pageProblem ||
          await checkRecord(record, checkpoint, page.subject || '');
      lines.push({ record, problem, unverifiable: false });
    }
  }
  return lines;
}
