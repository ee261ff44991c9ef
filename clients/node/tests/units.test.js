// The parts of @accord/client that need no broker: URL and Cache-Control
// rules, JWK set parsing, the key cache's floor and max-age, the
// revocation set's staleness and bounds, PEM files, request arguments, the
// example data service's records and projection. Clocks are injected.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import * as accord from '@accord/client';
import {
  AccessDenied, AccordClient, AccordError, ConfigurationError, JwksSource, RevokedGrants, RpcError,
  VerificationError, cacheMaxAge, isLoopbackHost, mtlsChannel, parseJwks, parseJwksUrl, readPem, status,
} from '@accord/client';

import { householdRecordsFor, HOUSEHOLD_DATASET } from '../examples/household_records.js';
import { serveRecords } from '../examples/record_access.js';
import { MAX_ATTEMPTS, newRequestId, withRetries } from '../src/retry.js';
import { NODE_DIR } from './harness.js';

const P256 = {
  kty: 'EC', crv: 'P-256', kid: 'k1', alg: 'ES256', use: 'sig',
  x: 'hPMWV9L3Etoc9IA22YOs9dRMKLpQdIqZPCxoT9li60o',
  y: 'TbpMrmxzoYYDGCnBZoZuXUbYNZ3--obI6EdfEIuxvfk',
};
const ED25519 = { kty: 'OKP', crv: 'Ed25519', kid: 'k2', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };

/** A clock the test moves by hand. */
function manualClock(start = 1000000) {
  const clock = () => clock.now;
  clock.now = start;
  return clock;
}

