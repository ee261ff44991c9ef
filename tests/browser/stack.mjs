// Starts the real parts the portal's browser test needs, on free loopback
// ports under a temporary directory: the broker (dev mode, with the OpenID
// provider as a citizen issuer whose audience is the portal's client id),
// the OpenID provider of tests/oidc, and accord-portal in dev mode.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const kClientId = 'accord-portal';
export const kClientSecret = 'portal-client-secret-for-tests';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Runs a program to completion; returns {code, out, err}.
export function run(program, args, options = {}) {
  try {
    const out = execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
    return { code: 0, out, err: '' };
  } catch (e) {
    return { code: e.status ?? 1, out: String(e.stdout ?? ''), err: String(e.stderr ?? e.message) };
  }
}

// A child process whose output is kept, ready once `readyLine` matches a
// line of its stdout.
class Child {
  constructor(name, program, args, readyLine) {
    this.name = name;
    this.log = '';
    this.proc = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} not ready in 60 s:\n${this.log}`)), 60000);
      this.proc.stdout.on('data', (chunk) => {
        this.log += chunk;
        if (readyLine && readyLine.test(this.log)) {
          clearTimeout(timer);
          resolve();
        }
      });
      this.proc.stderr.on('data', (chunk) => { this.log += chunk; });
      this.proc.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}):\n${this.log}`));
      });
    });
  }
  stop() {
    if (this.proc.exitCode === null) this.proc.kill('SIGTERM');
  }
}

