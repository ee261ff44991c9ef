// RevocationWatcher against the real broker: a consent withdrawn by the
// citizen reaches the watcher and the verifier then refuses the grant that
// rested on it; while the broker is away every grant is refused (fail
// closed), and once it is back the watcher resumes and a withdrawal made
// after the outage still arrives.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  AccessDenied, GrantVerifier, JwksSource, RevocationWatcher, RevokedGrants, VerificationError, status,
} from '@accord/client';

import { AUDIENCE, Broker, PERSONAL, RESEARCH, waitFor } from './harness.js';

/** "ok", or the check that refused `token`. */
async function outcome(verifier, token, cert) {
  try {
    await verifier.verify(token, cert);
    return 'ok';
  } catch (e) {
    if (!(e instanceof VerificationError)) throw e;
    return e.check;
  }
}

const until = (attempt, expected) => waitFor(`the outcome '${expected}'`, async () => ((await attempt()) === expected ? true : undefined));

describe('RevocationWatcher', () => {
  test('a withdrawal seen by the watcher: the grant is refused, the broker denies', async (t) => {
    const broker = await Broker.start();
    const client = broker.client('partner-demo');
    t.after(async () => {
      client.close();
      await broker.stop();
    });
    const bob = await broker.consent('bob');
    const { grant } = await client.requestGrant({ dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [bob.subject] });
    const causes = new Map();
    const watcher = new RevocationWatcher(client, {
      onRevocation: (r) => r.grantIds.forEach((id) => causes.set(id, r.cause)),
    });
    t.after(() => watcher.stop());
    const keys = await JwksSource.fromUrl(broker.jwksUrl, { caFile: broker.file('ca.pem') });
    const verifier = new GrantVerifier(keys, AUDIENCE, { revoked: watcher.revoked });
    const cert = readFileSync(broker.file('partner-demo.pem'));

    // Refused until the stream is up (fail closed), then honoured.
    await waitFor('the revocation stream up (the grant accepted)', async () => {
      const seen = await outcome(verifier, grant.token, cert);
      if (seen === 'ok') return true;
      assert.equal(seen, 'revocations');
      return undefined;
    });
    await broker.withdraw('bob', bob.id);
    await until(() => outcome(verifier, grant.token, cert), 'revoked');
    await assert.rejects(verifier.verify(grant.token, cert), (e) => e.code === status.PERMISSION_DENIED);
    assert.equal(causes.get(grant.id), 'consent_withdrawn');
    assert.ok(watcher.revoked.has(grant.id));
    assert.ok(watcher.lastRevision > 0);
    // The broker now denies the same request, with the reason.
    await assert.rejects(client.requestGrant({ dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [bob.subject] }),
      (e) => e instanceof AccessDenied && e.reasons.some((r) => r.code === 'subjects_without_consent'));
  });

  test('fail closed while the broker is away, then resume after the last revision', async (t) => {
    const broker = await Broker.start({ https: false });
    // The channel's default reconnect options (RECONNECT_OPTIONS).
    const client = broker.client('partner-demo');
    t.after(async () => {
      client.close();
      await broker.stop();
    });
    const dave = await broker.consent('dave');
    const { grant } = await client.requestGrant({ dataset: PERSONAL, purpose: RESEARCH, audience: AUDIENCE, subjects: [dave.subject] });
    const revoked = new RevokedGrants({ maxStalenessMs: 1000, settleMs: 500 });
    const watcher = new RevocationWatcher(client, { revoked, initialBackoffMs: 100, maxBackoffMs: 500 });
    t.after(() => watcher.stop());
    const keys = await JwksSource.fromUrl(broker.jwksUrl, { allowLoopbackHttp: true });
    const verifier = new GrantVerifier(keys, AUDIENCE, { revoked });
    const cert = readFileSync(broker.file('partner-demo.pem'));

    await until(() => outcome(verifier, grant.token, cert), 'ok');
    await broker.terminate();
    await until(() => outcome(verifier, grant.token, cert), 'revocations');
    assert.ok(watcher.lastError !== null);
    await broker.restart();
    await until(() => outcome(verifier, grant.token, cert), 'ok');
    assert.ok(watcher.streamsOpened >= 2);
    await broker.withdraw('dave', dave.id);
    await until(() => outcome(verifier, grant.token, cert), 'revoked');
  });
});
