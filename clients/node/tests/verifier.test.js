// GrantVerifier and JwksSource on grants and keys from the real broker:
// what verifies, and every refusal a data service relies on (tampered,
// expired, another audience, another certificate, an unknown kid, keys
// over plain http); EdDSA grants after a key rotation.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { CompactSign, generateKeyPair } from 'jose';

import {
  ConfigurationError, GrantVerifier, JwksSource, RevokedGrants, VerificationError, certificateThumbprint,
  status,
} from '@accord/client';

import { AUDIENCE, Broker, OPEN, PERSONAL, RESEARCH, waitFor } from './harness.js';

let broker;
let alice;
let client;
let keys;
let verifier;
let partnerCert;
let token;

before(async () => {
  broker = await Broker.start();
  alice = await broker.consent('alice');
  client = broker.client('partner-demo');
  keys = await JwksSource.fromUrl(broker.jwksUrl, { caFile: broker.file('ca.pem') });
  verifier = new GrantVerifier(keys, AUDIENCE, { leewaySeconds: 0 });
  partnerCert = readFileSync(broker.file('partner-demo.pem'));
  ({ token } = (await client.requestGrant({
    dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [alice.subject],
  })).grant);
});

after(async () => {
  client?.close();
  await broker?.stop();
});

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const unb64url = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const headerOf = (jwt) => unb64url(jwt.split('.')[0]);

/** `part` with one base64url character replaced by another one. */
function swapChar(part, index) {
  return part.slice(0, index) + (part[index] === 'A' ? 'B' : 'A') + part.slice(index + 1);
}

/** `claims` signed with `key` under `header`, as a compact JWS. */
function sign(claims, key, header) {
  return new CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader(header).sign(key);
}

/**
 * Asserts that verifying `jwt` is refused by `check` with `code`; returns
 * the error.
 */
async function refused(jwt, check, { code = status.UNAUTHENTICATED, cert = partnerCert, using = verifier } = {}) {
  const error = await using.verify(jwt, cert).then(() => assert.fail(`verified; expected ${check}`), (e) => e);
  assert.ok(error instanceof VerificationError, String(error));
  assert.equal(error.check, check, error.message);
  assert.equal(error.code, code, error.message);
  assert.ok(error.details.startsWith(`${check}: `), error.details);
  return error;
}

