// accord-portal in a real browser: Debian's chromium driven by
// puppeteer-core against the real broker, the real OpenID provider
// (tests/oidc) and the real portal (stack.mjs).
//
//   node portal_test.mjs --bin-dir BUILD/bin --source-dir SRC [--requests]
//
// Alice signs in through the provider's login form; sees and withdraws her
// consent, and a partner's grant request then leaves her out; sees the
// access history lines marked "Vérifié" once the browser verified them, and
// a line whose proof was tampered with (the portal's answer changed in
// flight by request interception) marked as failed; downloads a receipt and
// opens its printable page; signs out, after which the old cookie is refused
// and a change without the CSRF token is refused. axe finds no serious or
// critical violation on any page; a phone-sized viewport renders every page.
// --requests also answers a consent request on the Demandes page (needs the
// broker's consent request RPCs).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { AxePuppeteer } from '@axe-core/puppeteer';
import { Stack } from './stack.mjs';

const { values: args } = parseArgs({
  options: {
    'bin-dir': { type: 'string' },
    'source-dir': { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    requests: { type: 'boolean', default: false },
  },
});

const kDataset = 'rennes.energy.household-consumption';
const kPurpose = 'research-and-development';
const pages = ['demandes', 'consentements', 'historique', 'recus'];

function step(name) {
  process.stdout.write(`* ${name}\n`);
}

async function axeCheck(page, where) {
  const results = await new AxePuppeteer(page).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      [], `axe on ${where}`);
}

async function openPage(page, stack, name) {
  await page.goto(`${stack.portalUrl}/#${name}`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForFunction(() => !document.querySelector('main .status[role="status"]') ||
      !document.querySelector('main .status[role="status"]').textContent.includes('…'));
}

// A grant request by partner-demo naming `subject`; returns the granted
// subjects (empty on a denial).
function partnerGrant(stack, subject) {
  const r = stack.cli(['grant', 'request', '--as', 'partner-demo', '--dataset', kDataset,
    '--purpose', kPurpose, '--audience', 'data.rennes.example', '--subjects', subject,
    '--output', 'json']);
  assert.equal(r.code, 0, `grant request: ${r.err}`);
  const decision = JSON.parse(r.out);
  const subjects = [];
  for (const g of decision.grants || []) subjects.push(...(g.subjects || []));
  for (const d of [decision.decision, ...(decision.decisions || [])]) {
    if (d && d.outcome === 'OUTCOME_PERMIT') subjects.push(...(d.subjects || []));
  }
  return { subjects, text: r.out };
}

async function signIn(page, stack, user) {
  await page.goto(stack.portalUrl, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#login');
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('#login')]);
  await page.waitForSelector('#username');
  await page.type('#username', user);
  await page.type('#password', `${user}-password`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('#submit')]);
  assert.ok(page.url().startsWith(stack.portalUrl), `back at the portal: ${page.url()}`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#logout');
}

async function sessionCookie(page, stack) {
  const cookies = await page.cookies(stack.portalUrl);
  const c = cookies.find((x) => x.name === 'accord-portal');
  assert.ok(c, 'session cookie set');
  return c;
}

