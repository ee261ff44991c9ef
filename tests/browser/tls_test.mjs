// accord-portal outside dev mode: HTTPS only, the session and sign-in
// cookies `Secure` and `__Host-` prefixed, HSTS; a configuration without
// TLS material refused; a second portal on the same address refused. The real broker and OpenID provider of
// stack.mjs; node's https client trusting the test certificate.
//
//   node tls_test.mjs --bin-dir BUILD/bin --source-dir SRC
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, run, Stack, waitFor } from './stack.mjs';

const { values: args } = parseArgs({
  options: { 'bin-dir': { type: 'string' }, 'source-dir': { type: 'string' } },
});

function get(url, ca) {
  return new Promise((resolve, reject) => {
    request(url, { ca, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    }).on('error', reject).end();
  });
}

const stack = new Stack({ binDir: args['bin-dir'], sourceDir: args['source-dir'] });
let portal;
let code = 1;
try {
  await stack.start();
  const port = await freePort();
  const pki = join(stack.dataDir, 'dev-pki');
  const common = ['--listen', `127.0.0.1:${port}`, '--broker', stack.grpc,
    '--broker-ca', join(pki, 'ca.pem'), '--app-cert', join(pki, 'citizen-app.pem'),
    '--app-key', join(pki, 'citizen-app.key'), '--oidc-issuer', stack.issuer,
    '--oidc-ca', stack.idpCert, '--client-id', 'accord-portal',
    '--checkpoint-key', stack.checkpointKey,
    '--web-root', join(args['source-dir'], 'clients/portal/web')];
  const binary = join(args['bin-dir'], 'accord-portal');

  const version = run(binary, ['--version']);
  assert.equal(version.code, 0, version.err);
  assert.match(version.out, /^accord-portal \d+\.\d+\.\d+ \(commit [\w.-]+\)\n$/);

  const refused = run(binary, common);
  assert.equal(refused.code, 2, `no TLS outside dev mode: ${refused.err}`);
  assert.match(refused.err, /tls_cert and tls_key are required/);

  // The provider's certificate names 127.0.0.1: the portal reuses it.
  portal = spawn(binary, [...common, '--tls-cert', stack.idpCert,
    '--tls-key', join(stack.dir, 'idp-key.pem')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  portal.stdout.on('data', (d) => { log += d; });
  portal.stderr.on('data', (d) => { log += d; });
  await waitFor("the portal's ready line", () => (log.includes('ready') ? true : undefined), 10000);
  assert.match(log, new RegExp(`^ready https://127.0.0.1:${port}$`, 'm'));

  const ca = readFileSync(stack.idpCert);
  const login = await get(`https://127.0.0.1:${port}/login`, ca);
  assert.equal(login.statusCode, 303);
  assert.ok(login.headers.location.includes(
      `redirect_uri=${encodeURIComponent(`https://127.0.0.1:${port}/callback`)}`), login.headers.location);
  const cookie = login.headers['set-cookie'].join('\n');
  assert.match(cookie, /^__Host-accord-portal-login=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/m);
  assert.equal(login.headers['strict-transport-security'], 'max-age=31536000');
  const page = await get(`https://127.0.0.1:${port}/`, ca);
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-security-policy'], /script-src 'self'/);

  // A second portal on the same address does not share it: it stops.
  const second = run(binary, [...common, '--tls-cert', stack.idpCert,
    '--tls-key', join(stack.dir, 'idp-key.pem')]);
  assert.equal(second.code, 1, `a second portal on the port: ${second.err}`);
  assert.match(second.err, /cannot listen on 127\.0\.0\.1:\d+: address already in use/);

  // Plain HTTP on the HTTPS port gets nothing.
  const plain = await fetch(`http://127.0.0.1:${port}/`).then(() => 'answered', () => 'refused');
  assert.equal(plain, 'refused');
  process.stdout.write('PASS\n');
  code = 0;
} catch (e) {
  process.stdout.write(`FAIL: ${e.stack || e}\n${stack.logs()}\n`);
} finally {
  if (portal) portal.kill('SIGTERM');
  stack.stop();
}
process.exit(code);
