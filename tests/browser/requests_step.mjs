// The Demandes page answering consent requests, on the two requests dev
// mode opens (portal_test.mjs).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

// The two seeded requests on the page: partner-demo's and the other.
async function seededCards(page) {
  await page.waitForSelector('article[data-request-id]');
  const cards = await page.$$eval('article[data-request-id]', (all) =>
    all.map((e) => ({ id: e.dataset.requestId, partner: e.dataset.partner })));
  assert.equal(cards.length, 2, JSON.stringify(cards));
  const ours = cards.find((c) => c.partner === 'partner-demo');
  const other = cards.find((c) => c.partner !== 'partner-demo');
  assert.ok(ours && other, JSON.stringify(cards));
  return { ours, other };
}

// Alice reads partner-demo's notice in words and accepts it, the consent
// recorded answering the version and notice hash the page displayed (and
// the browser checked against the notice); she refuses the other, and the
// page then shows it answered. Returns the consent and the request ids.
export async function answerRequests({ page, stack, token, openPage, axeCheck }) {
  await openPage(page, stack, 'demandes');
  const { ours, other } = await seededCards(page);

  const card = `article[data-request-id="${ours.id}"]`;
  await page.waitForSelector(`${card} .accept:not([disabled])`);
  const text = await page.$eval(card, (e) => e.textContent);
  for (const part of ['Qui demande', 'Quelles données', 'Pourquoi', 'Pour combien de temps',
    'Ce qu’ils s’engagent à faire', 'Comment retirer votre accord']) {
    assert.ok(text.includes(part), `the notice shows ${part}: ${text}`);
  }
  // The texts are the notice's, in words, not identifiers.
  const shown = await page.evaluate(async (id) => (await (await fetch(`/api/requests/${id}`)).json()), ours.id);
  const notice = JSON.parse(shown.request.notice);
  assert.ok(text.includes(notice.project.title.fr), text);
  assert.ok(text.includes(notice.duration.fr), text);
  for (const f of notice.dataset.fields) assert.ok(text.includes(f.description.fr), text);
  for (const d of notice.duties) assert.ok(text.includes(d.fr), text);
  const displayedHash = (await page.$eval(`${card} .hash`, (e) => e.textContent)).split(': ').pop().trim();
  assert.equal(displayedHash, createHash('sha256').update(shown.request.notice).digest('hex'));
  await axeCheck(page, 'demandes with requests');

  await page.click(`${card} .accept`);
  await page.waitForFunction(() => document.querySelector('#requests-feedback')?.textContent.includes('Votre accord est enregistré'));
  const otherCard = `article[data-request-id="${other.id}"]`;
  await page.waitForSelector(`${otherCard} .refuse:not([disabled])`);
  await page.click(`${otherCard} .refuse`);
  await page.waitForFunction(() => document.querySelector('#requests-feedback')?.textContent.includes('Votre refus est enregistré'));
  await page.waitForSelector(`${otherCard} .answered`);
  assert.equal(await page.$(`${otherCard} .refuse`), null, 'no second answer offered');

  const list = stack.citizenCli(['consent', 'list', '--output', 'json'], token);
  assert.equal(list.code, 0, list.err);
  const consents = JSON.parse(list.out).consents || [];
  const accepted = consents.find((c) => c.request_id === ours.id);
  assert.ok(accepted, `a consent answers the request: ${list.out}`);
  assert.equal(accepted.notice_hash, displayedHash, 'the accepted notice hash is the one displayed');
  assert.equal(accepted.request_version, 1);
  assert.equal(accepted.state, 'given');
  const refused = consents.find((c) => c.request_id === other.id);
  assert.ok(refused && refused.state === 'refused', `refusal recorded: ${list.out}`);
  return { consent: accepted, fields: notice.dataset.fields.map((f) => f.id), ours, other };
}

// Bob opens Demandes; partner-demo's request changes version (the partner
// drafts a change, the producer approves it) while the page shows the old
// notice; his « J'accepte » on the old one is refused with a message asking
// him to read the new version, nothing is recorded, and once he has read
// it his answer goes through.
export async function staleNoticeRefused({ page, stack, token, openPage }) {
  await openPage(page, stack, 'demandes');
  const { ours } = await seededCards(page);
  const card = `article[data-request-id="${ours.id}"]`;
  await page.waitForSelector(`${card} .accept:not([disabled])`);
  const oldHash = (await page.$eval(`${card} .hash`, (e) => e.textContent)).split(': ').pop().trim();

  const file = join(stack.sourceDir, 'clients/examples/requests/energy-study.yaml');
  for (const args of [
    ['request', 'draft', '--file', file, '--request', ours.id, '--as', 'partner-demo'],
    ['request', 'submit', ours.id, '--as', 'partner-demo'],
    ['request', 'approve', ours.id, '--as', 'producer-demo'],
  ]) {
    const r = stack.cli(args);
    assert.equal(r.code, 0, `accord ${args.join(' ')}: ${r.err}`);
  }

  await page.click(`${card} .accept`);
  await page.waitForSelector(`${card} .reread`);
  const said = await page.$eval(card, (e) => e.querySelector('[role="alert"]')?.textContent ?? '');
  assert.ok(said.includes('Cette demande a changé') && said.includes('Lisez la nouvelle version'), said);
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'reread',
      'the focus goes to the way out');
  const none = stack.citizenCli(['consent', 'list', '--output', 'json'], token);
  assert.equal(none.code, 0, none.err);
  assert.equal((JSON.parse(none.out).consents || []).length, 0, `nothing recorded: ${none.out}`);

  await page.click(`${card} .reread`);
  await page.waitForFunction((sel, old) => {
    const hash = document.querySelector(`${sel} .hash`)?.textContent ?? '';
    return hash && !hash.includes(old) && document.querySelector(`${sel} .accept:not([disabled])`);
  }, {}, card, oldHash);
  await page.click(`${card} .accept`);
  await page.waitForFunction(() => document.querySelector('#requests-feedback')?.textContent.includes('Votre accord est enregistré'));
  const list = stack.citizenCli(['consent', 'list', '--output', 'json'], token);
  const consents = JSON.parse(list.out).consents || [];
  assert.equal(consents.length, 1, list.out);
  assert.equal(consents[0].request_version, 2, list.out);
  assert.notEqual(consents[0].notice_hash, oldHash);
}