describe('JWKS location and freshness', () => {
  test('URLs: https, or http towards loopback when allowed', () => {
    const u = parseJwksUrl('https://broker.example/.well-known/jwks.json');
    assert.deepEqual([u.protocol, u.hostname, u.pathname], ['https:', 'broker.example', '/.well-known/jwks.json']);
    assert.equal(parseJwksUrl('http://[::1]:7480/k?x=1', true).search, '?x=1');
    for (const [url, allow] of [
      ['http://127.0.0.1:7480/', false], ['http://10.0.0.1/', true], ['http://localhost.evil/', true],
      ['ftp://127.0.0.1/', true], ['https://user@broker/', false], ['https://broker/#f', false],
      ['https:///path', false], ['https://broker:99999/', false], ['https://broker/a b', false], ['', false],
    ]) {
      assert.throws(() => parseJwksUrl(url, allow), (e) => e instanceof ConfigurationError && e.option === 'jwksUrl', url);
    }
    assert.throws(() => parseJwksUrl('http://127.0.0.1/'), /plain http is refused/);
    assert.ok(isLoopbackHost('127.1.2.3'));
    assert.ok(isLoopbackHost('LOCALHOST'));
    assert.ok(isLoopbackHost('[::1]'));
    assert.ok(!isLoopbackHost('128.0.0.1'));
  });

  test('Cache-Control max-age', () => {
    assert.equal(cacheMaxAge('public, max-age=600'), 600);
    assert.equal(cacheMaxAge('max-age=600, max-age=60'), 60);
    assert.equal(cacheMaxAge('max-age=9999999'), 86400);
    assert.equal(cacheMaxAge('no-store, max-age=600'), 0);
    assert.equal(cacheMaxAge('max-age=soon'), null);
    assert.equal(cacheMaxAge(undefined), null);
  });

  test('key sets: P-256 and Ed25519 public keys only', async () => {
    const keys = await parseJwks(JSON.stringify({ keys: [P256, ED25519] }));
    assert.deepEqual([...keys.values()].map((k) => [k.kid, k.algorithm]), [['k1', 'ES256'], ['k2', 'EdDSA']]);
    const bad = [
      'not json', [], { keys: {} }, { keys: [{ ...P256, kid: '' }] }, { keys: [P256, P256] },
      { keys: [{ ...P256, d: 'secret' }] }, { keys: [{ ...P256, crv: 'P-384' }] },
      { keys: [{ kty: 'oct', kid: 'h', k: 'AA' }] }, { keys: [{ ...P256, alg: 'EdDSA' }] },
      { keys: [{ ...P256, use: 'enc' }] }, { keys: [{ ...P256, x: 'AAAA' }] },
      { keys: [{ ...ED25519, x: 'AAAA' }] },
    ];
    for (const document of bad) {
      await assert.rejects(parseJwks(typeof document === 'string' ? document : JSON.stringify(document)),
        Error, JSON.stringify(document));
    }
  });

  test('reloads: after max-age, and on an unknown kid no more often than the floor', async () => {
    const clock = manualClock();
    const loads = [];
    const source = await JwksSource.fromLoader(async () => {
      loads.push(clock.now);
      return { text: JSON.stringify({ keys: [P256] }), maxAgeSeconds: 100 };
    }, { minRefreshIntervalMs: 30000, now: clock });
    assert.equal(await source.refreshAfterUnknownKid(), false); // within the floor
    clock.now += 31000;
    assert.equal(await source.refreshAfterUnknownKid(), true);
    assert.equal(await source.refreshIfStale(), false);
    clock.now += 101000;
    assert.equal(await source.refreshIfStale(), true);
    assert.equal(loads.length, 3);
    assert.equal(source.loadCount, 3);
  });

  test('a failed reload keeps the set; a first load that fails is an error', async () => {
    let fail = false;
    const source = await JwksSource.fromLoader(async () => {
      if (fail) throw new VerificationError('keys', status.UNAVAILABLE, 'down');
      return { text: JSON.stringify({ keys: [P256] }), maxAgeSeconds: null };
    }, { minRefreshIntervalMs: 0 });
    fail = true;
    await assert.rejects(source.refreshAfterUnknownKid(), VerificationError);
    assert.deepEqual(source.kids(), ['k1']);
    await assert.rejects(JwksSource.fromLoader(async () => ({ text: '{"keys": 1}', maxAgeSeconds: null })),
      (e) => e instanceof VerificationError && e.check === 'keys' && e.code === status.INVALID_ARGUMENT);
  });

  test('callers arriving during a load wait for it, and the floor holds after it', async () => {
    const clock = manualClock();
    let loads = 0;
    let release = null;
    const source = await JwksSource.fromLoader(async () => {
      loads += 1;
      if (loads === 2) await new Promise((resolve) => { release = resolve; });
      return { text: JSON.stringify({ keys: [P256] }), maxAgeSeconds: null };
    }, { minRefreshIntervalMs: 1000, now: clock });
    clock.now += 2000;
    const first = source.refreshAfterUnknownKid();
    const second = source.refreshAfterUnknownKid();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(loads, 2);
    release();
    assert.deepEqual(await Promise.all([first, second]), [true, false]);
    assert.equal(loads, 2);
  });
});

describe('RevokedGrants', () => {
  test('fails closed until the stream is up and after the staleness bound', () => {
    const clock = manualClock();
    const revoked = new RevokedGrants({ maxStalenessMs: 30000, settleMs: 1000, maxGrantLifetimeMs: 3600000, now: clock });
    const check = (id) => {
      try {
        revoked.check(id);
        return 'ok';
      } catch (e) {
        return e.check;
      }
    };
    assert.equal(check('g'), 'revocations'); // no stream yet
    revoked.streamOpened();
    assert.equal(check('g'), 'revocations'); // not settled
    clock.now += 1000;
    assert.equal(check('g'), 'ok');
    revoked.add(['g']);
    assert.equal(check('g'), 'revoked');
    revoked.streamEnded();
    clock.now += 30000;
    assert.equal(check('h'), 'ok'); // within staleness
    // A stream refused at once does not hide the outage.
    revoked.streamOpened();
    revoked.streamEnded();
    clock.now += 1;
    assert.equal(check('h'), 'revocations');
    assert.throws(() => revoked.check('g'), (e) => e.code === status.PERMISSION_DENIED);
  });

  test('ids are kept for the longest grant lifetime', () => {
    const clock = manualClock();
    const revoked = new RevokedGrants({ maxGrantLifetimeMs: 60000, now: clock });
    revoked.streamOpened();
    revoked.add(['old']);
    clock.now += 30000;
    revoked.add(['new']);
    clock.now += 31000;
    revoked.add([]);
    assert.ok(!revoked.has('old'));
    assert.ok(revoked.has('new'));
    assert.equal(revoked.size, 1);
  });
});

