// A partner's calls to the broker: AccessService, PolicyService.ExplainAccess
// and TrustService, over mutual TLS.
import { status } from '@grpc/grpc-js';

import { mtlsChannel } from './channel.js';
import { AccessDenied, RpcError } from './errors.js';
import {
  batchItemFromProto, decisionFromProto, explanationFromProto, requestToProto, responseFromProto, toSafeInteger,
} from './models.js';
import { accordV1 } from './proto.js';
import { newRequestId, withRetries } from './retry.js';
import { RevocationStream, rpcError } from './revocation_stream.js';

/**
 * The calls of a partner (or of a data service following revocations).
 * Every call rejects with RpcError (the broker's code and message) on a
 * non-OK status; requestGrant rejects with AccessDenied, carrying the
 * broker's reasons, on a DENY.
 *
 *   const client = AccordClient.connect('broker:7443', {
 *     caFile: 'ca.pem', certFile: 'partner.pem', keyFile: 'partner.key' });
 *   const { grant } = await client.requestGrant({
 *     dataset: 'rennes.energy.household-consumption',
 *     purpose: 'research-and-development', audience: 'data.rennes.example',
 *     subjects: [pseudonym] });
 */
export class AccordClient {
  #channel;
  #timeoutMs;
  #access;
  #policy;
  #trust;

  /**
   * `channel`: a grpc-js Channel (mtlsChannel). `timeoutMs`: the deadline
   * of each unary call. `protoRoot`: see proto.js.
   */
  constructor(channel, { timeoutMs = 10000, protoRoot } = {}) {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError('timeoutMs must be positive');
    }
    const v1 = accordV1(protoRoot);
    const options = { channelOverride: channel };
    this.#channel = channel;
    this.#timeoutMs = timeoutMs;
    this.#access = new v1.AccessService(channel.getTarget(), null, options);
    this.#policy = new v1.PolicyService(channel.getTarget(), null, options);
    this.#trust = new v1.TrustService(channel.getTarget(), null, options);
  }

  /**
   * A client over mtlsChannel(target, ...): throws ConfigurationError for a
   * missing, unreadable or mismatched file, before any connection.
   */
  static connect(target, { caFile, certFile, keyFile, serverName, options, timeoutMs, protoRoot } = {}) {
    return new AccordClient(mtlsChannel(target, { caFile, certFile, keyFile, serverName, options }),
      { timeoutMs, protoRoot });
  }

  close() {
    this.#channel.close();
  }

  #unary(stub, method, request) {
    return new Promise((resolve, reject) => {
      stub[method](request, { deadline: Date.now() + this.#timeoutMs }, (error, reply) => {
        if (error) reject(rpcError(error));
        else resolve(reply);
      });
    });
  }

  // A write: its request carries a fresh client request id, and it is
  // retried with it on UNAVAILABLE and DEADLINE_EXCEEDED (retry.js).
  #write(stub, method, request) {
    return withRetries(() => this.#unary(stub, method, request));
  }

  /**
   * Asks for a grant. Resolves to the PERMIT (maybe narrowed: fewer
   * subjects, fields or seconds than asked, with reasons saying so).
   * Rejects with AccessDenied on DENY, RpcError on an error status
   * (INVALID_ARGUMENT, NOT_FOUND for the dataset, PERMISSION_DENIED when
   * the caller is not a partner, UNAUTHENTICATED, UNAVAILABLE).
   */
  async requestGrant(request) {
    const reply = await this.#write(this.#access, 'RequestGrant',
      { ...requestToProto(request), client_request_id: newRequestId() });
    const response = responseFromProto(reply);
    if (!response.decision.permitted) throw new AccessDenied(response.decision, response.revision);
    return response;
  }

  /**
   * Up to 100 requests in one call, each answered on its own, in order (a
   * BatchResult each). Rejects with RpcError when the batch as a whole is
   * refused.
   */
  async requestGrants(requests) {
    const list = [...requests].map((r) => ({ ...requestToProto(r), client_request_id: newRequestId() }));
    const reply = await this.#write(this.#access, 'RequestGrants', { requests: list });
    if (reply.results.length !== list.length) {
      throw new RpcError(status.INTERNAL,
        `the broker answered ${reply.results.length} results to ${list.length} requests`);
    }
    return reply.results.map(batchItemFromProto);
  }

  /**
   * Ends one of the caller's grants early; resolves to the revision of the
   * release. RpcError NOT_FOUND for a grant that is not the caller's.
   */
  async releaseGrant(grantId) {
    if (typeof grantId !== 'string') throw new TypeError('grantId: a string');
    const reply = await this.#write(this.#access, 'ReleaseGrant',
      { grant_id: grantId, client_request_id: newRequestId() });
    return toSafeInteger(reply.revision, 'revision');
  }

  /**
   * The decision the broker would make, rule by rule, without issuing a
   * grant, as an Explanation: the decision and the counts of the subjects
   * asked, permitted and without consent (never which ones). A partner may
   * ask about itself only (PERMISSION_DENIED otherwise). A question naming
   * subjects is recorded in the broker's audit log (without them). A DENY
   * resolves: it is the answer.
   */
  async explainAccess({ partner, dataset, purpose, fields, subjects, lifetimeSeconds, location } = {}) {
    if (typeof partner !== 'string') throw new TypeError('partner: a string');
    // The same checks as a grant request's; ExplainAccess has no audience.
    const checked = requestToProto({ dataset, purpose, audience: '', fields, subjects, lifetimeSeconds, location });
    const reply = await this.#unary(this.#policy, 'ExplainAccess', {
      partner,
      dataset_id: checked.dataset_id,
      purpose: checked.purpose,
      fields: checked.fields,
      subjects: checked.subjects,
      lifetime_seconds: checked.lifetime_seconds,
      location: checked.location,
    });
    return explanationFromProto(reply);
  }

  /** The grant JWKS (the text of /.well-known/jwks.json). */
  async getVerificationKeys() {
    const reply = await this.#unary(this.#trust, 'GetVerificationKeys', {});
    return reply.jwks;
  }

  /**
   * Follows the revocations the caller may see (a partner its own grants,
   * a producer those on its datasets) after `afterRevision`; 0 replays
   * every stored one first. No deadline: the stream lasts until cancelled
   * or broken.
   */
  watchRevocations(afterRevision = 0) {
    if (!Number.isSafeInteger(afterRevision) || afterRevision < 0) {
      throw new TypeError('afterRevision: a whole number');
    }
    const call = this.#trust.WatchRevocations({ after_revision: String(afterRevision) });
    return new RevocationStream(call);
  }
}
