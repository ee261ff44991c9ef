// "Mes données": the citizen's pages. Hash routes: #demandes, #consentements,
// #historique, #recus.
import { ApiError, csrfToken, get, post, setCsrf } from './api.mjs';
import { el, show } from './dom.mjs';
import { formatDate, language, localized, setLanguage, t } from './i18n.mjs';
import { verifyHistory } from './verify.mjs';

const main = document.getElementById('main');
const header = document.getElementById('header');
let session = null;

const pages = {
  demandes: { nav: 'navRequests', render: renderRequests },
  consentements: { nav: 'navConsents', render: renderConsents },
  historique: { nav: 'navHistory', render: renderHistory },
  recus: { nav: 'navReceipts', render: renderReceipts },
  export: { nav: 'navExport', render: renderExport },
};

function currentPage() {
  const name = location.hash.replace(/^#/, '');
  return pages[name] ? name : 'demandes';
}

function renderHeader() {
  const lang = el('button', {
    type: 'button', class: 'link', id: 'lang',
    lang: language() === 'fr' ? 'en' : 'fr',
    'aria-label': t('switchLanguageLabel'),
    onclick: () => {
      setLanguage(language() === 'fr' ? 'en' : 'fr');
      route();
    },
  }, t('switchLanguage'));
  const top = el('div', { class: 'top' },
      el('p', { class: 'brand' }, t('appName')), lang);
  if (!session) {
    show(header, top);
    return;
  }
  const logout = el('form', { method: 'post', action: '/logout', class: 'logout' },
      el('input', { type: 'hidden', name: 'csrf', value: csrfToken() }),
      el('span', { class: 'who' }, t('signedInAs', { name: session.subject })),
      el('button', { type: 'submit', id: 'logout' }, t('signOut')));
  top.append(logout);
  const page = currentPage();
  const nav = el('nav', { 'aria-label': t('navLabel') },
      el('ul', {}, Object.entries(pages).map(([name, p]) =>
        el('li', {}, el('a', {
          href: `#${name}`, id: `nav-${name}`,
          'aria-current': name === page ? 'page' : null,
        }, t(p.nav))))));
  show(header, top, nav);
}

function heading(key, introKey) {
  return [el('h1', { tabindex: '-1', id: 'page-title' }, t(key)),
    introKey ? el('p', { class: 'intro' }, t(introKey)) : null];
}

function status(text, kind = 'info') {
  return el('p', { class: `status ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

// The message of a failed call; a session that ended offers to sign in.
function failure(e) {
  const message = status(errorText(e), 'error');
  if (e instanceof ApiError && e.status === 401) {
    message.append(' ', el('a', { href: '/login' }, t('signIn')));
  }
  return message;
}

function errorText(e) {
  if (e instanceof ApiError && e.status === 401) return t('sessionEnded');
  if (e instanceof ApiError && e.status === 501) return t('unavailable');
  return t('error', { message: e.message });
}

function recipientText(recipient) {
  if (!recipient) return '';
  if (recipient.partner) return recipient.partner;
  return t('recipientCategory', { name: recipient.category || '' });
}

function definition(label, value) {
  return [el('dt', {}, label), el('dd', {}, value)];
}

// --- Demandes ---------------------------------------------------------------

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (x) => x.toString(16).padStart(2, '0')).join('');
}

// One request, from its notice (the broker's canonical JSON, texts in
// French and English): the citizen answers the notice shown, whose hash
// the browser checks before offering the buttons.
function requestCard(open, onAnswered) {
  const request = open.request || {};
  let notice = {};
  try {
    notice = JSON.parse(request.notice || '{}');
  } catch {
    notice = {};
  }
  const id = request.id;
  const titleId = `request-${id}-title`;
  const project = notice.project || {};
  const responsible = notice.responsible || {};
  const dataset = notice.dataset || {};
  const purpose = notice.purpose || {};
  const feedback = el('div', { 'aria-live': 'polite' });
  const answer = async (accept) => {
    try {
      await post(`/api/requests/${encodeURIComponent(id)}/${accept ? 'accept' : 'refuse'}`,
          { version: request.version, notice_hash: request.notice_hash });
      onAnswered(t(accept ? 'requestAccepted' : 'requestRefused'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && /notice changed/.test(e.message)) {
        // The request has a new version: nothing was recorded; the citizen
        // reads the new notice before answering.
        show(feedback, status(t('requestNoticeChanged'), 'error'),
            el('button', { type: 'button', class: 'reread', onclick: () => onAnswered('') },
                t('requestReread')));
        feedback.querySelector('.reread').focus();
        return;
      }
      show(feedback, status(errorText(e), 'error'));
    }
  };
  const who = [notice.partner?.organisation || request.partner,
    [responsible.name, responsible.role].filter(Boolean).join(', '),
    responsible.email].filter(Boolean).join(' — ');
  const accept = el('button', { type: 'button', class: 'primary accept', disabled: true,
    onclick: () => answer(true) }, t('requestAccept'));
  const refuse = el('button', { type: 'button', class: 'refuse', disabled: true,
    onclick: () => answer(false) }, t('requestRefuse'));
  const card = el('article', { class: 'card request', 'aria-labelledby': titleId,
    'data-request-id': id, 'data-partner': request.partner },
  el('h2', { id: titleId }, localized(project.title) || id),
  el('dl', {},
      definition(t('requestWho'), who),
      definition(t('requestWhat'), el('div', {},
          el('p', {}, [dataset.title, localized(dataset.description)].filter(Boolean).join(' — ')),
          el('ul', {}, (dataset.fields || []).map((f) =>
            el('li', {}, localized(f.description) || f.id))))),
      definition(t('requestWhy'), el('div', {},
          el('p', {}, localized(project.description)),
          el('p', {}, [localized(purpose.label), localized(purpose.description)]
              .filter(Boolean).join(' — ')))),
      project.public_benefit ?
        definition(t('requestBenefit'), localized(project.public_benefit)) : null,
      definition(t('requestHowLong'), localized(notice.duration) || t('requestNoLimit')),
      definition(t('requestDuties'), (notice.duties || []).length ?
        el('ul', {}, notice.duties.map((d) => el('li', {}, localized(d)))) :
        t('requestNoDuties')),
      definition(t('requestWithdraw'), localized(notice.withdraw) || t('requestWithdrawText'))),
  el('p', { class: 'hash' }, t('requestNoticeHash', { hash: request.notice_hash || '' })),
  open.answer && !open.needs_answer ?
    el('p', { class: 'answered' }, t('requestAnswered', { state: t(`state_${open.answer.state}`) })) : null,
  open.needs_answer ? el('div', { class: 'actions' }, accept, refuse) : null,
  feedback);
  if (open.needs_answer) {
    sha256Hex(request.notice || '').then((hash) => {
      if (hash === request.notice_hash) {
        accept.disabled = false;
        refuse.disabled = false;
      } else {
        show(feedback, status(t('requestHashMismatch'), 'error'));
      }
    });
  }
  return card;
}

async function renderRequests(message) {
  const feedback = el('div', { id: 'requests-feedback', 'aria-live': 'polite' },
      message ? status(message, 'success') : null);
  const list = el('div', { class: 'list' }, status(t('loading')));
  show(main, heading('requestsTitle', 'requestsIntro'), feedback, list);
  try {
    const data = await get('/api/requests');
    const requests = data.requests || [];
    if (!requests.length) {
      show(list, el('p', {}, t('requestsNone')));
      return;
    }
    const onAnswered = (text) => renderRequests(text);
    show(list, requests.map((r) => requestCard(r, onAnswered)));
  } catch (e) {
    show(list, failure(e));
  }
}

// --- Mes consentements ------------------------------------------------------

// Request id -> its notice, for consents that answer a request: their
// texts in words. Empty when the broker offers no requests.
async function noticesByRequest() {
  const notices = new Map();
  try {
    const data = await get('/api/requests');
    for (const open of data.requests || []) {
      try {
        notices.set(open.request.id, JSON.parse(open.request.notice || '{}'));
      } catch {
        // a notice that does not parse is not shown
      }
    }
  } catch {
    // the consents are shown with their identifiers
  }
  return notices;
}

// The title of a consent in words when it answers a request, and the
// identifiers it is about.
function consentTitle(consent, notices) {
  const notice = notices.get(consent.request_id);
  const ids = `${consent.dataset_id} — ${consent.purpose}`;
  const title = notice ? localized(notice.project?.title) : '';
  return { title: title || ids, detail: title ? ids : '' };
}

function consentCard(consent, onWithdrawn, notices) {
  const titleId = `consent-${consent.id}-title`;
  const live = consent.state === 'CONSENT_STATE_GIVEN';
  const actions = el('div', { class: 'actions' });
  const askConfirmation = () => {
    const no = el('button', { type: 'button', class: 'cancel',
      onclick: () => { show(actions, withdrawButton); withdrawButton.focus(); } },
    t('withdrawNo'));
    const yes = el('button', { type: 'button', class: 'danger confirm-withdraw',
      onclick: async () => {
        yes.disabled = true;
        try {
          await post(`/api/consents/${encodeURIComponent(consent.id)}/withdraw`);
          onWithdrawn(consent);
        } catch (e) {
          show(actions, status(errorText(e), 'error'), withdrawButton);
        }
      } }, t('withdrawYes'));
    const box = el('div', { class: 'confirm', role: 'group', 'aria-label': t('withdraw') },
        el('p', {}, t('withdrawConfirm', { what: recipientText(consent.recipient) })),
        yes, no);
    show(actions, box);
    yes.focus();
  };
  const withdrawButton = el('button', { type: 'button', class: 'danger withdraw',
    'aria-describedby': titleId, onclick: askConfirmation }, t('withdraw'));
  if (live) actions.append(withdrawButton);
  return el('article', { class: `card consent ${live ? 'live' : 'ended'}`,
    'aria-labelledby': titleId, 'data-consent-id': consent.id,
    'data-state': consent.state },
  el('h3', { id: titleId }, consentTitle(consent, notices).title),
  consentTitle(consent, notices).detail ?
    el('p', { class: 'ids' }, consentTitle(consent, notices).detail) : null,
  el('dl', {},
      definition(t('consentRecipient'), recipientText(consent.recipient)),
      definition(t('consentState'), t(`state_${consent.state}`)),
      definition(t('consentGiven'), formatDate(consent.given_at)),
      definition(t('consentExpires'), Number(consent.expires_at || 0) ?
        formatDate(consent.expires_at) : t('consentNoExpiry'))),
  actions);
}

async function renderConsents(message) {
  const feedback = el('div', { id: 'consents-feedback', 'aria-live': 'polite' },
      message ? status(message, 'success') : null);
  const list = el('div', { class: 'list' }, status(t('loading')));
  show(main, heading('consentsTitle', 'consentsIntro'), feedback, list);
  try {
    const [data, notices] = await Promise.all([get('/api/consents'), noticesByRequest()]);
    const consents = data.consents || [];
    if (!consents.length) {
      show(list, el('p', {}, t('consentsNone')));
      return;
    }
    const onWithdrawn = () => renderConsents(t('withdrawDone'));
    const live = consents.filter((c) => c.state === 'CONSENT_STATE_GIVEN');
    const ended = consents.filter((c) => c.state !== 'CONSENT_STATE_GIVEN');
    show(list,
        el('section', { 'aria-labelledby': 'live-title' },
            el('h2', { id: 'live-title' }, t('consentsLive')),
            live.length ? live.map((c) => consentCard(c, onWithdrawn, notices)) :
              el('p', {}, t('consentsNone'))),
        ended.length ? el('section', { 'aria-labelledby': 'ended-title' },
            el('h2', { id: 'ended-title' }, t('consentsEnded')),
            ended.map((c) => consentCard(c, onWithdrawn, notices))) : null);
    if (message) feedback.querySelector('p')?.focus?.();
  } catch (e) {
    show(list, failure(e));
  }
}

// --- Qui a utilisé mes données ---------------------------------------------

async function renderHistory() {
  const summary = el('div', { 'aria-live': 'polite', id: 'history-summary' });
  const list = el('div', { class: 'list' }, status(t('loading')));
  show(main, heading('historyTitle', 'historyIntro'), summary, list);
  let history;
  try {
    history = await get('/api/history');
  } catch (e) {
    show(list, failure(e));
    return;
  }
  const records = (history.pages || []).flatMap((p) => p.records || []);
  if (!records.length) {
    show(list, el('p', {}, t('historyNone')));
    return;
  }
  const rows = new Map();
  const tbody = el('tbody', {}, records.map((r) => {
    const check = el('td', { class: 'check', 'data-label': t('historyCheck') },
        t('historyChecking'));
    const row = el('tr', { 'data-grant-id': r.grant_id, 'data-verified': 'pending' },
        el('td', { 'data-label': t('historyDate') }, formatDate(r.issued_at)),
        el('td', { 'data-label': t('historyPartner') }, r.partner),
        el('td', { 'data-label': t('historyDataset') }, r.dataset_id),
        el('td', { 'data-label': t('historyPurpose') }, r.purpose),
        el('td', { 'data-label': t('historyFields') }, (r.fields || []).join(', ')),
        check);
    rows.set(r, { row, check });
    return row;
  }));
  show(list, el('div', { class: 'table-wrap', tabindex: '0', role: 'region',
    'aria-labelledby': 'page-title' },
  el('table', {},
      el('caption', { class: 'visually-hidden' }, t('historyTitle')),
      el('thead', {}, el('tr', {},
          ['historyDate', 'historyPartner', 'historyDataset', 'historyPurpose',
            'historyFields', 'historyCheck'].map((k) => el('th', { scope: 'col' }, t(k))))),
      tbody)));
  const lines = await verifyHistory(history, session.checkpoint_key);
  let ok = 0;
  let bad = 0;
  let old = 0;
  for (const { record, problem, unverifiable } of lines) {
    const { row, check } = rows.get(record);
    if (unverifiable) {
      old++;
      row.dataset.verified = 'unverifiable';
      const long = t('historyUnverifiableLong', { date: formatDate(record.issued_at) });
      show(check, el('span', { class: 'unverifiable', title: long },
          t('historyUnverifiable')),
      el('span', { class: 'why' }, ` — ${long}`));
    } else if (problem === null) {
      ok++;
      row.dataset.verified = 'true';
      show(check, el('span', { class: 'verified', title: t('historyVerifiedLong') },
          '✓ ', t('historyVerified')),
      el('span', { class: 'visually-hidden' }, ` — ${t('historyVerifiedLong')}`));
    } else {
      bad++;
      row.dataset.verified = 'false';
      row.classList.add('failed');
      show(check, el('strong', { class: 'failed' }, '✗ ', t('historyFailed')),
          el('span', { class: 'why' }, ` — ${t('historyFailedLong', { why: problem })}`));
    }
  }
  const said = old ? t('historySummaryOld', { ok, bad, old }) : t('historySummary', { ok, bad });
  show(summary, status(said, bad ? 'error' : 'success'));
}

// --- Mes reçus --------------------------------------------------------------

async function renderReceipts() {
  const list = el('div', { class: 'list' }, status(t('loading')));
  show(main, heading('receiptsTitle', 'receiptsIntro'), list);
  try {
    const [data, notices] = await Promise.all([get('/api/consents'), noticesByRequest()]);
    const consents = data.consents || [];
    if (!consents.length) {
      show(list, el('p', {}, t('receiptsNone')));
      return;
    }
    show(list, el('ul', { class: 'receipts' }, consents.map((c) => {
      const id = encodeURIComponent(c.id);
      return el('li', { class: 'card', 'data-consent-id': c.id },
          el('h2', {}, consentTitle(c, notices).title),
          el('p', {}, `${recipientText(c.recipient)} · ${t(`state_${c.state}`)} · ${formatDate(c.given_at, false)}`),
          el('p', { class: 'actions' },
              el('a', { href: `/api/consents/${id}/receipt.jws`, download: `recu-${c.id}.jws`,
                class: 'button download-jws' }, t('receiptDownload')),
              el('a', { href: `/receipt.html?id=${id}`, class: 'button print-receipt' },
                  t('receiptPrint'))));
    })));
  } catch (e) {
    show(list, failure(e));
  }
}

// --- Exporter mes données ---------------------------------------------------

function renderExport() {
  show(main, heading('exportTitle', 'exportIntro'),
      el('ul', {}, ['exportRecords', 'exportReceipts', 'exportHistory'].map((k) => el('li', {}, t(k)))),
      el('p', {}, el('a', { href: '/api/export.json', download: 'mes-donnees-accord.json',
        class: 'button primary export', id: 'export' }, t('exportDownload'))),
      el('p', {}, t('exportFormat')),
      eraseSection());
}

// Effacer mes données: the erasure, after a confirmation; the session ends
// with it, and the signed receipt is shown.
function eraseSection() {
  const actions = el('div', { class: 'actions' });
  const eraseButton = el('button', { type: 'button', class: 'danger erase', id: 'erase',
    onclick: () => {
      const no = el('button', { type: 'button', class: 'cancel',
        onclick: () => { show(actions, eraseButton); eraseButton.focus(); } }, t('eraseNo'));
      const yes = el('button', { type: 'button', class: 'danger confirm-erase',
        onclick: async () => {
          yes.disabled = true;
          try {
            showErased(await post('/api/erase'));
          } catch (e) {
            show(actions, failure(e), eraseButton);
          }
        } }, t('eraseYes'));
      show(actions, el('div', { class: 'confirm', role: 'group', 'aria-label': t('eraseTitle') },
          el('p', {}, t('eraseConfirm')), yes, no));
      yes.focus();
    } }, t('eraseButton'));
  actions.append(eraseButton);
  return el('section', { 'aria-labelledby': 'erase-title' },
      el('h2', { id: 'erase-title' }, t('eraseTitle')),
      el('p', {}, t('eraseIntro')), actions);
}

function showErased(answer) {
  const erasure = answer.erasure || {};
  session = null;
  setCsrf('');
  renderHeader();
  const finish = answer.logout_url ?
    el('a', { href: answer.logout_url, class: 'button primary', id: 'erase-finish' }, t('eraseFinish')) :
    el('a', { href: '/', class: 'button primary', id: 'erase-finish' }, t('eraseFinish'));
  show(main, el('h1', { tabindex: '-1', id: 'page-title' }, t('eraseDoneTitle')),
      status(t('eraseDone'), 'info'),
      el('p', { class: 'erase-counts' }, t('eraseCounts', {
        withdrawn: erasure.consentsWithdrawn ?? erasure.consents_withdrawn ?? 0,
        revoked: erasure.grantsRevoked ?? erasure.grants_revoked ?? 0,
        erased: erasure.consentsErased ?? erasure.consents_erased ?? 0,
      })),
      el('p', {}, t('eraseReceipt')),
      el('pre', { class: 'receipt erase-receipt', id: 'erase-receipt' }, erasure.receipt || ''),
      el('p', {}, finish));
  document.getElementById('page-title')?.focus();
}

// --- Start ------------------------------------------------------------------

function renderWelcome() {
  const failed = new URLSearchParams(location.search).get('signin') === 'failed';
  show(main, el('h1', { tabindex: '-1', id: 'page-title' }, t('welcomeTitle')),
      failed ? status(t('signInFailed'), 'error') : null,
      el('p', {}, t('welcomeText')),
      el('p', {}, el('a', { href: '/login', class: 'button primary', id: 'login' }, t('signIn'))));
}

async function route() {
  renderHeader();
  document.title = `${t(session ? pages[currentPage()].nav : 'welcomeTitle')} — ${t('appName')}`;
  if (!session) {
    renderWelcome();
    return;
  }
  await pages[currentPage()].render();
}

async function start() {
  try {
    const info = await get('/api/session');
    session = info;
    setCsrf(info.csrf);
  } catch {
    session = null;
  }
  window.addEventListener('hashchange', async () => {
    await route();
    document.getElementById('page-title')?.focus();
  });
  await route();
  document.body.dataset.ready = 'true';
}

start();
