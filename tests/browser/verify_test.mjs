// The portal's in-browser log checks (clients/portal/web/verify.mjs), run
// in node's WebCrypto: RFC 9162 inclusion proofs against the
// transparency-dev vectors of broker/auditlog/testdata, and C2SP signed
// checkpoints with Ed25519 keys (including keys whose base64 holds '+').
//
//   node verify_test.mjs SOURCE_DIR
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const source = process.argv[2];
const verify = await import(pathToFileURL(join(source, 'clients/portal/web/verify.mjs')));

function* jsonFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* jsonFiles(path);
    else if (name.endsWith('.json')) yield path;
  }
}

let cases = 0;
for (const path of jsonFiles(join(source, 'broker/auditlog/testdata/merkle/inclusion'))) {
  const v = JSON.parse(readFileSync(path, 'utf8'));
  const b = (x) => verify.base64ToBytes(x || '');
  let ok;
  try {
    ok = await verify.verifyInclusion(b(v.leafHash), BigInt(v.leafIdx), BigInt(v.treeSize),
        (v.proof || []).map(b), b(v.root));
  } catch {
    ok = false;
  }
  assert.equal(ok, !v.wantErr, path);
  cases++;
}
assert.ok(cases > 20, `inclusion vectors found: ${cases}`);

// A C2SP verifier key and signed checkpoint made here with node's crypto.
function makeKey(name) {
  for (;;) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const keyBytes = Buffer.concat([Buffer.of(1), raw]);
    const hash = createHash('sha256').update(`${name}\n`).update(keyBytes).digest().subarray(0, 4);
    const text = `${name}+${hash.toString('hex')}+${keyBytes.toString('base64')}`;
    if (keyBytes.toString('base64').includes('+')) return { text, hash, privateKey };
  }
}
function signNote(body, name, key) {
  const sig = sign(null, Buffer.from(body), key.privateKey);
  return `${body}\n\u2014 ${name} ${Buffer.concat([key.hash, sig]).toString('base64')}\n`;
}
const origin = 'accord.example/log';
const key = makeKey(origin);
const root = createHash('sha256').update('root').digest();
const body = `${origin}\n42\n${root.toString('base64')}\n`;
const note = signNote(body, origin, key);
const pinned = await verify.importVerifierKey(key.text);
const cp = await verify.openCheckpoint(note, pinned);
assert.equal(cp.size, 42n);
assert.deepEqual(Buffer.from(cp.root), root);

async function refused(text, why) {
  await assert.rejects(verify.openCheckpoint(text, pinned), verify.VerificationError, why);
}
await refused(note.replace('\n42\n', '\n43\n'), 'a changed size');
await refused(signNote(body, origin, makeKey(origin)), 'another key');
await refused(body, 'no signature');
const other = makeKey('elsewhere/log');
await refused(signNote(`elsewhere/log\n42\n${root.toString('base64')}\n`, 'elsewhere/log', other),
    'another log');
await assert.rejects(verify.importVerifierKey(key.text.replace(/\+[0-9a-f]{8}\+/, '+00000000+')),
    verify.VerificationError, 'a key hash that does not match');
// Subject commitments: the fixed vector of broker/auditlog/commitment_test.cc
// (opening of key 00..1f for salt 00..0f; commitment of "alice").
const opening = Buffer.from(
    '7fe2ddce55d8f5218da41970a42c046cdd89173932de5205cf2070e8c3af74aa', 'hex');
assert.equal(Buffer.from(await verify.subjectCommitment(opening, 'alice')).toString('hex'),
    'ff381affcab3ed748f5c687e35474da3874e01a1fb95f2723300128df02fbdba');

// An entry made here: version byte, then the protobuf fields the check reads.
function field(number, bytes) {
  return Buffer.concat([Buffer.of((number << 3) | 2, bytes.length), bytes]);
}
function entryOf(version, extra) {
  return Buffer.concat([Buffer.of(version, 0x08, 0x01),
    field(3, Buffer.from('partner-demo')), field(4, Buffer.from('ds')),
    field(5, Buffer.from('research')), field(8, Buffer.from('g1')), ...extra]);
}
const bobCommitment = createHash('sha256').update('bob').digest();
const aliceCommitment = Buffer.from(await verify.subjectCommitment(opening, 'alice'));
const v2 = entryOf(2, [field(13, aliceCommitment), field(13, bobCommitment)]);
const v1 = entryOf(1, [field(10, Buffer.from('alice')), field(10, Buffer.from('bob'))]);
async function pageOf(entry, extra) {
  const leaf = Buffer.from(await verify.leafHash(entry));
  return {
    subject: 'alice',
    checkpoint: signNote(`${origin}\n1\n${leaf.toString('base64')}\n`, origin, key),
    records: [{ grant_id: 'g1', partner: 'partner-demo', dataset_id: 'ds',
      purpose: 'research', log_index: '0', log_entry: entry.toString('base64'),
      inclusion_proof: [], ...extra }],
  };
}
async function lineOf(page) {
  const lines = await verify.verifyHistory({ pages: [page] }, key.text);
  assert.equal(lines.length, 1);
  return lines[0];
}
const good = await pageOf(v2, { subject_opening: opening.toString('base64') });
assert.equal((await lineOf(good)).problem, null, 'her commitment is in the entry');
assert.notEqual((await lineOf({ ...good, subject: 'bob' })).problem, null,
    'another pseudonym');
assert.notEqual((await lineOf(await pageOf(v2, {}))).problem, null, 'no opening');
const wrongOpening = Buffer.from(opening);
wrongOpening[0] ^= 1;
assert.notEqual((await lineOf(await pageOf(v2,
    { subject_opening: wrongOpening.toString('base64') }))).problem, null, 'another opening');
assert.equal((await lineOf(await pageOf(v1, {}))).problem, null, 'a version 1 entry naming her');
assert.notEqual((await lineOf({ ...(await pageOf(v1, {})), subject: 'carol' })).problem, null,
    'a version 1 entry that does not name the caller');
const old = await lineOf({ subject: 'alice', records: [{ grant_id: 'g0',
  recorded_before_commitments: true }] });
assert.equal(old.unverifiable, true);
assert.equal(old.problem, null);
process.stdout.write(`PASS: ${cases} inclusion vectors, checkpoints, commitments\n`);
