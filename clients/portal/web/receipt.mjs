// The printable consent receipt: its content in words, its signature
// checked by the browser (WebCrypto) against the platform's receipt keys,
// and how anyone can verify it.
import { get } from './api.mjs';
import { el, show } from './dom.mjs';
import { formatDate, t } from './i18n.mjs';
import { base64ToBytes } from './verify.mjs';

const main = document.getElementById('main');

function base64UrlToBytes(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return base64ToBytes(b64 + '='.repeat((4 - b64.length % 4) % 4));
}

function decodePart(part) {
  return JSON.parse(new TextDecoder().decode(base64UrlToBytes(part)));
}

// Verifies the compact JWS `jws` against the JWKS text; returns null or
// why not.
async function checkSignature(jws, jwksText) {
  try {
    const [h, p, s] = jws.split('.');
    const header = decodePart(h);
    if (header.typ !== 'consent-receipt+jwt') return 'typ';
    const jwk = (JSON.parse(jwksText).keys || []).find((k) => k.kid === header.kid);
    if (!jwk) return 'unknown key';
    const data = new TextEncoder().encode(`${h}.${p}`);
    const sig = base64UrlToBytes(s);
    let ok = false;
    if (header.alg === 'ES256' && jwk.kty === 'EC') {
      const key = await crypto.subtle.importKey('jwk',
          { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y },
          { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
      ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, sig, data);
    } else if (header.alg === 'EdDSA' && jwk.kty === 'OKP') {
      const key = await crypto.subtle.importKey('jwk',
          { kty: 'OKP', crv: jwk.crv, x: jwk.x }, { name: 'Ed25519' }, false, ['verify']);
      ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, data);
    } else {
      return `alg ${header.alg}`;
    }
    return ok ? null : 'signature';
  } catch (e) {
    return String(e.message || e);
  }
}

function row(label, value) {
  return [el('dt', {}, label), el('dd', {}, value ?? '')];
}

// The recipient claim in words.
function recipientOf(claims) {
  const r = claims.recipient || {};
  if (r.partner) return r.partner;
  if (r.category) return t('recipientCategory', { name: r.category });
  return '';
}

async function start() {
  const id = new URLSearchParams(location.search).get('id') || '';
  document.title = t('receiptTitle');
  show(main, el('p', { role: 'status' }, t('loading')));
  let data;
  let keys;
  try {
    data = await get(`/api/consents/${encodeURIComponent(id)}`);
    keys = await get('/api/keys');
  } catch (e) {
    show(main, el('h1', {}, t('receiptTitle')),
        el('p', { role: 'alert' }, t('error', { message: e.message })));
    return;
  }
  const jws = data.receipt || '';
  const claims = decodePart(jws.split('.')[1] || '');
  const header = decodePart(jws.split('.')[0] || '');
  const problem = await checkSignature(jws, keys.receipt_jwks || '{}');
  const notice = claims.notice ? `v${claims.notice.version ?? ''} ${claims.notice.hash ?? ''}` : '';
  show(main,
      el('h1', {}, t('receiptTitle')),
      el('p', { class: 'no-print actions' },
          el('button', { type: 'button', onclick: () => window.print() }, t('receiptPrintButton')),
          el('a', { href: '/#recus', class: 'button' }, t('receiptBack'))),
      el('p', { class: 'summary' }, t('receiptSummary', {
        recipient: recipientOf(claims), dataset: claims.dataset ?? '',
        purpose: claims.purpose ?? '', state: t(`state_${claims.state}`) })),
      el('dl', { class: 'receipt' },
          row(t('receiptId'), claims.jti),
          row(t('receiptIssuedAt'), formatDate(claims.iat)),
          row(t('receiptIssuer'), claims.iss),
          row(t('receiptController'), claims.controller),
          row(t('receiptSubject'), claims.sub),
          row(t('receiptConsentId'), claims.consent_id),
          row(t('consentDataset'), claims.dataset),
          row(t('consentPurpose'), claims.purpose),
          row(t('consentRecipient'), recipientOf(claims)),
          row(t('consentState'), t(`state_${claims.state}`)),
          row(t('receiptNotice'), notice),
          row(t('receiptLegalBasis'), t(`legal_${claims.legal_basis}`)),
          Number(claims.expires_at || 0) ? row(t('receiptExpires'), formatDate(claims.expires_at)) : null,
          row(t('receiptSignature'), problem === null ?
            t('receiptSignatureOk', { kid: header.kid }) :
            t('receiptSignatureBad', { why: problem }))),
      el('section', { 'aria-labelledby': 'how' },
          el('h2', { id: 'how' }, t('receiptHowTitle')),
          el('p', {}, t('receiptHow1')),
          el('p', {}, t('receiptHow2')),
          el('pre', {}, `accord consent show ${claims.consent_id ?? id} --receipt`),
          el('p', {}, t('receiptHow3')),
          el('pre', { class: 'jws', id: 'receipt-jws' }, jws),
          el('p', {}, t('receiptKeys')),
          el('pre', { class: 'jws' }, keys.receipt_jwks || '')));
  document.body.dataset.ready = 'true';
}

start();
