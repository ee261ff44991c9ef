// examples/data_service.js against the real broker: it serves only what a
// grant bound to the presenting certificate covers, refuses what it must,
// follows revocations when asked, and refuses to start on a plain-http
// JWKS; the five lines of examples/README.md run as written.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  AUDIENCE, Broker, DataServiceProcess, NODE_DIR, NOBODY, OPEN, PERSONAL, RESEARCH, getRecords,
  runDataServiceToExit, waitFor,
} from './harness.js';

let broker;
let alice;
let client;
let tmp;
let service;
let token;

function serviceFlags(extra = []) {
  return ['--audience', AUDIENCE, '--tls-cert', broker.file('server.pem'), '--tls-key', broker.file('server.key'),
    '--client-ca', broker.file('ca.pem'), ...extra];
}

before(async () => {
  broker = await Broker.start();
  alice = await broker.consent('alice');
  client = broker.client('partner-demo');
  tmp = mkdtempSync(join(tmpdir(), 'accord-node-ds-'));
  service = await DataServiceProcess.start(serviceFlags([
    '--jwks', broker.jwksUrl, '--jwks-ca', broker.file('ca.pem'), `--subjects=${alice.subject},${NOBODY}`,
    '--skew-seconds', '0']), join(tmp, 'data-service.log'));
  ({ token } = (await client.requestGrant({
    dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [alice.subject, NOBODY],
  })).grant);
});

