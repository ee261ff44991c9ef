// Frozen, plain views of the broker's answers (accord.v1 messages), and
// the requests the client sends, checked before they leave.
import { status } from '@grpc/grpc-js';

import { AccessDenied, RpcError, statusFromNumber } from './errors.js';

const OUTCOMES = new Map([['OUTCOME_PERMIT', 'PERMIT'], ['OUTCOME_DENY', 'DENY']]);
const MAX_UINT32 = 0xffffffff;

/**
 * A 64-bit integer of the wire (a decimal string, see proto.js) as a
 * number; RpcError INTERNAL rather than a rounded revision or time.
 */
export function toSafeInteger(value, what) {
  const n = Number(value ?? 0);
  if (!Number.isSafeInteger(n)) {
    throw new RpcError(status.INTERNAL, `${what}: ${value} does not fit a JavaScript number`);
  }
  return n;
}

/**
 * `values` as an array of strings; TypeError for one string, which would
 * otherwise be taken letter by letter.
 */
export function names(what, values) {
  if (values === undefined || values === null) return [];
  if (typeof values === 'string') {
    throw new TypeError(`${what}: an array of strings, not one string`);
  }
  const list = [...values];
  for (const v of list) {
    if (typeof v !== 'string') throw new TypeError(`${what}: an array of strings`);
  }
  return list;
}

function counter(what, value, max) {
  if (value === undefined || value === null) return 0;
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new TypeError(`${what}: a whole number from 0 to ${max}`);
  }
  return value;
}

/** A RequestGrantRequest from a GrantRequest object. */
export function requestToProto(request) {
  if (request === null || typeof request !== 'object') {
    throw new TypeError('a grant request: an object');
  }
  const { dataset, purpose, audience } = request;
  for (const [what, value] of [['dataset', dataset], ['purpose', purpose], ['audience', audience]]) {
    if (typeof value !== 'string') throw new TypeError(`${what}: a string`);
  }
  const location = request.location ?? '';
  if (typeof location !== 'string') throw new TypeError('location: a string');
  return {
    dataset_id: dataset,
    purpose,
    audience,
    subjects: names('subjects', request.subjects),
    fields: names('fields', request.fields),
    lifetime_seconds: counter('lifetimeSeconds', request.lifetimeSeconds, MAX_UINT32),
    at_least_as_fresh: String(counter('atLeastAsFresh', request.atLeastAsFresh,
      Number.MAX_SAFE_INTEGER)),
    location,
  };
}

export function decisionFromProto(d) {
  const outcome = OUTCOMES.get(d?.outcome) ?? 'UNSPECIFIED';
  return Object.freeze({
    outcome,
    permitted: outcome === 'PERMIT',
    reasons: Object.freeze((d?.reasons ?? []).map((r) => Object.freeze({
      code: r.code, message: r.message, ruleId: r.rule_id,
    }))),
    policyVersion: toSafeInteger(d?.policy?.version, 'decision.policy.version'),
    policyHash: d?.policy?.hash ?? '',
    fields: Object.freeze([...(d?.fields ?? [])]),
    subjects: Object.freeze([...(d?.subjects ?? [])]),
    lifetimeSeconds: d?.lifetime_seconds ?? 0,
    duties: Object.freeze((d?.duties ?? []).map((x) => Object.freeze({ kind: x.kind, value: x.value }))),
    consentIds: Object.freeze([...(d?.consent_ids ?? [])]),
  });
}

/**
 * An ExplainAccessResponse as an Explanation: the decision and how many of
 * the subjects named it would grant. A partner is never told which:
 * `decision.subjects` and `decision.consentIds` are empty for it.
 */
export function explanationFromProto(r) {
  const decision = decisionFromProto(r?.decision);
  return Object.freeze({
    decision,
    permitted: decision.permitted,
    subjectsAsked: r?.subjects_asked ?? 0,
    subjectsPermitted: r?.subjects_permitted ?? 0,
    subjectsWithoutConsent: r?.subjects_without_consent ?? 0,
    revision: toSafeInteger(r?.revision, 'revision'),
  });
}

function grantFromProto(g) {
  return Object.freeze({
    id: g.id,
    token: g.token,
    expiresAt: toSafeInteger(g.expires_at, 'grant.expires_at'),
    subjects: Object.freeze([...g.subjects]),
    logIndex: toSafeInteger(g.log_index, 'grant.log_index'),
  });
}

/** A RequestGrantResponse as a GrantResponse. */
export function responseFromProto(r) {
  const grants = Object.freeze(r.grants.map(grantFromProto));
  return Object.freeze({
    decision: decisionFromProto(r.decision),
    grants,
    revision: toSafeInteger(r.revision, 'revision'),
    /** The only grant; throws when the subjects were split over several. */
    get grant() {
      if (grants.length !== 1) {
        throw new RangeError(`the answer holds ${grants.length} grants, not one`);
      }
      return grants[0];
    },
  });
}

/** A BatchResult: a response, an error, or both (a DENY). */
export function batchResult(response, error) {
  return Object.freeze({
    response,
    error,
    ok: error === undefined,
    /** The response of a PERMIT; throws the request's error otherwise. */
    unwrap() {
      if (error !== undefined) throw error;
      return response;
    },
  });
}

/** One RequestGrantsResult of a batch as a BatchResult. */
export function batchItemFromProto(item) {
  if (item.status_code !== 0) {
    return batchResult(undefined, new RpcError(statusFromNumber(item.status_code),
      item.status_message));
  }
  const response = responseFromProto(item.response ?? { grants: [] });
  const error = response.decision.permitted
    ? undefined : new AccessDenied(response.decision, response.revision);
  return batchResult(response, error);
}

export function revocationFromProto(r) {
  return Object.freeze({
    grantIds: Object.freeze([...(r?.grant_ids ?? [])]),
    cause: r?.cause ?? '',
    revision: toSafeInteger(r?.revision, 'revocation.revision'),
  });
}
