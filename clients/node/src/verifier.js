// Offline verification of Accord grants, for data services.
//
//   const keys = await JwksSource.fromUrl('https://broker:7480/.well-known/jwks.json',
//                                         { caFile: 'ca.pem' });
//   const verifier = new GrantVerifier(keys, 'data.rennes.example');
//   const grant = await verifier.verify(token, socket.getPeerCertificate());
//
// The checks, in order, each refusing with a VerificationError naming it:
// format (size, three base64url parts, JSON header), signature (alg ES256
// or EdDSA only, typ grant+jwt, no crit, the key's alg fits, the
// signature), key (kid unknown even after loading the JWKS again), lifetime
// (exp, nbf, iat with a tolerated skew), iss (when configured), aud (this
// service), claims (the grant's claims and their types), cnf (x5t#S256 is
// the presenting client certificate's thumbprint), revoked / revocations
// (when a RevokedGrants set is given). See docs/architecture.md, "Access
// grant".
import { X509Certificate, timingSafeEqual } from 'node:crypto';

import { status } from '@grpc/grpc-js';
import { compactVerify, errors as joseErrors } from 'jose';

import { AccordError, ConfigurationError, VerificationError } from './errors.js';
import { certificateThumbprint, grantFromClaims, integerClaim } from './grant_claims.js';

export const GRANT_TYPE = 'grant+jwt';
export const GRANT_ALGORITHMS = Object.freeze(['ES256', 'EdDSA']);

const UNAUTH = status.UNAUTHENTICATED;
const INVALID = status.INVALID_ARGUMENT;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodeJson(part, what) {
  if (!BASE64URL.test(part)) throw new VerificationError('format', INVALID, `the ${what} is not base64url JSON`);
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new VerificationError('format', INVALID, `the ${what} is not base64url JSON`);
  }
}

// tls getPeerCertificate() answers {} when the client sent no certificate.
function presented(certificate) {
  if (certificate === undefined || certificate === null || certificate === '') return false;
  if (certificate instanceof Uint8Array) return certificate.length > 0;
  if (typeof certificate === 'object' && !(certificate instanceof X509Certificate)) {
    return certificate.raw !== undefined;
  }
  return true;
}

