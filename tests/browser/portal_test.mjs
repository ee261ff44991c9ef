// accord-portal in a real browser: Debian's chromium driven by
// puppeteer-core against the real broker, the real OpenID provider
// (tests/oidc) and the real portal (stack.mjs).
//
//   node portal_test.mjs --bin-dir BUILD/bin --source-dir SRC
//       [--screenshots DIR]
//
// The citizen's journey: Alice signs in through the provider's login form,
// sees the two requests dev mode opens and accepts one (refuses the other);
// the partner's grant request (CLI) names her; her history shows it
// "Vérifié" once the browser verified it, and a line whose proof was
// tampered with (the portal's answer changed in flight) as failed; she
// downloads a receipt and opens its printable page; her export holds the
// consent, its events, the receipts and the history lines; she withdraws
// with the keyboard alone, and the next grant leaves her out; she signs out
// here and at the provider, after which the old cookie is refused. Bob
// signs in and sees nothing of Alice's; the notice he is reading changes
// version and his answer to the old one is refused. axe finds no serious or
// critical violation on any page; the keyboard reaches every action with a
// visible focus; pages reflow at 320 px and at 200 % zoom; nothing moves.
// Each page's weight and first render time are printed. --screenshots
// writes the README's screenshots (phone and desktop) into DIR.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { AxePuppeteer } from '@axe-core/puppeteer';
import { answerRequests, staleNoticeRefused } from './requests_step.mjs';
import { Stack, waitFor } from './stack.mjs';
import { kViewports, keyboardReachesEverything, nothingMoves, reflows, screenshot, tabTo, weigh } from './usability.mjs';