describe('files and arguments', () => {
  test('PEM files: missing, a directory, unreadable, not PEM', (t) => {
    const tmp = mkdtempSync(join(tmpdir(), 'accord-node-units-'));
    t.after(() => rmSync(tmp, { recursive: true, force: true }));
    assert.throws(() => readPem('caFile', join(tmp, 'none.pem')),
      (e) => e instanceof ConfigurationError && e.code === status.NOT_FOUND && e.option === 'caFile' &&
        e.message.includes(join(tmp, 'none.pem')));
    assert.throws(() => readPem('certFile', tmp), /certFile: .* is a directory/);
    const text = join(tmp, 'key.txt');
    writeFileSync(text, 'not a key\n');
    assert.throws(() => readPem('keyFile', text), /keyFile: .*not a PEM file/);
    if (process.getuid?.() !== 0) { // root reads any file
      const locked = join(tmp, 'locked.pem');
      writeFileSync(locked, '-----BEGIN CERTIFICATE-----\n');
      chmodSync(locked, 0o000);
      assert.throws(() => readPem('keyFile', locked), (e) => e.code === status.PERMISSION_DENIED);
    }
    assert.throws(() => readPem('keyFile', ''), /keyFile: no file named/);
    assert.throws(() => mtlsChannel('', {}), (e) => e instanceof ConfigurationError && e.option === 'target');
  });

  test('one string is not a list of names; refused before any call', async () => {
    const { Channel, credentials } = await import('@grpc/grpc-js');
    const client = new AccordClient(new Channel('127.0.0.1:1', credentials.createInsecure(), {}));
    try {
      await assert.rejects(client.requestGrant({ dataset: 'd', purpose: 'p', audience: 'a', subjects: 'alice' }), TypeError);
      await assert.rejects(client.explainAccess({ partner: 'partner-demo', dataset: 'd', purpose: 'p', fields: 'kwh' }), TypeError);
      await assert.rejects(client.requestGrants([{ dataset: 'd', purpose: 'p', audience: 'a', subjects: 'alice' }]), TypeError);
      await assert.rejects(client.requestGrant({ dataset: 'd', purpose: 'p', audience: 'a', lifetimeSeconds: -1 }), TypeError);
      assert.throws(() => client.watchRevocations(-1), TypeError);
    } finally {
      client.close();
    }
  });

  test('index.d.ts declares what the package exports, and only that', () => {
    const declarations = readFileSync(join(NODE_DIR, 'index.d.ts'), 'utf8');
    const declared = [...declarations.matchAll(/^export declare (?:const|function|class) (\w+)/gm)].map((m) => m[1]);
    assert.deepEqual(declared.sort(), Object.keys(accord).sort());
  });

  test('errors say their code, details and reasons', () => {
    const e = new RpcError(status.NOT_FOUND, "no dataset 'x'");
    assert.equal(e.message, "NOT_FOUND: no dataset 'x'");
    assert.equal(e.details, "no dataset 'x'");
    assert.equal(e.name, 'RpcError');
    assert.ok(e instanceof AccordError && e instanceof Error);
    const denied = new AccessDenied({ reasons: [{ code: 'prohibited', message: 'prohibition applies', ruleId: 'no-marketing' }] }, 7);
    assert.equal(denied.code, status.PERMISSION_DENIED);
    assert.match(denied.message, /^PERMISSION_DENIED: the broker denied the request \(no-marketing: prohibited: prohibition applies\)$/);
    assert.equal(denied.revision, 7);
    const refused = new VerificationError('aud', status.UNAUTHENTICATED, 'for another service');
    assert.equal(refused.details, 'aud: for another service');
    assert.equal(refused.codeName, 'UNAUTHENTICATED');
  });
});

