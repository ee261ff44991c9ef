// Compiled, never run, by node_types_test (tsc --noEmit): the public API
// as a partner's TypeScript uses it, so that index.d.ts stays usable. What
// is marked as an expected error must stay one: the declarations refuse it.
import {
  AccessDenied, AccordClient, AccordError, GrantVerifier, JwksSource, RevocationWatcher, RevokedGrants, RpcError,
  VerificationError, brokerKeysLoader, certificateThumbprint, devPaths, status,
  type BatchResult, type Decision, type Explanation, type GrantResponse, type Revocation, type VerifiedGrant,
} from '@accord/client';

export async function partner(pseudonym: string): Promise<string> {
  const client = AccordClient.connect('127.0.0.1:7443', { ...devPaths('var', 'partner-demo'), timeoutMs: 5000 });
  try {
    const answer: GrantResponse = await client.requestGrant({
      dataset: 'rennes.energy.household-consumption', purpose: 'research-and-development',
      audience: 'data.rennes.example', subjects: [pseudonym], fields: ['day', 'kwh'], lifetimeSeconds: 60,
    });
    const results: BatchResult[] = await client.requestGrants([{ dataset: 'd', purpose: 'p', audience: 'a' }]);
    const first: GrantResponse = results[0].unwrap();
    const revision: number = await client.releaseGrant(first.grant.id);
    const explained: Explanation = await client.explainAccess({ partner: 'partner-demo', dataset: 'd', purpose: 'p' });
    const decision: Decision = explained.decision;
    const counts: number = explained.subjectsAsked + explained.subjectsPermitted + explained.subjectsWithoutConsent;
    const reasons: string[] = decision.reasons.map((r) => `${r.ruleId}: ${r.code}`).concat(`${counts}`);
    for await (const revocation of client.watchRevocations(revision)) {
      const seen: Revocation = revocation;
      if (seen.grantIds.includes(answer.grant.id)) break;
    }
    // @ts-expect-error: subjects is a list of pseudonyms
    await client.requestGrant({ dataset: 'd', purpose: 'p', audience: 'a', subjects: 'alice' });
    return reasons.join('\n');
  } catch (e) {
    if (e instanceof AccessDenied) return `${e.decision.outcome} ${e.reasons.length}`;
    if (e instanceof RpcError && e.code === status.NOT_FOUND) return e.details;
    throw e;
  } finally {
    client.close();
  }
}

export async function dataService(token: string, peer: Buffer): Promise<VerifiedGrant | string> {
  const client = AccordClient.connect('127.0.0.1:7443', devPaths('var', 'producer-demo'));
  const keys = await JwksSource.fromUrl('https://127.0.0.1:7480/.well-known/jwks.json', { caFile: 'var/dev-pki/ca.pem' });
  const overGrpc = await JwksSource.fromLoader(brokerKeysLoader(client), { minRefreshIntervalMs: 1000 });
  const watcher = new RevocationWatcher(client, { revoked: new RevokedGrants({ maxStalenessMs: 30000 }) });
  const verifier = new GrantVerifier(keys, 'data.rennes.example', { revoked: watcher.revoked, leewaySeconds: 0 });
  try {
    const grant = await verifier.verify(token, peer);
    const same: boolean = grant.cnfX5tS256 === certificateThumbprint(peer);
    return same && grant.coversField('kwh') && overGrpc.kids().length > 0 ? grant : 'not covered';
  } catch (e) {
    if (e instanceof VerificationError) return `${e.check}: ${e.codeName}`;
    if (e instanceof AccordError) return e.message;
    throw e;
  } finally {
    await watcher.stop();
    client.close();
  }
}

// @ts-expect-error: a verifier needs its audience
export const missingAudience = (keys: JwksSource) => new GrantVerifier(keys);