describe('GrantVerifier', () => {
  test('a valid grant verifies', async () => {
    assert.equal((await verifier.verify(token, partnerCert)).partner, 'partner-demo');
    // As a peer certificate object, as tls getPeerCertificate() gives it.
    const peer = { raw: new X509Certificate(partnerCert).raw };
    assert.equal((await verifier.verify(token, peer)).partner, 'partner-demo');
  });

  test('tampered grants are refused', async () => {
    const [header, payload, signature] = token.split('.');
    await refused(`${header}.${swapChar(payload, 20)}.${signature}`, 'signature');
    await refused(`${header}.${payload}.${swapChar(signature, 10)}`, 'signature');
    // Claims edited and re-encoded: a wider field list.
    const claims = unb64url(payload);
    const wider = { ...claims, fields: [...claims.fields, 'tariff'] };
    await refused(`${header}.${b64url(wider)}.${signature}`, 'signature');
    // Signed by a key of our own under the broker's kid.
    const own = await generateKeyPair('ES256');
    await refused(await sign(wider, own.privateKey, headerOf(token)), 'signature');
    // HS256 keyed with a secret; alg none.
    const hs = await sign(claims, new TextEncoder().encode('secret'), { alg: 'HS256', kid: headerOf(token).kid, typ: 'grant+jwt' });
    assert.match((await refused(hs, 'signature')).message, /HS256/);
    await refused(`${b64url({ alg: 'none', typ: 'grant+jwt' })}.${payload}.`, 'format', { code: status.INVALID_ARGUMENT });
    await refused('not-a-token', 'format', { code: status.INVALID_ARGUMENT });
    await refused('x'.repeat(20000), 'format', { code: status.INVALID_ARGUMENT });
  });

  test('another typ is refused', async () => {
    const own = await generateKeyPair('ES256');
    const other = await sign(unb64url(token.split('.')[1]), own.privateKey,
      { alg: 'ES256', kid: headerOf(token).kid, typ: 'JWT' });
    assert.match((await refused(other, 'signature')).message, /typ/);
  });

  test('an expired grant is refused from its exp on', async () => {
    const short = (await client.requestGrant({
      dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [alice.subject], lifetimeSeconds: 1,
    })).grant;
    // The broker's grant at its last valid second, then at its exp (no skew).
    const at = (seconds) => new GrantVerifier(keys, AUDIENCE, { leewaySeconds: 0, now: () => seconds * 1000 });
    assert.equal((await at(short.expiresAt - 1).verify(short.token, partnerCert)).id, short.id);
    const error = await refused(short.token, 'lifetime', { using: at(short.expiresAt) });
    assert.match(error.message, /expired at/);
    // Within a tolerated skew it still verifies.
    const skewed = new GrantVerifier(keys, AUDIENCE, { leewaySeconds: 60, now: () => short.expiresAt * 1000 });
    assert.equal((await skewed.verify(short.token, partnerCert)).id, short.id);
  });

  test('a grant for another audience is refused', async () => {
    const other = (await client.requestGrant({
      dataset: PERSONAL, purpose: RESEARCH, audience: 'other.service.example', subjects: [alice.subject],
    })).grant.token;
    assert.match((await refused(other, 'aud')).message, /other\.service\.example/);
    // The service it is for accepts it.
    await new GrantVerifier(keys, 'other.service.example').verify(other, partnerCert);
  });

  test('a grant presented with another certificate is refused (cnf)', async () => {
    // The broker's other principals' certificates, from the same CA.
    for (const who of ['producer-demo', 'auditor-demo']) {
      await refused(token, 'cnf', { cert: readFileSync(broker.file(`${who}.pem`)) });
    }
    const thumbprint = certificateThumbprint(readFileSync(broker.file('producer-demo.pem')));
    await assert.rejects(verifier.verifyForThumbprint(token, thumbprint), (e) => e.check === 'cnf');
    assert.equal((await verifier.verifyForThumbprint(token, certificateThumbprint(partnerCert))).partner, 'partner-demo');
    await refused(token, 'cnf', { cert: Buffer.alloc(0) });
    await refused(token, 'cnf', { cert: {} }); // getPeerCertificate() without a certificate
    await refused(token, 'cnf', {
      code: status.INVALID_ARGUMENT,
      cert: Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    });
  });

  test('an unknown kid: one reload, then a clear refusal; reloads held back by the floor', async () => {
    const reloading = await JwksSource.fromUrl(broker.jwksUrl, { caFile: broker.file('ca.pem'), minRefreshIntervalMs: 0 });
    const [, payload, signature] = token.split('.');
    const otherKid = `${b64url({ ...headerOf(token), kid: 'no-such-kid' })}.${payload}.${signature}`;
    const loads = reloading.loadCount;
    const error = await refused(otherKid, 'key', { using: new GrantVerifier(reloading, AUDIENCE) });
    assert.match(error.message, /no-such-kid.*even after loading it again/);
    assert.equal(reloading.loadCount, loads + 1);
    // With the default floor of 30 s, unknown kids right after the first
    // load are refused without a fetch.
    const limited = await JwksSource.fromUrl(broker.jwksUrl, { caFile: broker.file('ca.pem') });
    for (let i = 0; i < 5; i += 1) {
      assert.match((await refused(otherKid, 'key', { using: new GrantVerifier(limited, AUDIENCE) })).message,
        /too recently/);
    }
    assert.equal(limited.loadCount, 1);
    // A known kid still verifies meanwhile.
    await new GrantVerifier(limited, AUDIENCE).verify(token, partnerCert);
  });

  test('the keys are loaded again once the Cache-Control max-age has passed', async () => {
    let now = 1000000;
    const source = await JwksSource.fromUrl(broker.jwksUrl, { caFile: broker.file('ca.pem'), now: () => now });
    assert.equal(source.loadCount, 1);
    now += 590000; // the broker sends max-age=600
    assert.equal(await source.refreshIfStale(), false);
    now += 11000;
    assert.equal(await source.refreshIfStale(), true);
    assert.equal(source.loadCount, 2);
    assert.equal(await source.refreshIfStale(), false);
    // The verifier asks for it on each grant.
    now += 601000;
    await new GrantVerifier(source, AUDIENCE).verify(token, partnerCert);
    assert.equal(source.loadCount, 3);
  });

  test('JWKS transport: plain http refused, https only with the pinned CA', async () => {
    const plain = broker.jwksUrl.replace('https://', 'http://');
    await assert.rejects(JwksSource.fromUrl(plain),
      (e) => e instanceof ConfigurationError && /plain http is refused/.test(e.message));
    await assert.rejects(JwksSource.fromUrl('http://accord.example:7480/.well-known/jwks.json', { allowLoopbackHttp: true }),
      (e) => e instanceof ConfigurationError && /loopback/.test(e.message));
    await assert.rejects(JwksSource.fromUrl(broker.jwksUrl), (e) => e instanceof ConfigurationError && e.option === 'caFile');
    await assert.rejects(JwksSource.fromUrl('ftp://127.0.0.1/jwks.json'), ConfigurationError);
    // A CA that did not sign the broker's certificate.
    await assert.rejects(JwksSource.fromUrl(broker.jwksUrl, { caFile: broker.file('partner-demo.pem') }),
      (e) => e instanceof VerificationError && e.check === 'keys' && e.code === status.UNAUTHENTICATED);
  });

  test('a verifier that cannot verify anything is refused when made', () => {
    assert.throws(() => new GrantVerifier(keys, ''), ConfigurationError);
    assert.throws(() => new GrantVerifier(keys, AUDIENCE, { algorithms: ['HS256'] }), ConfigurationError);
    assert.throws(() => new GrantVerifier(keys, AUDIENCE, { algorithms: [] }), ConfigurationError);
  });

  test('with a revocation set but no stream, every grant is refused', async () => {
    const watching = new GrantVerifier(keys, AUDIENCE, { revoked: new RevokedGrants() });
    await refused(token, 'revocations', { code: status.UNAVAILABLE, using: watching });
  });
});