function sameText(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class GrantVerifier {
  #keys;
  #audience;
  #issuer;
  #leeway;
  #algorithms;
  #revoked;
  #maxTokenBytes;
  #now;

  /**
   * Verifies grants for one data service, `audience`. `issuer`: the
   * expected "iss" (not checked when empty). `leewaySeconds`: tolerated
   * clock difference for exp, nbf and iat. `revoked`: a RevokedGrants; a
   * grant it holds is refused ("revoked", PERMISSION_DENIED), and every
   * grant while it cannot vouch for being current ("revocations",
   * UNAVAILABLE). `now`: the wall clock in milliseconds (Date.now).
   * Throws ConfigurationError for a setting that cannot verify anything.
   */
  constructor(keys, audience, { issuer = '', leewaySeconds = 60, algorithms = GRANT_ALGORITHMS,
    revoked = null, maxTokenBytes = 16 * 1024, now = Date.now } = {}) {
    if (!keys || typeof keys.key !== 'function') throw new TypeError('keys: a JwksSource');
    if (typeof audience !== 'string' || audience === '') {
      throw new ConfigurationError('audience', "required: the data service's own name",
        status.FAILED_PRECONDITION);
    }
    if (!Array.isArray(algorithms) || algorithms.length === 0) {
      throw new ConfigurationError('algorithms', 'no algorithm allowed', status.FAILED_PRECONDITION);
    }
    for (const a of algorithms) {
      if (!GRANT_ALGORITHMS.includes(a)) {
        throw new ConfigurationError('algorithms', `${a}: only ES256 and EdDSA`, status.FAILED_PRECONDITION);
      }
    }
    if (!Number.isSafeInteger(leewaySeconds) || leewaySeconds < 0) {
      throw new ConfigurationError('leewaySeconds', 'a whole number, not negative');
    }
    this.#keys = keys;
    this.#audience = audience;
    this.#issuer = issuer;
    this.#leeway = leewaySeconds;
    this.#algorithms = Object.freeze([...algorithms]);
    this.#revoked = revoked;
    this.#maxTokenBytes = maxTokenBytes;
    this.#now = now;
  }

  get audience() {
    return this.#audience;
  }

  /**
   * Verifies `token` for the client certificate that presented it (PEM,
   * DER, an X509Certificate or tls getPeerCertificate()). Resolves to the
   * VerifiedGrant; rejects with VerificationError.
   */
  async verify(token, clientCertificate) {
    if (!presented(clientCertificate)) {
      throw new VerificationError('cnf', UNAUTH, 'no client certificate presented');
    }
    let thumbprint;
    try {
      thumbprint = certificateThumbprint(clientCertificate);
    } catch (e) {
      throw new VerificationError('cnf', INVALID, `the presenting certificate does not parse (${e.message})`);
    }
    return this.#verify(token, thumbprint);
  }

  /**
   * verify() for a certificate known by its RFC 8705 thumbprint only, as a
   * TLS-terminating proxy forwards it.
   */
  async verifyForThumbprint(token, x5tS256) {
    if (typeof x5tS256 !== 'string' || x5tS256 === '') {
      throw new VerificationError('cnf', UNAUTH, 'no client certificate thumbprint');
    }
    return this.#verify(token, x5tS256);
  }

  /**
   * Every check but the certificate binding: for tools that inspect a
   * grant. A data service must use verify().
   */
  async verifyUnbound(token) {
    return this.#verify(token, null);
  }

  async #verify(token, x5tS256) {
    const header = this.#checkHeader(token);
    const key = await this.#keyFor(header.kid);
    if (key.algorithm !== header.alg) {
      throw new VerificationError('signature', UNAUTH,
        `key ${header.kid} is for ${key.algorithm}, the token says ${header.alg}`);
    }
    let payload;
    try {
      ({ payload } = await compactVerify(token, key.key, { algorithms: [header.alg] }));
    } catch (e) {
      if (e instanceof joseErrors.JWSSignatureVerificationFailed) {
        throw new VerificationError('signature', UNAUTH, 'the signature does not verify');
      }
      if (e instanceof joseErrors.JWSInvalid) throw new VerificationError('format', INVALID, e.message);
      throw new VerificationError('signature', UNAUTH, e.message);
    }
    let claims;
    try {
      claims = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      throw new VerificationError('format', INVALID, 'the payload is not JSON');
    }
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
      throw new VerificationError('format', INVALID, 'the payload is not an object');
    }
    this.#checkLifetime(claims);
    if (this.#issuer && claims.iss !== this.#issuer) {
      throw new VerificationError('iss', UNAUTH, `issuer ${JSON.stringify(claims.iss)} is not ${JSON.stringify(this.#issuer)}`);
    }
    if (typeof claims.aud !== 'string') throw new VerificationError('aud', UNAUTH, '"aud" is not one string');
    if (claims.aud !== this.#audience) {
      throw new VerificationError('aud', UNAUTH,
        `the grant is for ${JSON.stringify(claims.aud)}, not ${JSON.stringify(this.#audience)}`);
    }
    const grant = grantFromClaims(header, claims);
    if (x5tS256 !== null && !sameText(grant.cnfX5tS256, x5tS256)) {
      throw new VerificationError('cnf', UNAUTH, 'grant is bound to another client certificate');
    }
    // Last, so only a grant that is otherwise valid learns it was revoked.
    if (this.#revoked) this.#revoked.check(grant.id);
    return grant;
  }

  #checkHeader(token) {
    if (typeof token !== 'string' || token === '') throw new VerificationError('format', INVALID, 'no token');
    if (Buffer.byteLength(token) > this.#maxTokenBytes) {
      throw new VerificationError('format', INVALID, `token larger than ${this.#maxTokenBytes} bytes`);
    }
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => p !== '')) {
      throw new VerificationError('format', INVALID, 'not a JWS compact serialization');
    }
    const header = decodeJson(parts[0], 'header');
    if (header === null || typeof header !== 'object' || Array.isArray(header)) {
      throw new VerificationError('format', INVALID, 'the header is not an object');
    }
    if (!this.#algorithms.includes(header.alg)) {
      throw new VerificationError('signature', UNAUTH, `alg ${JSON.stringify(header.alg)} is not allowed`);
    }
    if (header.typ !== GRANT_TYPE) {
      throw new VerificationError('signature', UNAUTH, `typ ${JSON.stringify(header.typ)} is not ${GRANT_TYPE}`);
    }
    if ('crit' in header) throw new VerificationError('signature', UNAUTH, 'crit header parameters are not understood');
    if (typeof header.kid !== 'string' || header.kid === '') {
      throw new VerificationError('format', INVALID, 'no kid in the header');
    }
    return header;
  }

  async #keyFor(kid) {
    try {
      await this.#keys.refreshIfStale();
    } catch (e) {
      // The cached set stays in use; the source retries after its floor.
      if (!(e instanceof AccordError)) throw e;
    }
    const cached = this.#keys.key(kid);
    if (cached) return cached;
    // The broker may have rotated: load the set again (the source holds
    // back loads that come too often) and look once more.
    let reloaded;
    try {
      reloaded = await this.#keys.refreshAfterUnknownKid();
    } catch (e) {
      if (!(e instanceof AccordError)) throw e;
      throw new VerificationError('keys', e.code,
        `kid ${kid} is unknown and the JWKS could not be loaded again: ${e.details}`);
    }
    const key = this.#keys.key(kid);
    if (key) return key;
    throw new VerificationError('key', UNAUTH, reloaded
      ? `no key with kid ${kid} in the JWKS, even after loading it again`
      : `no key with kid ${kid} in the JWKS, loaded again too recently to load it once more`);
  }

  #checkLifetime(claims) {
    const now = Math.floor(this.#now() / 1000);
    const exp = integerClaim(claims, 'exp', true);
    const nbf = integerClaim(claims, 'nbf', false);
    const iat = integerClaim(claims, 'iat', false);
    if (now - this.#leeway >= exp) throw new VerificationError('lifetime', UNAUTH, `expired at ${exp} (now ${now})`);
    if (nbf !== null && now + this.#leeway < nbf) {
      throw new VerificationError('lifetime', UNAUTH, `not valid before ${nbf} (now ${now})`);
    }
    if (iat !== null && now + this.#leeway < iat) {
      throw new VerificationError('lifetime', UNAUTH, `issued in the future (${iat}, now ${now})`);
    }
  }
}