after(async () => {
  await service?.stop();
  client?.close();
  await broker?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const get = (grant, options = {}) => getRecords(broker, options.port ?? service.port, grant, options);

/** `part` with one base64url character replaced by another one. */
function swapChar(part, index) {
  return part.slice(0, index) + (part[index] === 'A' ? 'B' : 'A') + part.slice(index + 1);
}

describe('the example data service', () => {
  test('serves the granted subject and fields', async () => {
    const { status, body } = await get(token);
    assert.equal(status, 200, JSON.stringify(body));
    const granted = (await client.requestGrant({
      dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [alice.subject],
    })).decision.fields;
    assert.deepEqual(body.fields, granted);
    assert.ok(!body.fields.includes('tariff'));
    assert.ok(!body.fields.includes('household_id'));
    assert.equal(body.records.length, 3); // alice only (NOBODY has no consent), three days
    for (const record of body.records) {
      assert.deepEqual(Object.keys(record.values).sort(), [...granted].sort());
      if (granted.includes('subject')) assert.equal(record.subject, alice.subject);
    }
    // Narrower is fine; without the subject field, records are unnamed.
    const narrow = await get(token, { query: '?fields=kwh' });
    assert.equal(narrow.status, 200, JSON.stringify(narrow.body));
    assert.deepEqual(narrow.body.fields, ['kwh']);
    assert.deepEqual(narrow.body.records.map((r) => Object.keys(r.values)), [['kwh'], ['kwh'], ['kwh']]);
    assert.deepEqual(new Set(narrow.body.records.map((r) => r.subject)), new Set(['']));
    // The same records as the C++ and Python examples', for the same pseudonym.
    const digest = createHash('sha256').update(`day-1\n${alice.subject}`).digest();
    const kwh = (4.0 + Number(digest.readBigUInt64BE(0) % 160n) / 10).toFixed(1);
    assert.equal(narrow.body.records[0].values.kwh, kwh);
  });

  test('refuses no grant, a malformed, a tampered or another audience\'s grant', async () => {
    const none = await get(null);
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'UNAUTHENTICATED');
    assert.match(none.headers['www-authenticate'], /^Bearer /);
    const malformed = await get('not-a-grant');
    assert.equal(malformed.status, 400);
    assert.match(malformed.body.message, /^format: /);
    const [header, payload, signature] = token.split('.');
    const tampered = await get(`${header}.${swapChar(payload, 20)}.${signature}`);
    assert.equal(tampered.status, 401);
    assert.match(tampered.body.message, /^signature: /);
    const other = (await client.requestGrant({
      dataset: PERSONAL, purpose: RESEARCH, audience: 'other.service.example', subjects: [alice.subject],
    })).grant.token;
    const otherAudience = await get(other);
    assert.equal(otherAudience.status, 401);
    assert.match(otherAudience.body.message, /^aud: /);
  });

  test('refuses an expired grant', async () => {
    const short = (await client.requestGrant({
      dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [alice.subject], lifetimeSeconds: 1,
    })).grant;
    // Served until its exp, refused from then on (the service allows no skew).
    const refused = await waitFor('the expired grant refused', async () => {
      const answer = await get(short.token);
      return answer.status === 200 ? undefined : answer;
    });
    assert.equal(refused.status, 401, JSON.stringify(refused.body));
    assert.match(refused.body.message, /^lifetime: expired/);
    assert.ok(Date.now() / 1000 >= short.expiresAt);
  });

  test('refuses a grant presented with another certificate', async () => {
    const answer = await get(token, { who: 'producer-demo' });
    assert.equal(answer.status, 401);
    assert.match(answer.body.message, /^cnf: /);
  });

  test('refuses a client without a certificate at the handshake', async () => {
    const error = await new Promise((resolve) => {
      const request = https.get({
        host: '127.0.0.1', port: service.port, path: '/records', agent: false,
        ca: readFileSync(broker.file('ca.pem')), headers: { Authorization: `Bearer ${token}` },
      }, (response) => resolve(new Error(`answered ${response.statusCode}`)));
      request.on('error', resolve);
    });
    assert.notEqual(error.message.slice(0, 8), 'answered', error.message);
  });

  test('refuses fields, subjects and datasets the grant does not cover', async () => {
    const fields = await get(token, { query: '?fields=kwh,tariff' });
    assert.equal(fields.status, 403);
    assert.equal(fields.body.code, 'PERMISSION_DENIED');
    assert.match(fields.body.message, /tariff/);
    const subjects = await get(token, { query: `?subjects=${NOBODY}` });
    assert.equal(subjects.status, 403);
    assert.ok(subjects.body.message.includes(NOBODY));
    assert.equal((await get(token, { query: `?subjects=${alice.subject},${NOBODY}` })).status, 403);
    const open = (await client.requestGrant({ dataset: OPEN, purpose: 'service-provision', audience: AUDIENCE })).grant.token;
    const dataset = await get(open);
    assert.equal(dataset.status, 403);
    assert.ok(dataset.body.message.includes(OPEN));
  });

  test('refuses a revoked grant when following revocations', async (t) => {
    const carol = await broker.consent('carol');
    const { grant } = await client.requestGrant({ dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [carol.subject] });
    // Keys and revocations from the broker's TrustService, as the producer
    // of the dataset.
    const watching = await DataServiceProcess.start(serviceFlags([
      '--jwks', 'broker', `--subjects=${carol.subject}`, '--broker', broker.grpcAddress,
      '--broker-ca', broker.file('ca.pem'), '--broker-cert', broker.file('producer-demo.pem'),
      '--broker-key', broker.file('producer-demo.key'), '--revocations', 'watch',
    ]), join(tmp, 'data-service-watch.log'));
    t.after(() => watching.stop());
    const answerWith = (expected) => waitFor(`HTTP ${expected} from the watching service`, async () => {
      const answer = await get(grant.token, { port: watching.port });
      return answer.status === expected ? answer.body : undefined;
    });
    // Served once the stream is up (refused before: fail closed).
    assert.equal((await answerWith(200)).records.length, 3);
    await broker.withdraw('carol', carol.id);
    assert.match((await answerWith(403)).message, /^revoked: /);
  });

  test('prints its usage with --help and exits 0', async () => {
    const help = await runDataServiceToExit(['--help']);
    assert.equal(help.code, 0, help.output);
    assert.match(help.output, /^usage: node data_service\.js --listen/);
  });

  test('refuses to start on a plain-http JWKS, or a missing file', async () => {
    const plainUrl = broker.jwksUrl.replace('https://', 'http://');
    const plain = await runDataServiceToExit(['--listen', '127.0.0.1:0', ...serviceFlags(['--jwks', plainUrl, `--subjects=${alice.subject}`])]);
    assert.equal(plain.code, 2, plain.output);
    assert.match(plain.output, /plain http is refused/);
    const remote = await runDataServiceToExit(['--listen', '127.0.0.1:0', ...serviceFlags([
      '--jwks', 'http://accord.example:7480/.well-known/jwks.json', '--jwks-http', 'loopback', `--subjects=${alice.subject}`])]);
    assert.equal(remote.code, 2, remote.output);
    assert.match(remote.output, /only towards a loopback host/);
    const missing = await runDataServiceToExit(['--listen', '127.0.0.1:0', '--jwks', broker.jwksUrl,
      '--jwks-ca', broker.file('ca.pem'), '--audience', AUDIENCE, '--tls-cert', join(tmp, 'none.pem'),
      '--tls-key', broker.file('server.key'), '--client-ca', broker.file('ca.pem'), `--subjects=${alice.subject}`]);
    assert.equal(missing.code, 2, missing.output);
    assert.match(missing.output, /--tls-cert: cannot read .*none\.pem/);
  });

  test('the five lines of examples/README.md', async () => {
    const readme = readFileSync(join(NODE_DIR, 'examples', 'README.md'), 'utf8');
    const start = readme.indexOf('```js\n') + '```js\n'.length;
    const lines = readme.slice(start, readme.indexOf('```', start));
    assert.equal(lines.trimEnd().split('\n').length, 5);
    const program = `const ALICE = ${JSON.stringify(alice.subject)};\n${lines
      .replaceAll('127.0.0.1:7443', broker.grpcAddress)
      .replaceAll('127.0.0.1:9443', `127.0.0.1:${service.port}`)
      .replaceAll('var/dev-pki', broker.pki)}`;
    // From clients/node, where '@accord/client' names this package.
    const { code, stdout, stderr } = await new Promise((resolve) => {
      execFile(process.execPath, ['--input-type=module', '-e', program], { cwd: NODE_DIR },
        (error, out, err) => resolve({ code: error ? error.code : 0, stdout: out, stderr: err }));
    });
    assert.equal(code, 0, stderr);
    const served = JSON.parse(stdout);
    assert.deepEqual(served.fields, ['day', 'kwh']);
    assert.equal(served.records.length, 3);
  });
});
