// A gRPC channel to the broker over mutual TLS, from PEM files.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';

import { Channel, credentials } from '@grpc/grpc-js';

import { ConfigurationError } from './errors.js';
import { readPem } from './pem.js';

// How a channel comes back after the broker was away. gRPC's defaults let
// the reconnect backoff grow to two minutes and resolve the target again
// at most every 30 s, while every grant is refused once the revocation
// stream has been down past its staleness bound. Options given win.
export const RECONNECT_OPTIONS = Object.freeze({
  'grpc.dns_min_time_between_resolutions_ms': 1000,
  'grpc.max_reconnect_backoff_ms': 10000,
});

function checkKeyMatches(certFile, certPem, keyFile, keyPem) {
  let certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch (e) {
    throw new ConfigurationError('certFile', `${certFile}: not a certificate (${e.message})`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    throw new ConfigurationError('keyFile',
      `${keyFile}: not an unencrypted private key (${e.message})`);
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new ConfigurationError('keyFile', `${keyFile}: does not match the certificate ${certFile}`);
  }
}

/**
 * Channel credentials for mutual TLS: `caFile` holds the CA certificates
 * that may sign the broker's certificate (nothing else is trusted),
 * `certFile` and `keyFile` this partner's certificate (leaf first) and its
 * private key. Throws ConfigurationError naming the file at fault, or when
 * the key does not match the certificate: before any connection.
 */
export function mtlsCredentials({ caFile, certFile, keyFile } = {}) {
  const ca = readPem('caFile', caFile);
  const cert = readPem('certFile', certFile);
  const key = readPem('keyFile', keyFile);
  try {
    new X509Certificate(ca);
  } catch (e) {
    throw new ConfigurationError('caFile', `${caFile}: not a certificate (${e.message})`);
  }
  checkKeyMatches(certFile, cert, keyFile, key);
  return credentials.createSsl(ca, key, cert);
}

/**
 * A channel to `target` ("host:port") over mutual TLS (see
 * mtlsCredentials). `serverName` overrides the name checked in the
 * broker's certificate; `options` are gRPC channel arguments, over
 * RECONNECT_OPTIONS. The channel connects lazily: an unreachable broker
 * shows on the first call (UNAVAILABLE).
 */
export function mtlsChannel(target, { caFile, certFile, keyFile, serverName, options = {} } = {}) {
  if (typeof target !== 'string' || target === '') {
    throw new ConfigurationError('target', 'no broker address');
  }
  const creds = mtlsCredentials({ caFile, certFile, keyFile });
  const merged = { ...RECONNECT_OPTIONS, ...options };
  if (serverName) {
    merged['grpc.ssl_target_name_override'] = serverName;
    merged['grpc.default_authority'] = serverName;
  }
  return new Channel(target, creds, merged);
}

/**
 * The file options of a principal of a dev-mode broker (`accord-broker
 * --dev DIR` writes them under DIR/dev-pki).
 */
export function devPaths(devDir, principal) {
  const pki = join(devDir, 'dev-pki');
  return {
    caFile: join(pki, 'ca.pem'),
    certFile: join(pki, `${principal}.pem`),
    keyFile: join(pki, `${principal}.key`),
  };
}