async function main() {
  const stack = new Stack({ binDir: args['bin-dir'], sourceDir: args['source-dir'] });
  let browser;
  try {
    await stack.start();
    step(`stack up: portal ${stack.portalUrl}, provider ${stack.issuer}`);

    // Alice's consent and one grant naming her, made outside the browser
    // with an ID token from the same provider.
    const token = stack.login('alice');
    const given = stack.citizenCli(['consent', 'give', '--dataset', kDataset, '--purpose', kPurpose,
      '--partner', 'partner-demo', '--output', 'json'], token);
    assert.equal(given.code, 0, given.err);
    const consent = JSON.parse(given.out).consent;
    const alice = consent.subject;
    const before = partnerGrant(stack, alice);
    assert.ok(before.subjects.includes(alice), `the grant names Alice before: ${before.text}`);
    const second = partnerGrant(stack, alice);
    assert.ok(second.subjects.includes(alice));

    browser = await puppeteer.launch({
      executablePath: args.chromium,
      headless: true,
      args: ['--no-sandbox', `--ignore-certificate-errors-spki-list=${stack.idpSpki}`],
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('pageerror', (e) => process.stdout.write(`page error: ${e.message}\n`));

    step('sign in as Alice through the provider\'s login form');
    await signIn(page, stack, 'alice');
    const cookie = await sessionCookie(page, stack);
    assert.equal(cookie.httpOnly, true, 'cookie HttpOnly');
    assert.equal(cookie.sameSite, 'Lax', 'cookie SameSite=Lax');
    const stored = await page.evaluate(() => JSON.stringify({
      cookie: document.cookie, local: { ...localStorage }, session: { ...sessionStorage },
    }));
    assert.ok(!/eyJ[\w-]+\.[\w-]+\.[\w-]+/.test(stored), `no token in the page's storage: ${stored}`);
    assert.ok(!stored.includes(token.split('.')[0] + '.'), 'no token in the page\'s storage');
    const info = await page.evaluate(async () => (await fetch('/api/session')).text());
    assert.ok(!/eyJ[\w-]+\.[\w-]+\./.test(info), `no token in /api/session: ${info}`);

    for (const name of pages) {
      step(`page ${name}: axe`);
      await openPage(page, stack, name);
      await axeCheck(page, name);
    }

    step('the English switch, and back to French');
    await openPage(page, stack, 'consentements');
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en' &&
        document.querySelector('#nav-consentements')?.textContent === 'My consents');
    await page.waitForSelector('article[data-consent-id]');
    await axeCheck(page, 'consentements in English');
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'fr' &&
        document.querySelector('#nav-consentements')?.textContent === 'Mes consentements');

    step('Qui a utilisé mes données: every line verified by the browser');
    await openPage(page, stack, 'historique');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-verified]').length > 0 &&
        !document.querySelector('tr[data-verified="pending"]'));
    const verified = await page.$$eval('tr[data-verified]', (rows) =>
      rows.map((r) => ({ v: r.dataset.verified, text: r.textContent })));
    assert.ok(verified.length >= 2, `two grants named Alice: ${JSON.stringify(verified)}`);
    for (const row of verified) {
      assert.equal(row.v, 'true', `verified: ${row.text}`);
      assert.ok(row.text.includes('Vérifié'), row.text);
      assert.ok(row.text.includes('partner-demo') && row.text.includes(kDataset), row.text);
    }

    step('a tampered inclusion proof is shown as failed');
    await page.setRequestInterception(true);
    const tamper = async (request) => {
      if (!request.url().endsWith('/api/history')) {
        request.continue();
        return;
      }
      const real = await fetch(request.url(), { headers: { cookie: `accord-portal=${cookie.value}` } });
      const body = await real.json();
      const record = body.pages[0].records[0];
      const proof = Buffer.from(record.inclusion_proof[0], 'base64');
      proof[7] ^= 0x01;
      record.inclusion_proof[0] = proof.toString('base64');
      request.respond({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
    };
    page.on('request', tamper);
    await page.reload({ waitUntil: 'networkidle0' });
    await page.waitForFunction(() => document.querySelectorAll('tr[data-verified]').length > 0 &&
        !document.querySelector('tr[data-verified="pending"]'));
    const tampered = await page.$$eval('tr[data-verified]', (rows) =>
      rows.map((r) => ({ v: r.dataset.verified, text: r.textContent })));
    assert.equal(tampered[0].v, 'false', `tampered line: ${tampered[0].text}`);
    assert.ok(tampered[0].text.includes('Échec de la vérification'), tampered[0].text);
    assert.ok(!tampered[0].text.includes('✓'), tampered[0].text);
    for (const row of tampered.slice(1)) assert.equal(row.v, 'true', row.text);
    const summary = await page.$eval('#history-summary', (e) => e.textContent);
    assert.ok(summary.includes('1 en échec'), summary);
    page.off('request', tamper);
    await page.setRequestInterception(false);

    step('Mes reçus: download the JWS, open the printable page');
    const downloads = join(stack.dir, 'downloads');
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await openPage(page, stack, 'recus');
    await page.click(`li[data-consent-id="${consent.id}"] .download-jws`);
    let file = '';
    for (let i = 0; i < 100 && !file; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (existsSync(downloads)) {
        file = readdirSync(downloads).find((f) => f.endsWith('.jws')) || '';
      }
    }
    assert.ok(file, 'a receipt was downloaded');
    const jws = readFileSync(join(downloads, file), 'utf8');
    const parts = jws.split('.');
    assert.equal(parts.length, 3, jws);
    const header = JSON.parse(Buffer.from(parts[0], 'base64url'));
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
    assert.equal(header.typ, 'consent-receipt+jwt');
    assert.equal(claims.consent_id, consent.id);
    const exported = await page.evaluate(async () => {
      const r = await fetch(document.querySelector('#export').href);
      return { status: r.status, disposition: r.headers.get('content-disposition'), body: await r.text() };
    });
    assert.equal(exported.status, 200, exported.body);
    assert.match(exported.disposition, /attachment/);
    assert.ok(exported.body.includes(consent.id), `the export holds the consent: ${exported.body.slice(0, 300)}`);
    JSON.parse(exported.body);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }),
      page.click(`li[data-consent-id="${consent.id}"] .print-receipt`)]);
    await page.waitForSelector('body[data-ready="true"]');
    const receiptText = await page.$eval('main', (e) => e.textContent);
    assert.ok(receiptText.includes('Signature vérifiée par votre navigateur'), receiptText);
    assert.ok(receiptText.includes('Comment vérifier ce reçu'), receiptText);
    assert.ok(receiptText.includes(consent.id), receiptText);
    assert.ok(receiptText.includes('Votre consentement') && receiptText.includes('partner-demo'), receiptText);
    await axeCheck(page, 'receipt');

    step('Mes consentements: withdraw in one click and a confirmation');
    await openPage(page, stack, 'consentements');
    const card = `article[data-consent-id="${consent.id}"]`;
    assert.equal(await page.$eval(card, (e) => e.dataset.state), 'CONSENT_STATE_GIVEN');
    await page.click(`${card} .withdraw`);
    await page.waitForSelector(`${card} .confirm-withdraw`);
    await axeCheck(page, 'withdraw confirmation');
    await page.click(`${card} .confirm-withdraw`);
    await page.waitForFunction(() => document.querySelector('#consents-feedback')?.textContent.includes('immédiat'));
    await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'CONSENT_STATE_WITHDRAWN', {}, card);
    const after = partnerGrant(stack, alice);
    assert.ok(!after.subjects.includes(alice), `the next grant leaves Alice out: ${after.text}`);

    if (args.requests) {
      const { checkRequests } = await import('./requests_step.mjs');
      step('Demandes: answer a consent request');
      await checkRequests({ page, stack, alice, openPage, axeCheck });
    }

    step('a phone-sized viewport renders every page');
    await page.setViewport({ width: 375, height: 740, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    for (const name of pages) {
      await openPage(page, stack, name);
      const { scroll, h1 } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        h1: document.querySelector('h1')?.getBoundingClientRect().width ?? 0,
      }));
      assert.ok(scroll <= 375, `${name}: no horizontal scrolling on a phone (${scroll}px)`);
      assert.ok(h1 > 0, `${name}: heading shown`);
      await axeCheck(page, `${name} on a phone`);
    }
    await page.setViewport({ width: 1280, height: 900 });

    step('a change without the CSRF token is refused');
    const noCsrf = await fetch(`${stack.portalUrl}/api/consents/${consent.id}/withdraw`, {
      method: 'POST', headers: { cookie: `accord-portal=${cookie.value}` } });
    assert.equal(noCsrf.status, 403);
    const wrongCsrf = await fetch(`${stack.portalUrl}/api/consents/${consent.id}/withdraw`, {
      method: 'POST', headers: { cookie: `accord-portal=${cookie.value}`, 'x-csrf-token': 'x'.repeat(43) } });
    assert.equal(wrongCsrf.status, 403);
    const noCsrfLogout = await fetch(`${stack.portalUrl}/logout`, {
      method: 'POST', redirect: 'manual', headers: { cookie: `accord-portal=${cookie.value}` } });
    assert.equal(noCsrfLogout.status, 403);

    step('a callback from another browser than the one that signed in is refused');
    const other = await browser.createBrowserContext();
    const otherPage = await other.newPage();
    await otherPage.setRequestInterception(true);
    let callback = '';
    otherPage.on('request', (request) => {
      if (request.url().startsWith(`${stack.portalUrl}/callback`)) {
        callback = request.url();
        request.abort();
      } else {
        request.continue();
      }
    });
    await otherPage.goto(`${stack.portalUrl}/login`);
    await otherPage.waitForSelector('#username');
    await otherPage.type('#username', 'bob');
    await otherPage.type('#password', 'bob-password');
    await otherPage.click('#submit');
    for (let i = 0; i < 100 && !callback; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(callback.includes('code='), `Bob's callback caught: ${callback}`);
    await other.close();
    const victim = await browser.createBrowserContext();
    const victimPage = await victim.newPage();
    await victimPage.goto(callback, { waitUntil: 'networkidle0' });
    assert.ok(victimPage.url().endsWith('/?signin=failed'), victimPage.url());
    await victimPage.waitForSelector('#login');
    assert.equal((await victimPage.cookies(stack.portalUrl)).filter((c) => c.name === 'accord-portal').length, 0);
    await victim.close();

    step('sign out: here and at the provider');
    await openPage(page, stack, 'consentements');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('#logout')]);
    if (page.url().startsWith(stack.issuer)) {
      // The provider asks to confirm the sign-out of its session.
      await page.waitForSelector('button#logout');
      await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('button#logout')]);
    }
    assert.ok(page.url().startsWith(stack.portalUrl), `back at the portal: ${page.url()}`);
    await page.waitForSelector('#login');
    const old = await fetch(`${stack.portalUrl}/api/consents`, { headers: { cookie: `accord-portal=${cookie.value}` } });
    assert.equal(old.status, 401, 'the old cookie is refused');
    const oldSession = await fetch(`${stack.portalUrl}/api/session`, { headers: { cookie: `accord-portal=${cookie.value}` } });
    assert.equal(oldSession.status, 401);
    // The provider's session ended too: signing in asks for the password.
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('#login')]);
    await page.waitForSelector('#username');
    assert.ok(page.url().startsWith(stack.issuer), 'the provider asks again');

    step('signed-out welcome page: axe');
    await page.goto(stack.portalUrl, { waitUntil: 'networkidle0' });
    await page.waitForSelector('#login');
    await axeCheck(page, 'welcome');

    step('the portal and the broker stop cleanly');
    await browser.close();
    browser = null;
    assert.deepEqual(await stack.shutdown(), []);
    process.stdout.write('PASS\n');
    return 0;
  } catch (e) {
    let where = '';
    try {
      const pages = browser ? await browser.pages() : [];
      for (const p of pages) where += `page ${p.url()}:\n${await p.evaluate(() => document.body?.innerText ?? '')}\n`;
    } catch {
      // the browser is gone
    }
    process.stdout.write(`FAIL: ${e.stack || e}\n${where}${stack.logs()}\n`);
    return 1;
  } finally {
    if (browser) await browser.close();
    stack.stop();
  }
}

process.exit(await main());
