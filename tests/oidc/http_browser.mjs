// An HTTP(S) client that keeps cookies as one browser would (by name: the
// provider's and the portal's do not collide), for tests that go through a
// sign-in without a browser (login.mjs, tests/browser/load_test.mjs).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export class HttpBrowser {
  // `ca`: the PEM the HTTPS servers' certificates chain to. `close`: one
  // connection per request (Connection: close, no agent).
  constructor({ ca, close = false } = {}) {
    this.ca = ca;
    this.close = close;
    this.cookies = new Map();
  }

  // Resolves to {status, headers, text}; `form` is sent url-encoded.
  send(method, url, { form, headers = {} } = {}) {
    const target = new URL(url);
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const all = { ...headers };
    if (this.close) all.connection = 'close';
    if (this.cookies.size) all.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) {
      all['content-type'] = 'application/x-www-form-urlencoded';
      all['content-length'] = Buffer.byteLength(body);
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const options = { method, headers: all, ca: this.ca, timeout: 30000 };
    if (this.close) options.agent = false;
    return new Promise((resolve, reject) => {
      const req = send(target, options, (res) => {
        for (const line of res.headers['set-cookie'] ?? []) this.keep(line);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => { text += chunk; });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  // One Set-Cookie line: kept, or dropped when it expires the cookie.
  keep(line) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (/max-age=0\b/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line) || value === '') {
      this.cookies.delete(name);
    } else {
      this.cookies.set(name, value);
    }
  }
}
