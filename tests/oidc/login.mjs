// Signs a citizen in at an OpenID provider the way a browser would — the
// authorization code flow with PKCE (S256), the provider's HTML login form
// posted with the user name and password — and prints the ID token.
//
//   node login.mjs --issuer URL --ca CA.pem --client-id ID
//       [--client-secret SECRET] --redirect-uri URI
//       --username NAME --password PASSWORD [--output id_token|json]
//
// --output json prints the whole token response. Exits 1 with the reason
// on stderr when the flow fails (a wrong password, a refused client...).
import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { HttpBrowser } from './http_browser.mjs';

const { values: args } = parseArgs({
  options: {
    issuer: { type: 'string' },
    ca: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    scope: { type: 'string', default: 'openid' },
    output: { type: 'string', default: 'id_token' },
  },
  strict: true,
});
for (const required of ['issuer', 'ca', 'client-id', 'redirect-uri', 'username', 'password']) {
  if (args[required] === undefined) {
    process.stderr.write(`login.mjs: --${required} is required\n`);
    process.exit(2);
  }
}
const ca = readFileSync(args.ca);

function fail(message) {
  process.stderr.write(`login.mjs: ${message}\n`);
  process.exit(1);
}

const browser = new HttpBrowser({ ca });
const send = (method, url, options) => browser.send(method, url, options);

function base64url(bytes) {
  return Buffer.from(bytes).toString('base64url');
}

async function main() {
  const discovery = await send('GET', `${args.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (discovery.status !== 200) fail(`discovery: HTTP ${discovery.status}`);
  const config = JSON.parse(discovery.text);

  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  const state = base64url(randomBytes(16));
  const nonce = base64url(randomBytes(16));
  const authorize = new URL(config.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: args['client-id'],
    redirect_uri: args['redirect-uri'],
    response_type: 'code',
    scope: args.scope,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  // Follow the redirects as a browser would; a login form is posted once.
  let url = authorize.toString();
  let method = 'GET';
  let form;
  let posted = false;
  for (let hop = 0; hop < 20; ++hop) {
    if (url.startsWith(args['redirect-uri'])) {
      const back = new URL(url);
      if (back.searchParams.get('error')) {
        fail(`authorization refused: ${back.searchParams.get('error')}: ${back.searchParams.get('error_description') ?? ''}`);
      }
      if (back.searchParams.get('state') !== state) fail('the state came back changed');
      return redeem(config, back.searchParams.get('code'), verifier, nonce);
    }
    const res = await send(method, url, { form });
    method = 'GET';
    form = undefined;
    if (res.status >= 300 && res.status < 400 && res.headers.location) {
      url = new URL(res.headers.location, url).toString();
      continue;
    }
    if (res.status === 200 && res.text.includes('id="login"')) {
      if (posted) fail('the provider refused the user name or password');
      const action = /<form id="login" method="post" action="([^"]+)"/.exec(res.text);
      if (!action) fail('no login form action on the page');
      url = new URL(action[1].replace(/&#(\d+);/g, (m, c) => String.fromCharCode(c)), url).toString();
      method = 'POST';
      form = { username: args.username, password: args.password };
      posted = true;
      continue;
    }
    fail(`unexpected answer to ${url}: HTTP ${res.status}: ${res.text.slice(0, 500)}`);
  }
  return fail('too many redirects');
}

async function redeem(config, code, verifier, nonce) {
  if (!code) fail('no code in the redirect');
  const form = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: args['redirect-uri'],
    code_verifier: verifier,
    client_id: args['client-id'],
  };
  const headers = {};
  if (args['client-secret'] !== undefined) {
    // client_secret_basic, the provider's default client authentication.
    const id = encodeURIComponent(args['client-id']);
    const secret = encodeURIComponent(args['client-secret']);
    headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  }
  const res = await send('POST', config.token_endpoint, { form, headers });
  if (res.status !== 200) fail(`token endpoint: HTTP ${res.status}: ${res.text}`);
  const tokens = JSON.parse(res.text);
  if (!tokens.id_token) fail('the token response holds no id_token');
  const payload = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString());
  if (payload.nonce !== nonce) fail('the ID token carries another nonce');
  process.stdout.write(args.output === 'json' ? `${JSON.stringify(tokens)}\n` : `${tokens.id_token}\n`);
}

main().catch((e) => fail(e.message));
