// GET of a JWK set over https (the pinned CA only) or plain http towards
// loopback; no redirect followed, the body bounded.
import http from 'node:http';
import https from 'node:https';

import { status } from '@grpc/grpc-js';

import { VerificationError } from './errors.js';
import { cacheMaxAge } from './jwks_url.js';

export const MAX_JWKS_BYTES = 1 << 20;

// What OpenSSL and Node call a server certificate that does not verify.
const CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE', 'INVALID_CA', 'INVALID_PURPOSE', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * GETs the JWKS at `url` (a URL from parseJwksUrl); `ca`, the pinned CA
 * PEM, for https. Resolves to {text, maxAgeSeconds} (maxAgeSeconds null
 * without a Cache-Control max-age). Rejects with VerificationError "keys":
 * UNAUTHENTICATED when the server's certificate does not verify against
 * the pinned CA, UNAVAILABLE when the server cannot be reached or stays
 * silent `timeoutMs`, FAILED_PRECONDITION for an HTTP status other than
 * 200, INVALID_ARGUMENT for a body over 1 MiB.
 */
export function fetchJwks(url, { ca, timeoutMs = 5000 } = {}) {
  const where = url.href;
  const fail = (code, why) => new VerificationError('keys', code, `${where}: ${why}`);
  const options = {
    method: 'GET',
    headers: { Accept: 'application/json', Connection: 'close' },
    agent: false,
    timeout: timeoutMs,
  };
  if (url.protocol === 'https:') {
    // `ca` replaces Node's default roots: only the pinned CA is trusted.
    Object.assign(options, { ca, rejectUnauthorized: true, minVersion: 'TLSv1.2' });
  }
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, options, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(fail(status.FAILED_PRECONDITION, `HTTP status ${response.statusCode}`));
        return;
      }
      const chunks = [];
      let size = 0;
      response.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_JWKS_BYTES) {
          request.destroy();
          reject(fail(status.INVALID_ARGUMENT, 'body larger than 1 MiB'));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({
        text: Buffer.concat(chunks).toString('utf8'),
        maxAgeSeconds: cacheMaxAge(response.headers['cache-control']),
      }));
      response.on('error', (e) => reject(fail(status.UNAVAILABLE, e.message)));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (e) => {
      if (CERTIFICATE_ERRORS.has(e.code)) {
        reject(fail(status.UNAUTHENTICATED,
          `the server's certificate does not verify against the pinned CA (${e.code}: ${e.message})`));
      } else {
        reject(fail(status.UNAVAILABLE, e.message));
      }
    });
    request.end();
  });
}