// Calls `attempt` (maybe async) until it returns something other than
// undefined, and returns that; throws an Error naming `what` after
// `timeoutMs` (a bound so that a broken build fails instead of hanging, no
// performance limit). The one way these tests wait for a condition.
export async function waitFor(what, attempt, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForHttp(url, what) {
  await waitFor(`${what}: ${url} answering 200`, async () => {
    try {
      return (await fetch(url)).status === 200 ? true : undefined;
    } catch {
      return undefined; // not up yet
    }
  });
}

export class Stack {
  constructor({ binDir, sourceDir }) {
    this.binDir = binDir;
    this.sourceDir = sourceDir;
    this.dir = mkdtempSync(join(tmpdir(), 'accord-portal-test-'));
    this.children = [];
  }

  // `portal`: more lines for the portal's config file.
  async start({ portal: portalLines = [] } = {}) {
    const d = this.dir;
    const [grpcPort, httpPort, idpPort, portalPort] =
        await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    this.dataDir = join(d, 'var');
    this.grpc = `127.0.0.1:${grpcPort}`;
    this.issuer = `https://127.0.0.1:${idpPort}`;
    this.portalUrl = `http://127.0.0.1:${portalPort}`;

    // The provider's HTTPS certificate (self-signed, for 127.0.0.1) and the
    // SPKI hash the browser is told to accept for it, and its keys.
    this.idpCert = join(d, 'idp-cert.pem');
    const idpKey = join(d, 'idp-key.pem');
    const cert = run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt',
      'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', idpKey, '-out',
      this.idpCert, '-subj', '/CN=127.0.0.1', '-addext',
      'subjectAltName=IP:127.0.0.1', '-days', '2']);
    if (cert.code !== 0) throw new Error(`openssl: ${cert.err}`);
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'],
        { input: execFileSync('openssl', ['x509', '-in', this.idpCert, '-pubkey', '-noout']) });
    this.idpSpki = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der })
        .toString('base64');
    const oidc = join(this.sourceDir, 'tests/oidc');
    const keys = run('node', [join(oidc, 'keygen.mjs'), 'idp-1']);
    if (keys.code !== 0) throw new Error(`keygen: ${keys.err}`);
    const privateJwks = join(d, 'idp-private-jwks.json');
    writeFileSync(privateJwks, keys.out);
    const publicJwks = join(d, 'idp-jwks.json');
    writeFileSync(publicJwks, JSON.stringify({
      keys: JSON.parse(keys.out).keys.map(({ d: _, ...pub }) => pub),
    }));
    const clients = join(d, 'clients.json');
    writeFileSync(clients, JSON.stringify([{
      client_id: kClientId, client_secret: kClientSecret,
      redirect_uris: [`${this.portalUrl}/callback`],
      post_logout_redirect_uris: [`${this.portalUrl}/`],
    }]));

    // The broker accepts the provider's ID tokens for the portal's client
    // id, through the dev citizen app principal the portal connects as.
    const brokerConfig = join(d, 'broker.yaml');
    writeFileSync(brokerConfig, [
      'citizen_issuers:',
      `  - issuer: ${this.issuer}`,
      `    audience: ${kClientId}`,
      `    jwks_file: ${publicJwks}`,
      '    app_principals:',
      `      ${kClientId}: citizen-app`, ''].join('\n'));
    const broker = new Child('accord-broker', join(this.binDir, 'accord-broker'),
        ['--config', brokerConfig, '--dev', this.dataDir, '--grpc-addr', this.grpc,
          '--http-addr', `127.0.0.1:${httpPort}`], null);
    this.children.push(broker);
    await Promise.race([waitForHttp(`http://127.0.0.1:${httpPort}/readyz`, 'broker'),
      broker.ready]);

    const provider = new Child('provider', 'node', [join(oidc, 'provider.mjs'),
      '--port', String(idpPort), '--cert', this.idpCert, '--key', idpKey,
      '--clients', clients, '--keys', privateJwks], /^ready /m);
    this.children.push(provider);
    await provider.ready;

    const key = this.cli(['audit', 'key', '--as', 'auditor-demo']);
    if (key.code !== 0) throw new Error(`accord audit key: ${key.err}`);
    this.checkpointKey = key.out.trim();
    const secretFile = join(d, 'client-secret');
    writeFileSync(secretFile, `${kClientSecret}\n`, { mode: 0o600 });
    const portalConfig = join(d, 'portal.yaml');
    writeFileSync(portalConfig, [
      `listen: 127.0.0.1:${portalPort}`,
      `dev: ${this.dataDir}`,
      `broker: ${this.grpc}`,
      `oidc_issuer: ${this.issuer}`,
      `oidc_ca: ${this.idpCert}`,
      `client_id: ${kClientId}`,
      `client_secret_file: ${secretFile}`,
      `checkpoint_key: ${this.checkpointKey}`,
      `web_root: ${join(this.sourceDir, 'clients/portal/web')}`, ...portalLines, ''].join('\n'));
    const portal = new Child('accord-portal', join(this.binDir, 'accord-portal'),
        ['--config', portalConfig], /^ready /m);
    this.children.push(portal);
    await portal.ready;
  }

  // The accord CLI against this broker with the dev files.
  cli(args) {
    return run(join(this.binDir, 'accord'),
        [...args, '--broker', this.grpc, '--dev', this.dataDir]);
  }

  // The CLI as the citizen app with `token` (a citizen's ID token).
  citizenCli(args, token) {
    const pki = join(this.dataDir, 'dev-pki');
    return run(join(this.binDir, 'accord'), [...args, '--broker', this.grpc,
      '--ca', join(pki, 'ca.pem'), '--cert', join(pki, 'citizen-app.pem'),
      '--key', join(pki, 'citizen-app.key'), '--token', token]);
  }

  // An ID token of `user` from the provider, signed in over HTTP.
  login(user) {
    const r = run('node', [join(this.sourceDir, 'tests/oidc/login.mjs'),
      '--issuer', this.issuer, '--ca', this.idpCert, '--client-id', kClientId,
      '--client-secret', kClientSecret, '--redirect-uri', `${this.portalUrl}/callback`,
      '--username', user, '--password', `${user}-password`]);
    if (r.code !== 0) throw new Error(`login.mjs ${user}: ${r.err}`);
    return r.out.trim();
  }

  // Stops every process with SIGTERM and waits for them; returns what went
  // wrong: an exit other than 0, or a sanitizer's report in the output.
  async shutdown() {
    const problems = [];
    for (const c of [...this.children].reverse()) {
      c.stop();
      const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 10000));
      const exit = await Promise.race([c.exited, timeout]);
      if (exit === null) {
        problems.push(`${c.name} did not stop in 10 s`);
        c.proc.kill('SIGKILL');
      } else if (c.name !== 'provider' && exit.code !== 0) {
        problems.push(`${c.name} exited with ${exit.code ?? exit.signal}`);
      }
      if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(c.log)) {
        problems.push(`${c.name}: sanitizer report:\n${c.log}`);
      }
    }
    return problems;
  }

  logs() {
    return this.children.map((c) => `--- ${c.name}\n${c.log}`).join('\n');
  }

  stop() {
    for (const c of this.children.reverse()) c.stop();
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
