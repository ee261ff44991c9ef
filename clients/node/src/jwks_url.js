// The rules of a JWKS location and of its freshness: https with a pinned
// CA, plain http only when asked for and only towards loopback; the
// max-age of Cache-Control.
import { isIP } from 'node:net';

import { ConfigurationError } from './errors.js';

/** A day: a longer max-age would keep a withdrawn key verifying too long. */
export const MAX_AGE_CAP_SECONDS = 86400;

/** True for 127.0.0.0/8, ::1 and "localhost" (any case). */
export function isLoopbackHost(host) {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.split('.')[0] === '127';
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * Parses "http(s)://host[:port][/path]" into a URL; ConfigurationError
 * "jwksUrl" naming the part at fault.
 */
export function parseJwksUrl(text, allowLoopbackHttp = false) {
  const fail = (why) => new ConfigurationError('jwksUrl', `${JSON.stringify(text)}: ${why}`);
  if (typeof text !== 'string' || text === '') throw fail('no URL');
  if (/[\x00-\x20\x7f]/.test(text)) throw fail('spaces or control bytes');
  let url;
  try {
    url = new URL(text);
  } catch {
    throw fail('not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail('the scheme must be https');
  if (url.username || url.password) throw fail('user info is not allowed');
  if (url.hash || text.includes('#')) throw fail('a fragment is not allowed');
  // WHATWG URL reads "https:///path" as the host "path".
  if (!url.hostname || !/^https?:\/\/[^/?#]/i.test(text)) throw fail('no host');
  if (url.protocol === 'http:') {
    if (!allowLoopbackHttp) {
      throw fail('plain http is refused; use https with a pinned CA (http is allowed only ' +
        'towards loopback, when asked for)');
    }
    if (!isLoopbackHost(url.hostname)) throw fail('plain http is allowed only towards a loopback host');
  }
  return url;
}

/**
 * The freshness a Cache-Control value gives, in seconds: the smallest
 * max-age (capped at a day), 0 for no-store or no-cache, null when it
 * gives none.
 */
export function cacheMaxAge(cacheControl) {
  if (!cacheControl) return null;
  let best = null;
  for (const directive of String(cacheControl).split(',')) {
    const [rawName, ...rest] = directive.split('=');
    const name = rawName.trim().toLowerCase();
    if (name === 'no-store' || name === 'no-cache') return 0;
    if (name !== 'max-age') continue;
    const value = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
    if (!/^[0-9]+$/.test(value)) continue;
    const age = Math.min(Number(value), MAX_AGE_CAP_SECONDS);
    best = best === null ? age : Math.min(best, age);
  }
  return best;
}