const { values: args } = parseArgs({
  options: {
    'bin-dir': { type: 'string' },
    'source-dir': { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    screenshots: { type: 'string' },
  },
});

const kDataset = 'rennes.energy.household-consumption';
// The purpose of partner-demo's seeded request.
const kPurpose = 'public-benefit.energy';
const pages = ['demandes', 'consentements', 'historique', 'recus', 'export'];

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

// A grant request by partner-demo naming `subject`, for `fields`; returns
// the granted subjects (empty on a denial).
function partnerGrant(stack, subject, fields) {
  const r = stack.cli(['grant', 'request', '--as', 'partner-demo', '--dataset', kDataset,
    '--purpose', kPurpose, '--fields', fields.join(','), '--audience', 'data.rennes.example',
    '--subjects', subject, '--output', 'json']);
  assert.equal(r.code, 0, `grant request: ${r.err}`);
  const decision = JSON.parse(r.out);
  const subjects = [];
  for (const g of decision.grants || []) subjects.push(...(g.subjects || []));
  for (const d of [decision.decision, ...(decision.decisions || [])]) {
    if (d && d.outcome === 'permit') subjects.push(...(d.subjects || []));
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
  const shots = args.screenshots || join(stack.dir, 'screenshots');
  let browser;
  try {
    await stack.start();
    step(`stack up: portal ${stack.portalUrl}, provider ${stack.issuer}`);
    // Alice's ID token from the same provider, for the CLI's view of her
    // records.
    const token = stack.login('alice');

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

    step('Demandes: Alice accepts partner-demo\'s request and refuses the other');
    const { consent, fields } = await answerRequests({ page, stack, token, openPage, axeCheck });
    const alice = consent.subject;

    step('the partner\'s grant requests name her');
    for (let i = 0; i < 2; i++) {
      const granted = partnerGrant(stack, alice, fields);
      assert.ok(granted.subjects.includes(alice), `the grant names Alice: ${granted.text}`);
    }

    step('every page: axe, keyboard, no motion, weight and first render');
    const weights = [];
    for (const name of pages) {
      const m = await weigh(page, `${stack.portalUrl}/#${name}`);
      await openPage(page, stack, name);
      await axeCheck(page, name);
      const actions = await keyboardReachesEverything(page, name);
      await nothingMoves(page, name);
      weights.push({ page: name, ...m, actions });
    }
    await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
    await openPage(page, stack, 'consentements');
    await nothingMoves(page, 'consentements, reduced motion');
    await page.emulateMediaFeatures([]);
    for (const w of weights) {
      process.stdout.write(`  page ${w.page}: ${w.pageBytes} bytes of page in ${w.requests} requests, ` +
          `${w.apiBytes} bytes of API answers; first contentful paint ${w.firstPaintMs} ms, ` +
          `ready ${w.readyMs} ms; ${w.actions} keyboard stops\n`);
      assert.ok(w.pageBytes < 200000, `${w.page}: a light page (${w.pageBytes} bytes)`);
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
    await screenshot(page, shots, 'desktop-historique');

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
    const file = await waitFor('the downloaded receipt (a .jws file)', () =>
      (existsSync(downloads) ? readdirSync(downloads).find((f) => f.endsWith('.jws')) : undefined), 10000);
    const jws = readFileSync(join(downloads, file), 'utf8');
    const parts = jws.split('.');
    assert.equal(parts.length, 3, jws);
    const header = JSON.parse(Buffer.from(parts[0], 'base64url'));
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
    assert.equal(header.typ, 'consent-receipt+jwt');
    assert.equal(claims.consent_id, consent.id);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }),
      page.click(`li[data-consent-id="${consent.id}"] .print-receipt`)]);
    await page.waitForSelector('body[data-ready="true"]');
    const receiptText = await page.$eval('main', (e) => e.textContent);
    assert.ok(receiptText.includes('Signature vérifiée par votre navigateur'), receiptText);
    assert.ok(receiptText.includes('Comment vérifier ce reçu'), receiptText);
    assert.ok(receiptText.includes(consent.id), receiptText);
    assert.ok(receiptText.includes('Votre consentement') && receiptText.includes('partner-demo'), receiptText);
    await axeCheck(page, 'receipt');
    await keyboardReachesEverything(page, 'receipt');

    step('Exporter mes données: the consent, its events, receipts and history in one file');
    await openPage(page, stack, 'export');
    const exported = await page.evaluate(async () => {
      const r = await fetch(document.querySelector('#export').href);
      return { status: r.status, disposition: r.headers.get('content-disposition'), body: await r.text() };
    });
    assert.equal(exported.status, 200, exported.body);
    assert.match(exported.disposition, /attachment/);
    const data = JSON.parse(exported.body);
    const record = data.consent_records.records.find((r) => r.record_id === consent.id);
    assert.ok(record, `the export holds the consent: ${exported.body.slice(0, 300)}`);
    assert.deepEqual(record.events.map((e) => e.event_type), ['given']);
    assert.ok(data.consent_records.records.some((r) => r.consent_status === 'refused'),
        'and the refusal');
    assert.ok(data.receipts.some((r) => r.consent_id === consent.id && r.jws.split('.').length === 3));
    const lines = data.access_history.pages.flatMap((p) => p.records || []);
    assert.equal(lines.length, verified.length, `every history line: ${JSON.stringify(lines)}`);
    assert.ok(lines.every((l) => l.partner === 'partner-demo' && l.dataset_id === kDataset));
    assert.ok(data.receipt_keys, 'with the keys that verify the receipts');

    step('Mes consentements: withdraw with the keyboard alone, and a confirmation');
    await openPage(page, stack, 'consentements');
    const card = `article[data-consent-id="${consent.id}"]`;
    assert.equal(await page.$eval(card, (e) => e.dataset.state), 'CONSENT_STATE_GIVEN');
    await tabTo(page, `${card} .withdraw`);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${card} .confirm-withdraw`);
    assert.ok(await page.evaluate((sel) => document.activeElement === document.querySelector(sel),
        `${card} .confirm-withdraw`), 'the confirmation has the focus');
    await axeCheck(page, 'withdraw confirmation');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#consents-feedback')?.textContent.includes('immédiat'));
    await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'CONSENT_STATE_WITHDRAWN', {}, card);
    const after = partnerGrant(stack, alice, fields);
    assert.ok(!after.subjects.includes(alice), `the next grant leaves Alice out: ${after.text}`);

    step('every page reflows on a phone (320 px and 375 px) and at 200 % zoom');
    for (const viewport of kViewports) {
      await page.setViewport(viewport);
      for (const name of pages) {
        await openPage(page, stack, name);
        await reflows(page, `${name} (${viewport.name})`);
        if (viewport.name === 'phone') {
          await axeCheck(page, `${name} on a phone`);
          if (name === 'demandes' || name === 'historique') await screenshot(page, shots, `phone-${name}`);
        }
      }
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
    await waitFor("Bob's callback request", () => callback || undefined, 10000);
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
    for (const path of ['/api/consents', '/api/session', '/api/history', '/api/export.json']) {
      const old = await fetch(`${stack.portalUrl}${path}`, { headers: { cookie: `accord-portal=${cookie.value}` } });
      assert.equal(old.status, 401, `the old cookie is refused: ${path}`);
    }
    // The provider's session ended too: signing in asks for the password.
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('#login')]);
    await page.waitForSelector('#username');
    assert.ok(page.url().startsWith(stack.issuer), 'the provider asks again');

    step('signed-out welcome page: axe, keyboard');
    await page.goto(stack.portalUrl, { waitUntil: 'networkidle0' });
    await page.waitForSelector('#login');
    await axeCheck(page, 'welcome');
    await keyboardReachesEverything(page, 'welcome');

    step('Bob signs in and sees nothing of Alice\'s');
    const bobToken = stack.login('bob');
    await signIn(page, stack, 'bob');
    await openPage(page, stack, 'consentements');
    const bobConsents = await page.evaluate(async () => (await fetch('/api/consents')).text());
    assert.ok(!bobConsents.includes(consent.id) && !bobConsents.includes(alice), bobConsents);
    assert.equal(await page.$(`article[data-consent-id]`), null, 'no consent on his page');
    const bobHistory = await page.evaluate(async () => (await fetch('/api/history')).text());
    assert.ok(!bobHistory.includes(alice), 'no line of Alice in his history');
    assert.equal(JSON.parse(bobHistory).pages.flatMap((p) => p.records || []).length, 0, bobHistory);
    const bobExport = await page.evaluate(async () => (await fetch('/api/export.json')).text());
    assert.ok(!bobExport.includes(alice) && !bobExport.includes(consent.id), 'nothing of Alice in his export');
    await openPage(page, stack, 'demandes');
    await page.waitForSelector('article[data-request-id] .accept:not([disabled])');
    await screenshot(page, shots, 'desktop-demandes');
    const bobRequests = await page.evaluate(async () => (await fetch('/api/requests')).json());
    assert.equal(bobRequests.requests.length, 2);
    assert.ok(bobRequests.requests.every((r) => !r.answer && r.needs_answer), JSON.stringify(bobRequests));

    step('a notice that changed while Bob read it: his answer is refused, he reads the new one');
    await staleNoticeRefused({ page, stack, token: bobToken, openPage });

    step('Bob erases his data from the export page: the signed receipt is shown, the session ends');
    await openPage(page, stack, 'export');
    await page.click('#erase');
    await page.waitForSelector('.confirm-erase');
    await page.click('.confirm-erase');
    await page.waitForSelector('#erase-receipt');
    const erasureReceipt = await page.$eval('#erase-receipt', (e) => e.textContent);
    const receiptParts = erasureReceipt.split('.');
    assert.equal(receiptParts.length, 3, erasureReceipt);
    assert.equal(JSON.parse(Buffer.from(receiptParts[0], 'base64url').toString()).typ,
        'accord-erasure+jwt');
    assert.equal(await page.evaluate(async () => (await fetch('/api/session')).status), 401,
        'the session ended with the erasure');
    await axeCheck(page, 'erased');
    const nothingLeft = await page.evaluate(async () => (await fetch('/api/consents')).status);
    assert.equal(nothingLeft, 401);
    // Finish: the provider's session ends too, then Bob signs in again.
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('#erase-finish')]);
    if (page.url().startsWith(stack.issuer)) {
      await page.waitForSelector('button#logout');
      await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('button#logout')]);
    }
    await signIn(page, stack, 'bob');
    const afterErasure = await page.evaluate(async () => (await fetch('/api/consents')).json());
    assert.equal((afterErasure.consents || []).length, 0, JSON.stringify(afterErasure));

    step('a session over its rate limit is answered 429, with Retry-After');
    const burst = await page.evaluate(async () => {
      const answers = await Promise.all(Array.from({ length: 80 }, () => fetch('/api/session')));
      return answers.map((r) => ({ status: r.status, retry: r.headers.get('retry-after') }));
    });
    const limited = burst.filter((r) => r.status === 429);
    assert.ok(limited.length > 0, `some of 80 calls at once are limited: ${JSON.stringify(burst)}`);
    assert.ok(burst.every((r) => r.status === 200 || (r.status === 429 && r.retry === '1')), JSON.stringify(burst));

    step('the portal and the broker stop cleanly');
    await browser.close();
    browser = null;
    assert.deepEqual(await stack.shutdown(), []);
    process.stdout.write('PASS\n');
    return 0;
  } catch (e) {
    let where = '';
    try {
      const open = browser ? await browser.pages() : [];
      for (const p of open) where += `page ${p.url()}:\n${await p.evaluate(() => document.body?.innerText ?? '')}\n`;
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
