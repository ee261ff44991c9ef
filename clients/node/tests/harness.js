// The real accord-broker in dev mode on free loopback ports, the real
// accord CLI against it, and the example data service as a process.
//
// ACCORD_BIN_DIR names the directory of accord-broker and accord (ctest
// sets it to the build's bin/). Every wait is waitFor: it ends when its
// condition holds, when the process it waits for exits, or with an error
// naming what it waited for after its bound.
import { execFile, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import { AccordClient } from '@accord/client';

export const NODE_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const SOURCE_DIR = dirname(dirname(NODE_DIR));
export const BIN_DIR = process.env.ACCORD_BIN_DIR || join(SOURCE_DIR, 'build', 'bin');
export const EXAMPLE = join(NODE_DIR, 'examples', 'data_service.js');

export const PERSONAL = 'rennes.energy.household-consumption';
export const OPEN = 'rennes.mobility.bike-stations';
export const RESTRICTED = 'rennes.environment.air-quality';
export const RESEARCH = 'research-and-development';
export const AUDIENCE = 'data.rennes.example';
/** A pseudonym without consent. */
export const NOBODY = 'bm8tY29uc2VudC1zdWJqZWN0';

// Children still running when the test process exits are ended with it,
// so a failed test leaves no broker behind.
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** A TCP port free on 127.0.0.1 right now. */
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

/**
 * Calls `attempt` (maybe async) until it returns something other than
 * undefined, and returns that; throws an Error naming `what` after
 * `timeoutMs` (a bound so that a broken build fails instead of hanging,
 * no performance limit).
 */
export async function waitFor(what, attempt, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    }
    await sleep(50);
  }
}

/** A child process writing to `logPath`, tracked until it exits. */
function startProcess(command, args, logPath) {
  const log = openSync(logPath, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  children.add(child);
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  return child;
}

async function terminate(child) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await child.exited;
}

