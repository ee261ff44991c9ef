// The broker's grant keys, cached and loaded again when they may have
// changed:
//  - when the set is older than the max-age of the Cache-Control header it
//    came with, so keys the broker withdrew stop verifying;
//  - when a token names a kid the cached set does not hold (a rotation);
// never more often than `minRefreshIntervalMs`, so that a flood of tokens
// with made-up kids cannot turn into a flood of fetches. Each load
// replaces the whole set; a failed load keeps the cached one.
import { performance } from 'node:perf_hooks';

import { status } from '@grpc/grpc-js';

import { AccordError, ConfigurationError, VerificationError } from './errors.js';
import { fetchJwks } from './jwks_fetch.js';
import { parseJwksUrl } from './jwks_url.js';
import { parseJwks } from './jwk_set.js';
import { readPem } from './pem.js';

const monotonic = () => performance.now();

export class JwksSource {
  #loader;
  #floorMs;
  #now;
  #keys = new Map();
  #lastLoad = -Infinity;
  #staleAt = Infinity;
  #loads = 0;
  #inflight = null;

  /**
   * A source over `loader`, an async function resolving to {text,
   * maxAgeSeconds}; use JwksSource.fromUrl or JwksSource.fromLoader, which
   * load once before resolving. `now`: a monotonic clock in milliseconds.
   */
  constructor(loader, { minRefreshIntervalMs = 30000, now = monotonic } = {}) {
    if (typeof loader !== 'function') throw new TypeError('loader: a function');
    if (!Number.isFinite(minRefreshIntervalMs) || minRefreshIntervalMs < 0) {
      throw new ConfigurationError('minRefreshIntervalMs', 'must be a number, not negative');
    }
    this.#loader = loader;
    this.#floorMs = minRefreshIntervalMs;
    this.#now = now;
  }

  /**
   * The keys at `url`, over https trusting only `caFile` (PEM), loaded
   * once. Plain http is refused unless `allowLoopbackHttp`, and then only
   * towards a loopback host. Throws ConfigurationError for a bad URL or
   * CA file, VerificationError "keys" when the first load fails.
   */
  static async fromUrl(url, { caFile, allowLoopbackHttp = false, fetchTimeoutMs = 5000,
    minRefreshIntervalMs, now } = {}) {
    const parsed = parseJwksUrl(url, allowLoopbackHttp);
    let ca;
    if (parsed.protocol === 'https:') {
      if (!caFile) {
        throw new ConfigurationError('caFile', 'required for an https JWKS URL ' +
          "(the CA that signs the broker's certificate)", status.FAILED_PRECONDITION);
      }
      ca = readPem('caFile', caFile);
    }
    return JwksSource.fromLoader(() => fetchJwks(parsed, { ca, timeoutMs: fetchTimeoutMs }),
      { minRefreshIntervalMs, now });
  }

  /**
   * A source over any loader, e.g. brokerKeysLoader(client), loaded once.
   */
  static async fromLoader(loader, options = {}) {
    const source = new JwksSource(loader, options);
    await source.#guarded(() => true);
    return source;
  }

  async #load() {
    const startedAt = this.#now();
    this.#lastLoad = startedAt;
    this.#loads += 1;
    const document = await this.#loader();
    let keys;
    try {
      keys = await parseJwks(document.text);
    } catch (e) {
      throw new VerificationError('keys', status.INVALID_ARGUMENT, `the JWKS is not usable: ${e.message}`);
    }
    this.#keys = keys;
    this.#staleAt = document.maxAgeSeconds === null || document.maxAgeSeconds === undefined
      ? Infinity : startedAt + document.maxAgeSeconds * 1000;
  }

  // One load at a time: a caller that finds one under way waits for it,
  // then decides afresh whether another is due.
  async #guarded(due) {
    while (this.#inflight) {
      try {
        await this.#inflight;
      } catch {
        // The caller that started it reports its error.
      }
    }
    if (!due()) return false;
    this.#inflight = this.#load();
    try {
      await this.#inflight;
    } finally {
      this.#inflight = null;
    }
    return true;
  }

  #due(staleOnly) {
    const now = this.#now();
    if (staleOnly && now < this.#staleAt) return false;
    return now - this.#lastLoad >= this.#floorMs;
  }

  /**
   * Loads again when past max-age and the floor; resolves true when it
   * did. Rejects with the load error (the cached set stays in use).
   */
  refreshIfStale() {
    return this.#guarded(() => this.#due(true));
  }

  /**
   * Loads again unless the last load is more recent than the floor;
   * resolves true when it did. Rejects with the load error.
   */
  refreshAfterUnknownKid() {
    return this.#guarded(() => this.#due(false));
  }

  /** The key named `kid`, or undefined. */
  key(kid) {
    return this.#keys.get(kid);
  }

  kids() {
    return [...this.#keys.keys()];
  }

  get loadCount() {
    return this.#loads;
  }
}

/**
 * A JwksSource loader over TrustService.GetVerificationKeys, e.g.
 * JwksSource.fromLoader(brokerKeysLoader(client)). A broker error rejects
 * as VerificationError "keys".
 */
export function brokerKeysLoader(client) {
  return async () => {
    let text;
    try {
      text = await client.getVerificationKeys();
    } catch (e) {
      if (e instanceof AccordError) {
        throw new VerificationError('keys', e.code, `GetVerificationKeys: ${e.details}`);
      }
      throw e;
    }
    return { text, maxAgeSeconds: null };
  };
}