describe('write retries', () => {
  test('request ids are fresh base64url', () => {
    const a = newRequestId();
    assert.match(a, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a, newRequestId());
  });

  test('unknown outcomes are retried with the same request, a bounded number of times', async () => {
    const sleeps = [];
    const sleep = async (ms) => { sleeps.push(ms); };
    const outcomes = [status.UNAVAILABLE, status.DEADLINE_EXCEEDED];
    const answer = await withRetries(async () => {
      if (outcomes.length > 0) throw new RpcError(outcomes.shift(), 'unknown');
      return 'answer';
    }, { sleep });
    assert.equal(answer, 'answer');
    assert.deepEqual(sleeps, [100, 200]);

    let attempts = 0;
    await assert.rejects(withRetries(async () => {
      attempts += 1;
      throw new RpcError(status.UNAVAILABLE, 'down');
    }, { sleep }), (e) => e.code === status.UNAVAILABLE);
    assert.equal(attempts, MAX_ATTEMPTS);
  });

  test('answers are not retried', async () => {
    let attempts = 0;
    await assert.rejects(withRetries(async () => {
      attempts += 1;
      throw new RpcError(status.FAILED_PRECONDITION, 'client_request_id: already used');
    }, { sleep: async () => {} }), (e) => e.code === status.FAILED_PRECONDITION);
    assert.equal(attempts, 1);
  });
});

describe('example data service records', () => {
  test('the same records as the C++ and Python examples', () => {
    // clients/python/examples/household_records.py gives these for "alice".
    assert.deepEqual(householdRecordsFor('alice').map((r) => [r.household_id, r.day, r.kwh, r.tariff, r.district]), [
      ['hh-102082', '2024-01-01', '12.4', 'base', 'Maurepas'],
      ['hh-102082', '2024-01-02', '7.2', 'base', 'Maurepas'],
      ['hh-102082', '2024-01-03', '9.6', 'base', 'Maurepas'],
    ]);
  });

  const grant = (changes = {}) => {
    const g = {
      dataset: HOUSEHOLD_DATASET, fields: ['subject', 'day', 'kwh'], subjects: ['alice', 'bob'], ...changes,
    };
    return { ...g, coversField: (f) => g.fields.includes(f), coversSubject: (s) => g.subjects === null || g.subjects.includes(s) };
  };

  test('projection: the granted fields of the subjects held', () => {
    const served = serveRecords(grant(), ['kwh'], [], ['alice', 'carol']);
    assert.deepEqual(served.fields, ['kwh']);
    assert.deepEqual(served.records, householdRecordsFor('alice').map((r) => ({ kwh: r.kwh })));
    assert.equal(serveRecords(grant(), [], [], ['alice', 'bob']).records.length, 6);
  });

  test('refusals name what the grant does not cover', () => {
    for (const [g, fields, subjects, named] of [
      [grant(), ['tariff'], [], 'tariff'],
      [grant(), [], ['carol'], 'carol'],
      [grant({ dataset: 'rennes.mobility.bike-stations' }), [], [], 'bike-stations'],
      [grant({ subjects: null }), [], [], 'no subjects'],
    ]) {
      assert.throws(() => serveRecords(g, fields, subjects, ['alice', 'bob', 'carol']),
        (e) => e instanceof AccordError && e.code === status.PERMISSION_DENIED && e.message.includes(named));
    }
  });
});
