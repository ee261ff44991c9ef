// A load test of accord-portal's JSON API: many citizens' sessions at once
// against the real portal, broker and OpenID provider (stack.mjs).
//
//   node load_test.mjs --bin-dir BUILD/bin --source-dir SRC
//       [--sessions 200] [--seconds 30] [--think-ms 250]
//
// Each session signs in through the portal's own OpenID Connect flow (the
// provider's login form posted over HTTP, alternately as alice and bob),
// then, for --seconds, calls the API the pages call (session, requests,
// consents, access history), one call at a time with --think-ms between
// calls: a closed loop, as many calls in flight as sessions. Every answer
// must be 200: any other status or a network error fails the test. Prints
// the calls made, their rate and the p50, p90, p99 and max latency.
//
// All sessions come from 127.0.0.1, so the portal's per-address limit is
// turned off here (rate_limit_per_ip_per_second: 0); each session stays
// under the per-session limit (default 10 a second). Each call opens its
// own connection: cpp-httplib serves a connection per thread while it is
// kept alive, and the portal's `threads` (default 64) is fewer than the
// sessions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HttpBrowser } from '../oidc/http_browser.mjs';
import { Stack } from './stack.mjs';

const { values: args } = parseArgs({
  options: {
    'bin-dir': { type: 'string' },
    'source-dir': { type: 'string' },
    sessions: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    'think-ms': { type: 'string', default: '250' },
  },
});
const kSessions = Number(args.sessions);
const kSeconds = Number(args.seconds);
const kThinkMs = Number(args['think-ms']);
const kCalls = ['/api/session', '/api/requests', '/api/consents', '/api/history'];

// One citizen's browser: its cookies, one connection per call.
class Browser extends HttpBrowser {
  constructor(ca) {
    super({ ca, close: true });
  }

  // The portal's sign-in, followed as a browser would: /login, the
  // provider's login form (posted once), back to /callback.
  async signIn(portalUrl, user) {
    let url = `${portalUrl}/login`;
    let method = 'GET';
    let form;
    for (let hop = 0; hop < 20; hop++) {
      const res = await this.send(method, url, { form });
      method = 'GET';
      form = undefined;
      if (res.status >= 300 && res.status < 400 && res.headers.location) {
        url = new URL(res.headers.location, url).toString();
        if (url === `${portalUrl}/`) return;
        continue;
      }
      const action = /<form id="login" method="post" action="([^"]+)"/.exec(res.text);
      assert.ok(res.status === 200 && action, `sign-in of ${user} at ${url}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
      url = new URL(action[1], url).toString();
      method = 'POST';
      form = { username: user, password: `${user}-password` };
    }
    assert.fail(`sign-in of ${user}: too many redirects`);
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const stack = new Stack({ binDir: args['bin-dir'], sourceDir: args['source-dir'] });
  try {
    await stack.start({ portal: ['rate_limit_per_ip_per_second: 0'] });
    const ca = readFileSync(stack.idpCert);
    const started = Date.now();
    const browsers = [];
    // Sign-ins ten at a time: the provider is one node process.
    for (let i = 0; i < kSessions; i += 10) {
      const batch = [];
      for (let j = i; j < Math.min(kSessions, i + 10); j++) {
        const b = new Browser(ca);
        browsers.push(b);
        batch.push(b.signIn(stack.portalUrl, j % 2 ? 'bob' : 'alice'));
      }
      await Promise.all(batch);
    }
    const signInSeconds = (Date.now() - started) / 1000;
    process.stdout.write(`${kSessions} sessions signed in in ${signInSeconds.toFixed(1)} s\n`);

    const latencies = [];
    const byPath = {};
    const errors = [];
    const end = Date.now() + kSeconds * 1000;
    await Promise.all(browsers.map(async (b, i) => {
      // Spread the sessions' first calls over one think time.
      await new Promise((r) => setTimeout(r, (i * kThinkMs) / kSessions));
      for (let n = i; Date.now() < end; n++) {
        const path = kCalls[n % kCalls.length];
        const t0 = process.hrtime.bigint();
        try {
          const res = await b.send('GET', `${stack.portalUrl}${path}`);
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          latencies.push(ms);
          (byPath[path] ??= []).push(ms);
          if (res.status !== 200) errors.push(`${path}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
        } catch (e) {
          errors.push(`${path}: ${e.message}`);
        }
        await new Promise((r) => setTimeout(r, kThinkMs));
      }
    }));
    latencies.sort((a, b) => a - b);
    const f = (x) => x.toFixed(1);
    process.stdout.write(`${latencies.length} calls in ${kSeconds} s (${f(latencies.length / kSeconds)} a second), ` +
        `${kSessions} sessions, ${kThinkMs} ms think time, ${errors.length} errors\n`);
    process.stdout.write(`latency ms: p50 ${f(percentile(latencies, 50))}, p90 ${f(percentile(latencies, 90))}, ` +
        `p99 ${f(percentile(latencies, 99))}, max ${f(latencies[latencies.length - 1])}\n`);
    for (const [path, list] of Object.entries(byPath)) {
      list.sort((a, b) => a - b);
      process.stdout.write(`  ${path}: ${list.length} calls, p50 ${f(percentile(list, 50))}, ` +
          `p99 ${f(percentile(list, 99))}, max ${f(list[list.length - 1])}\n`);
    }
    assert.deepEqual(errors.slice(0, 10), [], `${errors.length} errors`);
    assert.ok(latencies.length >= kSessions, 'every session made calls');
    assert.deepEqual(await stack.shutdown(), []);
    process.stdout.write('PASS\n');
    return 0;
  } catch (e) {
    process.stdout.write(`FAIL: ${e.stack || e}\n${stack.logs().slice(-20000)}\n`);
    return 1;
  } finally {
    stack.stop();
  }
}

process.exit(await main());