describe('key rotation', () => {
  test('EdDSA grants after a rotation verify through one reload on their unknown kid', async (t) => {
    const plain = await Broker.start({ extraFlags: ['--key-prepublish-seconds', '1'], https: false });
    const rotated = plain.client('partner-demo');
    t.after(async () => {
      rotated.close();
      await plain.stop();
    });
    // Plain http towards loopback, since it is asked for.
    const source = await JwksSource.fromUrl(plain.jwksUrl, { allowLoopbackHttp: true, minRefreshIntervalMs: 0 });
    const kidsBefore = source.kids();
    await plain.cli(['admin', 'keys', 'rotate', '--alg', 'EdDSA', '--as', 'operator']);
    const eddsa = await waitFor('a grant signed with the rotated EdDSA key', async () => {
      const { grant } = await rotated.requestGrant({ dataset: OPEN, purpose: 'service-provision', audience: AUDIENCE });
      return headerOf(grant.token).alg === 'EdDSA' ? grant.token : undefined;
    });
    assert.ok(!kidsBefore.includes(headerOf(eddsa).kid));
    const cert = readFileSync(plain.file('partner-demo.pem'));
    const rotatedVerifier = new GrantVerifier(source, AUDIENCE);
    const loads = source.loadCount;
    const grant = await rotatedVerifier.verify(eddsa, cert);
    assert.equal(grant.algorithm, 'EdDSA');
    assert.equal(source.loadCount, loads + 1);
    assert.ok(source.kids().includes(headerOf(eddsa).kid));
    assert.equal((await rotatedVerifier.verify(eddsa, cert)).id, grant.id);
    assert.equal(source.loadCount, loads + 1); // now cached
  });
});
