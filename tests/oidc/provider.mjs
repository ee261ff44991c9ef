// A real OpenID provider (the `oidc-provider` package) for Accord's tests:
// HTTPS on 127.0.0.1, two demo citizens who sign in on an HTML form, clients
// and signing keys from files. See README.md beside this file.
//
//   node provider.mjs --port PORT --cert CERT.pem --key KEY.pem \
//       --clients clients.json --keys private-jwks.json \
//       [--jwks-max-age SECONDS] [--discovery-set name=value]...
//
// Prints `ready <issuer-url>` on stdout once listening.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

// The demo citizens: user name (the ID token's `sub`) -> password.
const CITIZENS = new Map([
  ['alice', 'alice-password'],
  ['bob', 'bob-password'],
]);

function usage(message) {
  process.stderr.write(`provider.mjs: ${message}\n`);
  process.exit(2);
}

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    clients: { type: 'string' },
    keys: { type: 'string' },
    'jwks-max-age': { type: 'string' },
    'discovery-set': { type: 'string', multiple: true, default: [] },
  },
  strict: true,
});
for (const required of ['port', 'cert', 'key', 'clients', 'keys']) {
  if (!args[required]) usage(`--${required} is required`);
}
const port = Number.parseInt(args.port, 10);
if (!(port > 0 && port < 65536)) usage('--port: not a port number');

function readJson(flag, path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return usage(`--${flag} ${path}: ${e.message}`);
  }
}

const clients = readJson('clients', args.clients);
if (!Array.isArray(clients)) usage('--clients: a JSON array of clients');
const jwks = readJson('keys', args.keys);
if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) {
  usage('--keys: a private JWKS with at least one key');
}
// Discovery fields rewritten after the provider computed them, so a test can
// present a misconfigured provider (another `issuer`, an http `jwks_uri`).
const discoveryOverrides = {};
for (const pair of args['discovery-set']) {
  const eq = pair.indexOf('=');
  if (eq <= 0) usage(`--discovery-set ${pair}: expected name=value`);
  discoveryOverrides[pair.slice(0, eq)] = pair.slice(eq + 1);
}
let jwksMaxAge;
if (args['jwks-max-age'] !== undefined) {
  jwksMaxAge = Number.parseInt(args['jwks-max-age'], 10);
  if (!(jwksMaxAge >= 0)) usage('--jwks-max-age: not a number of seconds');
}

const issuer = `https://127.0.0.1:${port}`;

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

function loginPage(uid, clientId, error) {
  const message = error ? `<p id="error" role="alert">${escapeHtml(error)}</p>\n` : '';
  return page('Sign in', `<p>Sign in to continue to ${escapeHtml(clientId)}.</p>
${message}<form id="login" method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="username">User name</label>
<input id="username" name="username" type="text" autocomplete="username" autofocus required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button id="submit" type="submit">Sign in</button>
</form>`);
}

const provider = new Provider(issuer, {
  clients,
  clientDefaults: {
    grant_types: ['authorization_code'],
    response_types: ['code'],
    id_token_signed_response_alg: 'ES256',
  },
  jwks,
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('Sign out', `${form}
<p>Do you want to sign out?</p>
<button id="logout" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button id="stay" type="submit" form="op.logoutForm">Stay signed in</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = page('Signed out', '<p id="signed-out">You are signed out.</p>');
      },
    },
  },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  findAccount: async (ctx, id) => {
    if (!CITIZENS.has(id)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id }) };
  },
  claims: { openid: ['sub'] },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Error', `<pre id="error">${escapeHtml(JSON.stringify(out, null, 2))}</pre>`);
  },
});

// Cache-Control on the JWKS (oidc-provider sets none), and the discovery
// overrides.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/jwks' && jwksMaxAge !== undefined && ctx.status === 200) {
    ctx.set('cache-control', `public, max-age=${jwksMaxAge}`);
  }
  if (ctx.path === '/.well-known/openid-configuration' && ctx.status === 200 &&
      Object.keys(discoveryOverrides).length > 0) {
    ctx.body = { ...ctx.body, ...discoveryOverrides };
  }
});

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 16384) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function sendHtml(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

// Grants the openid scope (and any claims asked for) to the client on the
// citizen's behalf: consent is implicit for these demo citizens.
async function autoConsent(details) {
  const { prompt: { details: missing }, params, session: { accountId } } = details;
  let grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  return grant.save();
}

// The interaction routes: GET /interaction/:uid shows the login form (or
// grants consent at once); POST /interaction/:uid/login checks the password.
async function interaction(req, res, url) {
  const parts = url.pathname.split('/').filter(Boolean);  // interaction, uid[, login]
  const details = await provider.interactionDetails(req, res);
  if (parts[1] !== details.uid) return sendHtml(res, 400, page('Error', '<p>Unknown interaction.</p>'));
  const clientId = details.params.client_id;
  if (req.method === 'GET' && parts.length === 2) {
    if (details.prompt.name === 'login') return sendHtml(res, 200, loginPage(details.uid, clientId));
    if (details.prompt.name === 'consent') {
      const grantId = await autoConsent(details);
      return provider.interactionFinished(req, res, { consent: { grantId } },
        { mergeWithLastSubmission: true });
    }
    return sendHtml(res, 400, page('Error', '<p>Unsupported prompt.</p>'));
  }
  if (req.method === 'POST' && parts.length === 3 && parts[2] === 'login') {
    const form = await readForm(req);
    const username = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    if (!CITIZENS.has(username) || CITIZENS.get(username) !== password) {
      return sendHtml(res, 200, loginPage(details.uid, clientId, 'Wrong user name or password.'));
    }
    return provider.interactionFinished(req, res, { login: { accountId: username } },
      { mergeWithLastSubmission: false });
  }
  return sendHtml(res, 404, page('Error', '<p>Not found.</p>'));
}

const handleOidc = provider.callback();
const server = createServer({
  cert: readFileSync(args.cert),
  key: readFileSync(args.key),
}, (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname.startsWith('/interaction/')) {
    interaction(req, res, url).catch((e) => {
      if (!res.headersSent) sendHtml(res, 400, page('Error', `<p id="error">${escapeHtml(e.message)}</p>`));
      else res.end();
    });
    return;
  }
  handleOidc(req, res);
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
