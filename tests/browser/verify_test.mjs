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
process.stdout.write(`PASS: ${cases} inclusion vectors, checkpoints\n`);
