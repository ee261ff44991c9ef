// The Demandes page answering consent requests (portal_test.mjs
// --requests), on the two requests dev mode opens: Alice reads
// partner-demo's notice in words and accepts it, the consent recorded
// answering the version and notice hash the page displayed (and the
// browser checked against the notice); she refuses the other, and the page
// then shows it answered.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

export async function checkRequests({ page, stack, alice, openPage, axeCheck }) {
  await openPage(page, stack, 'demandes');
  await page.waitForSelector('article[data-request-id]');
  const cards = await page.$$eval('article[data-request-id]', (all) =>
    all.map((e) => ({ id: e.dataset.requestId, partner: e.dataset.partner })));
  assert.equal(cards.length, 2, JSON.stringify(cards));
  const ours = cards.find((c) => c.partner === 'partner-demo');
  const other = cards.find((c) => c.partner !== 'partner-demo');
  assert.ok(ours && other, JSON.stringify(cards));

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

  const list = stack.citizenCli(['consent', 'list', '--output', 'json'], stack.login('alice'));
  assert.equal(list.code, 0, list.err);
  const consents = JSON.parse(list.out).consents || [];
  const accepted = consents.find((c) => c.request_id === ours.id);
  assert.ok(accepted, `a consent answers the request: ${list.out}`);
  assert.equal(accepted.notice_hash, displayedHash, 'the accepted notice hash is the one displayed');
  assert.equal(accepted.state, 'CONSENT_STATE_GIVEN');
  assert.equal(accepted.subject, alice);
  const refused = consents.find((c) => c.request_id === other.id);
  assert.ok(refused && refused.state === 'CONSENT_STATE_REFUSED', `refusal recorded: ${list.out}`);
}
