// AccordClient against the real broker in dev mode, over mutual TLS:
// grants (one, a batch, released and seen on the revocation stream),
// ExplainAccess, the keys over gRPC, errors with the broker's status and
// reasons, and the channel refusing unusable files before any call.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  AccessDenied, AccordClient, ConfigurationError, GrantVerifier, JwksSource, RpcError, certificateThumbprint,
  status,
} from '@accord/client';

import {
  AUDIENCE, Broker, NOBODY, OPEN, PERSONAL, RESEARCH, RESTRICTED, freePort,
} from './harness.js';

let broker;
let alice;
let client;

before(async () => {
  broker = await Broker.start();
  alice = await broker.consent('alice');
  client = broker.client('partner-demo');
});

after(async () => {
  client?.close();
  await broker?.stop();
});

const partnerCert = () => readFileSync(broker.file('partner-demo.pem'));

async function verifier() {
  return new GrantVerifier(await JwksSource.fromUrl(broker.jwksUrl, { caFile: broker.file('ca.pem') }), AUDIENCE);
}

describe('AccessService and ExplainAccess', () => {
  test('grant round trip: narrowed to the consenting subject, verified', async () => {
    const answer = await client.requestGrant({
      dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [alice.subject, NOBODY],
    });
    // PERMIT, narrowed to the subject who consented, with the reason.
    assert.equal(answer.decision.outcome, 'PERMIT');
    assert.ok(answer.decision.permitted);
    assert.deepEqual(answer.decision.subjects, [alice.subject]);
    assert.ok(answer.decision.reasons.some((r) => r.code === 'subjects_without_consent'));
    // The consent relied on is the broker's to keep.
    assert.deepEqual(answer.decision.consentIds, []);
    assert.ok(answer.revision > 0);
    const { grant } = answer;
    assert.deepEqual(grant.subjects, [alice.subject]);
    assert.ok(grant.expiresAt > Date.now() / 1000);

    const verified = await (await verifier()).verify(grant.token, partnerCert());
    assert.equal(verified.id, grant.id);
    assert.equal(verified.partner, 'partner-demo');
    assert.equal(verified.dataset, PERSONAL);
    assert.equal(verified.purpose, RESEARCH);
    assert.deepEqual(verified.subjects, [alice.subject]);
    assert.deepEqual(verified.fields, answer.decision.fields);
    assert.equal(verified.expiresAt, grant.expiresAt);
    assert.equal(verified.algorithm, 'ES256');
    assert.equal(verified.policyVersion, answer.decision.policyVersion);
    assert.equal(verified.cnfX5tS256, certificateThumbprint(partnerCert()));
    assert.ok(verified.coversSubject(alice.subject));
    assert.ok(!verified.coversSubject(NOBODY));
  });

  test('a denial rejects with the broker\'s reasons', async () => {
    const denied = await client.requestGrant({ dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [NOBODY] })
      .then(() => assert.fail('granted'), (e) => e);
    assert.ok(denied instanceof AccessDenied, String(denied));
    assert.equal(denied.code, status.PERMISSION_DENIED);
    assert.equal(denied.decision.outcome, 'DENY');
    assert.ok(denied.reasons.some((r) => r.code === 'subjects_without_consent'));
    assert.match(denied.message, /subjects_without_consent/);
    await assert.rejects(client.requestGrant({ dataset: RESTRICTED, purpose: 'commercial.marketing', audience: AUDIENCE }),
      (e) => e instanceof AccessDenied &&
        e.reasons.some((r) => r.code === 'prohibited' && r.ruleId === 'no-marketing'));
  });

  test('errors carry the status code and the broker\'s message', async () => {
    await assert.rejects(client.requestGrant({ dataset: 'rennes.no-such-dataset', purpose: RESEARCH, audience: AUDIENCE }),
      (e) => e instanceof RpcError && e.code === status.NOT_FOUND && e.details.includes('rennes.no-such-dataset'));
    // A PERSONAL dataset without subjects.
    await assert.rejects(client.requestGrant({ dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE }),
      (e) => e instanceof RpcError && e.code === status.INVALID_ARGUMENT);
    // The processing location reaches the broker, which checks it.
    await assert.rejects(client.requestGrant({ dataset: OPEN, purpose: 'service-provision', audience: AUDIENCE,
      location: 'Not A Place' }),
    (e) => e instanceof RpcError && e.code === status.INVALID_ARGUMENT && e.details.includes('location'));
    await client.requestGrant({ dataset: OPEN, purpose: 'service-provision', audience: AUDIENCE, location: 'eu' });
    // A producer is not a partner.
    const producer = broker.client('producer-demo');
    try {
      await assert.rejects(producer.requestGrant({ dataset: OPEN, purpose: 'service-provision', audience: AUDIENCE }),
        (e) => e instanceof RpcError && e.code === status.PERMISSION_DENIED);
    } finally {
      producer.close();
    }
  });

  test('batch: each request answered on its own, in order', async () => {
    const results = await client.requestGrants([
      { dataset: OPEN, purpose: 'service-provision', audience: AUDIENCE },
      { dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [alice.subject], fields: ['day', 'kwh'] },
      { dataset: 'rennes.no-such-dataset', purpose: RESEARCH, audience: AUDIENCE },
      { dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [NOBODY] },
    ]);
    assert.equal(results.length, 4);
    assert.ok(results[0].ok);
    assert.equal(results[0].unwrap().decision.outcome, 'PERMIT');
    assert.deepEqual(results[1].unwrap().decision.fields, ['day', 'kwh']);
    assert.deepEqual(results[1].unwrap().grant.subjects, [alice.subject]);
    assert.ok(!results[2].ok);
    assert.equal(results[2].response, undefined);
    assert.equal(results[2].error.code, status.NOT_FOUND);
    assert.ok(results[3].error instanceof AccessDenied);
    assert.equal(results[3].response.decision.outcome, 'DENY');
    assert.throws(() => results[3].unwrap(), AccessDenied);
    // Each grant of the batch verifies on its own.
    const v = await verifier();
    assert.equal((await v.verify(results[0].unwrap().grant.token, partnerCert())).dataset, OPEN);
    assert.deepEqual((await v.verify(results[1].unwrap().grant.token, partnerCert())).fields, ['day', 'kwh']);
  });

  test('a release shows on the revocation stream, and resuming skips it', async () => {
    const { grant } = await client.requestGrant({ dataset: OPEN, purpose: 'service-provision', audience: AUDIENCE });
    const revision = await client.releaseGrant(grant.id);
    assert.ok(revision > 0);
    const stream = client.watchRevocations(0);
    let seen = null;
    for await (const revocation of stream) {
      if (revocation.grantIds.includes(grant.id)) {
        seen = revocation;
        break; // leaving the loop cancels the call
      }
    }
    assert.equal(seen?.cause, 'grant_released');
    assert.deepEqual(seen.grantIds, [grant.id]);
    // Only the last message of a delivery carries the revision to resume after.
    assert.ok(seen.revision === 0 || seen.revision >= revision);
    await assert.rejects(stream.next(), (e) => e instanceof RpcError && e.code === status.CANCELLED);

    // After the release's revision: it is not replayed; the next release
    // is the first thing the stream shows of these two.
    const second = (await client.requestGrant({ dataset: OPEN, purpose: 'service-provision', audience: AUDIENCE })).grant;
    const later = client.watchRevocations(revision);
    await client.releaseGrant(second.id);
    let found = false;
    for await (const revocation of later) {
      assert.ok(!revocation.grantIds.includes(grant.id));
      assert.ok(revocation.revision === 0 || revocation.revision > revision);
      if (revocation.grantIds.includes(second.id)) {
        found = true;
        break;
      }
    }
    assert.ok(found, 'the stream ended without the second release');
    // Releasing a grant that is not the caller's: NOT_FOUND.
    await assert.rejects(client.releaseGrant('no-such-grant'), (e) => e.code === status.NOT_FOUND);
  });

  test('explainAccess: the decision, rule by rule, about itself only, subjects as counts', async () => {
    const permit = await client.explainAccess({ partner: 'partner-demo', dataset: RESTRICTED, purpose: RESEARCH });
    assert.equal(permit.decision.outcome, 'PERMIT');
    assert.ok(permit.permitted);
    assert.ok(permit.decision.fields.length > 0);
    assert.ok(permit.decision.policyVersion > 0);
    assert.equal(permit.subjectsAsked, 0);
    assert.equal(permit.revision, 0); // named no subject: not logged
    const deny = await client.explainAccess({ partner: 'partner-demo', dataset: RESTRICTED, purpose: 'commercial.marketing' });
    assert.equal(deny.decision.outcome, 'DENY');
    assert.ok(deny.decision.reasons.some((r) => r.code === 'prohibited'));
    const personal = await client.explainAccess({
      partner: 'partner-demo', dataset: PERSONAL, purpose: RESEARCH, subjects: [alice.subject, NOBODY],
    });
    assert.ok(personal.permitted);
    assert.equal(personal.subjectsAsked, 2);
    assert.equal(personal.subjectsPermitted, 1);
    assert.equal(personal.subjectsWithoutConsent, 1);
    assert.deepEqual(personal.decision.subjects, []);
    assert.deepEqual(personal.decision.consentIds, []);
    assert.ok(personal.decision.reasons.every((r) => !r.message.includes(alice.subject)));
    assert.ok(personal.revision > 0);
    await assert.rejects(client.explainAccess({ partner: 'partner-other', dataset: RESTRICTED, purpose: RESEARCH }),
      (e) => e instanceof RpcError && e.code === status.PERMISSION_DENIED);
  });

  test('the verification keys over gRPC are those of the JWKS URL', async () => {
    const jwks = JSON.parse(await client.getVerificationKeys());
    const keys = await JwksSource.fromUrl(broker.jwksUrl, { caFile: broker.file('ca.pem') });
    assert.deepEqual(jwks.keys.map((k) => k.kid), keys.kids());
  });
});