/** GET `url` (https with `ca`); resolves to the status, or null when refused. */
function probe(url, ca) {
  return new Promise((resolve) => {
    const transport = url.startsWith('https:') ? https : http;
    const request = transport.get(url, { ca, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', () => resolve(null));
  });
}

/** One accord-broker --dev process in its own temporary directory. */
export class Broker {
  /** Starts a broker and waits until /readyz answers 200. */
  static async start({ extraFlags = [], https: useHttps = true } = {}) {
    const broker = new Broker(extraFlags, useHttps, await freePort(), await freePort());
    try {
      await broker.restart();
    } catch (e) {
      await broker.stop();
      throw e;
    }
    return broker;
  }

  constructor(extraFlags, useHttps, grpcPort, httpPort) {
    this.tmp = mkdtempSync(join(tmpdir(), 'accord-node-test-'));
    this.dataDir = join(this.tmp, 'var');
    this.pki = join(this.dataDir, 'dev-pki');
    this.https = useHttps;
    this.grpcAddress = `127.0.0.1:${grpcPort}`;
    this.httpAddress = `127.0.0.1:${httpPort}`;
    this.logPath = join(this.tmp, 'broker.log');
    this.program = join(BIN_DIR, 'accord-broker');
    accessSync(this.program, constants.X_OK); // build accord-broker first, or set ACCORD_BIN_DIR
    this.flags = ['--dev', this.dataDir, '--grpc-addr', this.grpcAddress,
      '--http-addr', this.httpAddress, ...extraFlags];
    if (useHttps) {
      this.flags.push('--http-tls-cert', this.file('server.pem'), '--http-tls-key', this.file('server.key'));
    }
  }

  /** Starts the broker (again, on the same ports and data); waits for /readyz. */
  async restart() {
    this.process = startProcess(this.program, this.flags, this.logPath);
    const scheme = this.https ? 'https' : 'http';
    let exited = false;
    this.process.exited.then(() => { exited = true; });
    await waitFor("the broker's /readyz", async () => {
      if (exited) throw new Error(`accord-broker exited:\n${this.log()}`);
      let ca;
      if (this.https) {
        try {
          ca = readFileSync(this.file('ca.pem'));
        } catch {
          return undefined; // not written yet
        }
      }
      return (await probe(`${scheme}://${this.httpAddress}/readyz`, ca)) === 200 ? true : undefined;
    }, 60000);
  }

  /** SIGTERM, and waits for the broker to exit; its data stays. */
  async terminate() {
    if (this.process) await terminate(this.process);
  }

  /** Terminates the broker and removes its directory. */
  async stop() {
    await this.terminate();
    rmSync(this.tmp, { recursive: true, force: true });
  }

  get jwksUrl() {
    return `${this.https ? 'https' : 'http'}://${this.httpAddress}/.well-known/jwks.json`;
  }

  file(name) {
    return join(this.pki, name);
  }

  log() {
    return readFileSync(this.logPath, 'utf8');
  }

  /**
   * Runs `accord ARGS --output json -- POSITIONALS` against this broker
   * (after "--", an id starting with "-" is not read as a flag); resolves
   * to the JSON it printed, rejects with its stderr when it fails.
   */
  cli(args, positionals = []) {
    const command = [...args, '--output', 'json', '--broker', this.grpcAddress,
      '--dev', this.dataDir, '--', ...positionals];
    return new Promise((resolve, reject) => {
      execFile(join(BIN_DIR, 'accord'), command, (error, stdout, stderr) => {
        if (error) reject(new Error(`accord ${args.join(' ')}: ${error.code}: ${stderr}`));
        else resolve(stdout.trim() ? JSON.parse(stdout) : null);
      });
    });
  }

  tlsFiles(principal) {
    return {
      caFile: this.file('ca.pem'),
      certFile: this.file(`${principal}.pem`),
      keyFile: this.file(`${principal}.key`),
    };
  }

  client(principal = 'partner-demo', options = {}) {
    return AccordClient.connect(this.grpcAddress, { ...this.tlsFiles(principal), ...options });
  }

  /**
   * `citizen` consents to research use of her household's data by
   * `partner`; resolves to the consent's id and subject (pseudonym).
   */
  async consent(citizen, partner = 'partner-demo') {
    const given = await this.cli(['consent', 'give', '--dataset', PERSONAL, '--purpose', RESEARCH,
      '--partner', partner, '--citizen', citizen]);
    return { id: given.consent.id, subject: given.consent.subject };
  }

  async withdraw(citizen, consentId) {
    await this.cli(['consent', 'withdraw', '--citizen', citizen], [consentId]);
  }
}

/** clients/node/examples/data_service.js, running until stop(). */
export class DataServiceProcess {
  static async start(args, logPath) {
    const service = new DataServiceProcess(await freePort(), logPath);
    service.process = startProcess(process.execPath,
      [EXAMPLE, '--listen', `127.0.0.1:${service.port}`, ...args], logPath);
    let exited = false;
    service.process.exited.then(() => { exited = true; });
    await waitFor("the data service's 'listening on' line", () => {
      if (service.log().includes('listening on')) return true;
      if (exited) throw new Error(`the data service exited:\n${service.log()}`);
      return undefined;
    });
    return service;
  }

  constructor(port, logPath) {
    this.port = port;
    this.logPath = logPath;
  }

  log() {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  async stop() {
    await terminate(this.process);
  }
}

/**
 * Runs the example data service with `args` to its exit (a refusal at
 * start); resolves to {code, output}, with code null when it started
 * listening instead (it is then stopped).
 */
export function runDataServiceToExit(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [EXAMPLE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    let listening = false;
    const collect = (chunk) => {
      output += chunk;
      if (!listening && output.includes('listening on')) {
        listening = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code: listening ? null : code, output });
    });
  });
}

/**
 * GET https://127.0.0.1:PORT/records`query` presenting `who`'s certificate
 * and, unless null, `token` as a bearer grant; resolves to {status, body}.
 */
export function getRecords(broker, port, token, { who = 'partner-demo', query = '' } = {}) {
  const headers = token === null ? {} : { Authorization: `Bearer ${token}` };
  return new Promise((resolve, reject) => {
    const request = https.get({
      host: '127.0.0.1', port, path: `/records${query}`, headers, agent: false,
      ca: readFileSync(broker.file('ca.pem')),
      cert: readFileSync(broker.file(`${who}.pem`)),
      key: readFileSync(broker.file(`${who}.key`)),
    }, (response) => {
      const chunks = [];
      response.on('data', (c) => chunks.push(c));
      response.on('end', () => {
        try {
          resolve({ status: response.statusCode, headers: response.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (e) {
          reject(e);
        }
      });
    });
    request.on('error', reject);
  });
}
