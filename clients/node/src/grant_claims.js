// A verified grant's claims as a frozen VerifiedGrant, each claim checked
// for presence and type; and the RFC 8705 certificate thumbprint its "cnf"
// is compared with.
import { X509Certificate, createHash } from 'node:crypto';

import { status } from '@grpc/grpc-js';

import { VerificationError } from './errors.js';

const invalid = (details) => new VerificationError('claims', status.INVALID_ARGUMENT, details);

function stringList(claims, name) {
  const value = claims[name];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw invalid(`"${name}" is not an array of strings`);
  }
  return Object.freeze([...value]);
}

function string(claims, name, required = true) {
  const value = claims[name];
  if (value === undefined && !required) return '';
  if (typeof value !== 'string' || (required && value === '')) {
    throw invalid(`"${name}" is missing or not a string`);
  }
  return value;
}

/** An integer claim; null when absent and not required. */
export function integerClaim(claims, name, required) {
  const value = claims[name];
  if (value === undefined && !required) return null;
  if (!Number.isSafeInteger(value)) {
    throw new VerificationError('claims', status.INVALID_ARGUMENT,
      `"${name}" is missing or not an integer`);
  }
  return value;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A VerifiedGrant from a verified header and payload; VerificationError
 * "claims" naming a claim that is missing or of the wrong type.
 */
export function grantFromClaims(header, claims) {
  const cnf = claims.cnf;
  if (!isObject(cnf) || typeof cnf['x5t#S256'] !== 'string') {
    throw invalid('"cnf" has no string "x5t#S256"');
  }
  // A grant on a dataset that is not PERSONAL names no subjects.
  const subjects = 'subjects' in claims ? stringList(claims, 'subjects') : null;
  const policy = claims.policy ?? {};
  if (!isObject(policy)) throw invalid('"policy" is not an object');
  const duties = claims.duties ?? {};
  if (!isObject(duties)) throw invalid('"duties" is not an object');
  const issuedAt = integerClaim(claims, 'iat', false) ?? 0;
  const notBefore = integerClaim(claims, 'nbf', false);
  const fields = stringList(claims, 'fields');
  return Object.freeze({
    id: string(claims, 'jti'),
    partner: string(claims, 'sub'),
    audience: string(claims, 'aud'),
    dataset: string(claims, 'dataset'),
    purpose: string(claims, 'purpose'),
    fields,
    subjects,
    expiresAt: integerClaim(claims, 'exp', true),
    issuedAt,
    notBefore: notBefore ?? issuedAt,
    cnfX5tS256: cnf['x5t#S256'],
    kid: String(header.kid ?? ''),
    algorithm: String(header.alg ?? ''),
    issuer: string(claims, 'iss', false),
    policyVersion: Number.isSafeInteger(policy.version) ? policy.version : 0,
    policyHash: String(policy.hash ?? ''),
    revision: integerClaim(claims, 'rev', false) ?? 0,
    duties: Object.freeze({ ...duties }),
    claims: Object.freeze({ ...claims }),
    coversField: (name) => fields.includes(name),
    /** True when the grant names `subject` or has no subject list. */
    coversSubject: (subject) => subjects === null || subjects.includes(subject),
  });
}

/**
 * The DER of a certificate given as PEM (string or Buffer), DER (Buffer),
 * an X509Certificate, or what tls.TLSSocket.getPeerCertificate() returns.
 * Throws an Error when it does not parse.
 */
function certificateDer(certificate) {
  if (certificate instanceof X509Certificate) return certificate.raw;
  if (Buffer.isBuffer(certificate?.raw)) return new X509Certificate(certificate.raw).raw;
  if (typeof certificate === 'string' || Buffer.isBuffer(certificate) ||
      certificate instanceof Uint8Array) {
    return new X509Certificate(certificate).raw;
  }
  throw new TypeError('not a certificate (PEM, DER, X509Certificate or a peer certificate)');
}

/**
 * The RFC 8705 x5t#S256 of a certificate: the base64url SHA-256 of its
 * DER, without padding.
 */
export function certificateThumbprint(certificate) {
  return createHash('sha256').update(certificateDer(certificate)).digest('base64url');
}
