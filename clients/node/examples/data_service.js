#!/usr/bin/env node
// An example data service in Node (the built-in https module): serves the
// PERSONAL demo dataset's (fake) records over HTTPS with client
// certificates, only to a request carrying a valid Accord grant bound to
// the presenting certificate, and only the granted fields of the granted
// subjects. The Node twin of clients/examples (accord-data-service) and of
// clients/python/examples/data_service.py, with the same flags:
//
//   node clients/node/examples/data_service.js --listen 127.0.0.1:9443 \
//     --jwks https://127.0.0.1:7480/.well-known/jwks.json --jwks-ca var/dev-pki/ca.pem \
//     --audience data.rennes.example \
//     --tls-cert var/dev-pki/server.pem --tls-key var/dev-pki/server.key \
//     --client-ca var/dev-pki/ca.pem --subjects=PSEUDONYM1,PSEUDONYM2
//
// `--jwks broker` takes the keys from the broker's TrustService instead of
// HTTPS; `--jwks-http loopback` accepts a plain http:// JWKS URL towards
// loopback. `--revocations watch` follows the broker's revocation stream
// (as the producer of the dataset: --broker-cert/--broker-key) and refuses
// revoked grants, and every grant while the stream has been down longer
// than --revocation-staleness seconds. Runs until SIGTERM or SIGINT.
// examples/README.md describes the answers.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parseArgs } from 'node:util';

import {
  AccordClient, AccordError, GrantVerifier, JwksSource, RevocationWatcher, RevokedGrants,
  brokerKeysLoader,
} from '@accord/client';

import { readSubjectsFile } from './household_records.js';
import { recordsHandler } from './records_handler.js';

/** @type {import('node:util').ParseArgsConfig['options']} */
const OPTIONS = {
  listen: { type: 'string' },
  jwks: { type: 'string' },
  'jwks-ca': { type: 'string' },
  'jwks-http': { type: 'string' },
  audience: { type: 'string' },
  issuer: { type: 'string', default: '' },
  'skew-seconds': { type: 'string', default: '60' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'client-ca': { type: 'string' },
  // A pseudonym may start with "-": write --subjects=A,B.
  subjects: { type: 'string' },
  'subjects-file': { type: 'string' },
  broker: { type: 'string' },
  'broker-ca': { type: 'string' },
  'broker-cert': { type: 'string' },
  'broker-key': { type: 'string' },
  revocations: { type: 'string' },
  'max-grant-lifetime': { type: 'string', default: '86400' },
  'revocation-staleness': { type: 'string', default: '30' },
  help: { type: 'boolean', short: 'h' },
};

const USAGE = `usage: node data_service.js --listen HOST:PORT --jwks URL|broker
    --audience AUD --tls-cert PEM --tls-key PEM --client-ca PEM
    (--subjects=P1,P2 | --subjects-file FILE) [--jwks-ca PEM]
    [--jwks-http loopback] [--issuer ISS] [--skew-seconds N]
    [--broker HOST:PORT --broker-ca PEM --broker-cert PEM --broker-key PEM]
    [--revocations watch] [--max-grant-lifetime S] [--revocation-staleness S]
Serves the demo dataset's records to requests carrying a valid Accord grant
bound to the client certificate: only the granted fields and subjects.
`;

// Seconds a connection may stay silent (handshake, request) before it is
// dropped, so that silent clients cannot hold the service's sockets.
const SILENCE_MS = 10000;

class UsageError extends Error {}

function required(flags, ...names) {
  const missing = names.filter((n) => !flags[n]).map((n) => `--${n}`);
  if (missing.length > 0) throw new UsageError(`${missing.join(', ')} required`);
}

function seconds(flags, name) {
  const value = flags[name];
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`--${name}: ${value} is not a number of seconds`);
  return Number(value);
}

function readFile(flag, path) {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`--${flag}: cannot read ${path} (${e.code ?? e.message})`);
  }
}

/** The service's parts from its flags; throws UsageError or AccordError. */
async function setUp(flags) {
  required(flags, 'listen', 'jwks', 'audience', 'tls-cert', 'tls-key', 'client-ca');
  const listen = /^(.+):([0-9]+)$/.exec(flags.listen);
  if (!listen) throw new UsageError(`--listen: ${flags.listen} is not HOST:PORT`);
  if (flags['jwks-http'] !== undefined && flags['jwks-http'] !== 'loopback') {
    throw new UsageError('--jwks-http: only loopback');
  }
  if (flags.revocations !== undefined && flags.revocations !== 'watch') {
    throw new UsageError('--revocations: only watch');
  }
  const subjects = (flags.subjects ?? '').split(',').filter((s) => s !== '');
  if (flags['subjects-file']) {
    try {
      subjects.push(...readSubjectsFile(flags['subjects-file']));
    } catch (e) {
      throw new UsageError(`--subjects-file: ${e.message}`);
    }
  }
  if (subjects.length === 0) throw new UsageError('--subjects or --subjects-file: no pseudonyms');
  const tls = {
    cert: readFile('tls-cert', flags['tls-cert']),
    key: readFile('tls-key', flags['tls-key']),
    ca: readFile('client-ca', flags['client-ca']),
  };

  let client = null;
  if (flags.jwks === 'broker' || flags.revocations) {
    required(flags, 'broker', 'broker-ca', 'broker-cert', 'broker-key');
    client = AccordClient.connect(flags.broker, {
      caFile: flags['broker-ca'], certFile: flags['broker-cert'], keyFile: flags['broker-key'],
    });
  }
  const keys = flags.jwks === 'broker'
    ? await JwksSource.fromLoader(brokerKeysLoader(client))
    : await JwksSource.fromUrl(flags.jwks, {
      caFile: flags['jwks-ca'], allowLoopbackHttp: flags['jwks-http'] === 'loopback',
    });
  let watcher = null;
  if (flags.revocations) {
    const revoked = new RevokedGrants({
      maxGrantLifetimeMs: seconds(flags, 'max-grant-lifetime') * 1000,
      maxStalenessMs: seconds(flags, 'revocation-staleness') * 1000,
    });
    watcher = new RevocationWatcher(client, { revoked });
  }
  const verifier = new GrantVerifier(keys, flags.audience, {
    issuer: flags.issuer, leewaySeconds: seconds(flags, 'skew-seconds'), revoked: watcher?.revoked,
  });
  return { host: listen[1], port: Number(listen[2]), tls, subjects, verifier, client, watcher };
}

function isUsageError(e) {
  return e instanceof UsageError || e instanceof AccordError || String(e?.code).startsWith('ERR_PARSE_ARGS');
}

async function main(argv) {
  let parts;
  try {
    const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    parts = await setUp(values);
  } catch (e) {
    if (!isUsageError(e)) throw e;
    process.stderr.write(`data_service.js: ${e.message}\n`);
    // A channel opened before the failure would keep the process alive.
    process.exit(2);
  }
  const server = https.createServer({
    ...parts.tls,
    // Only clients with a certificate from --client-ca get past the
    // handshake: every grant is bound to one.
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    handshakeTimeout: SILENCE_MS,
    requestTimeout: SILENCE_MS,
  }, recordsHandler(parts.verifier, parts.subjects));
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(parts.port, parts.host, () => resolve(undefined));
    });
  } catch (e) {
    process.stderr.write(`data_service.js: --listen: ${e.message}\n`);
    process.exit(2);
  }
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`accord example data service listening on ${parts.host}:${port}`);
  await new Promise((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  server.close();
  server.closeAllConnections();
  await parts.watcher?.stop();
  parts.client?.close();
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