describe('mutual TLS from PEM files', () => {
  const connect = (files) => AccordClient.connect(broker.grpcAddress, { ...broker.tlsFiles('partner-demo'), ...files });

  test('missing or unusable files are refused before any call', (t) => {
    assert.throws(() => connect({ caFile: '/nonexistent/ca.pem' }),
      (e) => e instanceof ConfigurationError && e.code === status.NOT_FOUND && e.option === 'caFile' &&
        e.message.includes('/nonexistent/ca.pem'));
    const tmp = mkdtempSync(join(tmpdir(), 'accord-node-tls-'));
    t.after(() => rmSync(tmp, { recursive: true, force: true }));
    assert.throws(() => connect({ certFile: tmp }), /is a directory/);
    const notPem = join(tmp, 'key.txt');
    writeFileSync(notPem, 'not a key\n');
    assert.throws(() => connect({ keyFile: notPem }), /keyFile: .*not a PEM file/);
    // Another principal's key: refused before any handshake.
    assert.throws(() => connect({ keyFile: broker.file('producer-demo.key') }), /does not match the certificate/);
  });

  test('an unreachable broker is UNAVAILABLE', async () => {
    const unreachable = AccordClient.connect(`127.0.0.1:${await freePort()}`, {
      ...broker.tlsFiles('partner-demo'), timeoutMs: 5000,
    });
    try {
      await assert.rejects(unreachable.requestGrant({ dataset: OPEN, purpose: 'service-provision', audience: AUDIENCE }),
        (e) => e instanceof RpcError && [status.UNAVAILABLE, status.DEADLINE_EXCEEDED].includes(e.code));
    } finally {
      unreachable.close();
    }
  });

  test('a broker certificate from another CA is refused', async () => {
    // The partner's own certificate as the only trusted "CA": the broker's
    // certificate does not chain to it.
    const wrong = AccordClient.connect(broker.grpcAddress, {
      ...broker.tlsFiles('partner-demo'), caFile: broker.file('partner-demo.pem'), timeoutMs: 5000,
    });
    try {
      await assert.rejects(wrong.requestGrant({ dataset: OPEN, purpose: 'service-provision', audience: AUDIENCE }),
        (e) => e instanceof RpcError && [status.UNAVAILABLE, status.DEADLINE_EXCEEDED].includes(e.code));
    } finally {
      wrong.close();
    }
  });
});
