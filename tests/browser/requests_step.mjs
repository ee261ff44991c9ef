// The Demandes page answering a consent request (portal_test.mjs
// --requests): partner-demo drafts the example request
// (clients/examples/requests/energy-study.yaml) and producer-demo approves
// it with the accord CLI; Alice reads its notice in the browser and
// accepts; the consent recorded answers the version and notice hash the
// page displayed; a grant request for its purpose then names her.
// Needs the broker's ConsentRequestService and ConsentService request
// RPCs, and `accord request`.
import assert from 'node:assert/strict';
import { join } from 'node:path';

const kRequest = 'portal-energy-study';

export async function checkRequests({ page, stack, alice, openPage, axeCheck }) {
  const draft = stack.cli(['request', 'draft', '--as', 'partner-demo', '--request', kRequest,
    '--file', join(stack.sourceDir, 'clients/examples/requests/energy-study.yaml'),
    '--output', 'json']);
  assert.equal(draft.code, 0, `request draft: ${draft.err}`);
  for (const [args, who] of [[['request', 'submit', kRequest], 'partner-demo'],
    [['request', 'approve', kRequest], 'producer-demo']]) {
    const r = stack.cli([...args, '--as', who, '--output', 'json']);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
  }

  await openPage(page, stack, 'demandes');
  const card = `article[data-request-id="${kRequest}"]`;
  await page.waitForSelector(card);
  const text = await page.$eval(card, (e) => e.textContent);
  for (const part of ['Qui demande', 'Quelles données', 'Pourquoi', 'Pour combien de temps',
    'Ce qu’ils s’engagent à faire', 'Comment retirer votre accord', 'Université de Rennes',
    'kwh', '180 jours']) {
    assert.ok(text.includes(part), `the notice shows ${part}: ${text}`);
  }
  const shownHash = (await page.$eval(`${card} .hash`, (e) => e.textContent)).split(': ').pop().trim();
  await axeCheck(page, 'demandes with a request');
  await page.click(`${card} .accept`);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('Votre accord est enregistré'),
      {}, card);

  const list = stack.citizenCli(['consent', 'list', '--output', 'json'], stack.login('alice'));
  assert.equal(list.code, 0, list.err);
  const answered = (JSON.parse(list.out).consents || []).find((c) => c.request_id === kRequest);
  assert.ok(answered, `a consent answers the request: ${list.out}`);
  assert.equal(answered.notice_hash, shownHash, 'the accepted notice hash is the one displayed');
  assert.equal(answered.state, 'CONSENT_STATE_GIVEN');
  assert.equal(answered.subject, alice);
}
