// The errors of @accord/client.
//
// Every error is an AccordError carrying a gRPC status code (a number of
// grpc.status, named in `codeName`) and `details`, the broker's or the
// check's own words; a denial also carries the broker's reasons. As in
// @grpc/grpc-js, `message` is "CODE_NAME: details" (with the reasons), so
// that a logged error says everything. The broker answers a DENY as an OK
// response whose decision says why; the client throws it as AccessDenied
// (PERMISSION_DENIED) so that a caller cannot mistake it for a grant.
import { status } from '@grpc/grpc-js';

const NAMES = new Map(Object.entries(status).map(([name, code]) => [code, name]));

/** The name of a gRPC status code ("NOT_FOUND"); "UNKNOWN" out of range. */
export function codeName(code) {
  return NAMES.get(code) ?? 'UNKNOWN';
}

/** A gRPC status code from a number received on the wire. */
export function statusFromNumber(value) {
  return NAMES.has(value) ? value : status.UNKNOWN;
}

/** "rule: code: message", as the other clients print a reason. */
export function reasonText(reason) {
  const where = reason.ruleId ? `${reason.ruleId}: ` : '';
  return `${where}${reason.code}: ${reason.message}`;
}

export class AccordError extends Error {
  /**
   * @param {number} code a grpc.status code
   * @param {string} details what went wrong
   * @param {ReadonlyArray<{code: string, message: string, ruleId: string}>} reasons
   */
  constructor(code, details, reasons = []) {
    const frozen = Object.freeze([...reasons]);
    let text = `${codeName(code)}: ${details}`;
    if (frozen.length > 0) text += ` (${frozen.map(reasonText).join('; ')})`;
    super(text);
    this.name = new.target.name;
    this.code = code;
    this.codeName = codeName(code);
    this.details = details;
    this.reasons = frozen;
  }
}

/** The broker (or the transport) answered with a non-OK gRPC status. */
export class RpcError extends AccordError {}

/** The broker's decision was DENY; `reasons` says why, rule by rule. */
export class AccessDenied extends AccordError {
  constructor(decision, revision) {
    super(status.PERMISSION_DENIED, 'the broker denied the request', decision.reasons);
    this.decision = decision;
    this.revision = revision;
  }
}

/**
 * A local setting is unusable: a missing or unreadable file, a bad URL.
 * `option` names the setting at fault; `details` starts with it.
 */
export class ConfigurationError extends AccordError {
  constructor(option, details, code = status.INVALID_ARGUMENT) {
    super(code, `${option}: ${details}`);
    this.option = option;
  }
}

/**
 * A grant must not be honoured. `check` names the check that refused it
 * ("format", "key", "keys", "signature", "lifetime", "iss", "aud",
 * "claims", "cnf", "revoked", "revocations", as the C++ and Python
 * verifiers name them); `details` starts with it. Codes: INVALID_ARGUMENT
 * for a malformed token or claim, UNAUTHENTICATED for a well-formed grant
 * that does not hold, PERMISSION_DENIED for a revoked grant, UNAVAILABLE
 * when the keys or the revocation stream cannot vouch for it.
 */
export class VerificationError extends AccordError {
  constructor(check, code, details) {
    super(code, `${check}: ${details}`);
    this.check = check;
  }
}
