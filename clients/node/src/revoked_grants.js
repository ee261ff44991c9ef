// The grant ids a data service must no longer honour, fed by the broker's
// revocation stream (RevocationWatcher).
//
// Bounded: a revocation names grant ids only, not their expiry, so an id
// is kept for the longest lifetime the broker gives a grant (its
// max_grant_lifetime_seconds) after it arrived; by then the lifetime check
// refuses the grant anyway.
//
// Fail closed: while the stream is down a revocation may be missed, so
// after `maxStalenessMs` without a stream (and before the first one) every
// grant is refused. A stream counts as up once it delivered a revocation
// or stayed open `settleMs` (the broker sends nothing on a stream it
// accepted until there is a revocation, and ends at once one it refuses).
import { performance } from 'node:perf_hooks';

import { status } from '@grpc/grpc-js';

import { VerificationError } from './errors.js';

export class RevokedGrants {
  #maxLifetime;
  #maxStaleness;
  #settle;
  #now;
  #revoked = new Map(); // grant id -> when it arrived
  #arrivals = [];       // [arrived, grant id], oldest first
  #open = false;
  #delivered = false;
  #openedAt = 0;
  #everUp = false;
  #downSince = -Infinity;

  /** Durations in milliseconds; `now`: a monotonic clock in milliseconds. */
  constructor({ maxGrantLifetimeMs = 86400000, maxStalenessMs = 30000, settleMs = 1000,
    now = () => performance.now() } = {}) {
    this.#maxLifetime = maxGrantLifetimeMs;
    this.#maxStaleness = maxStalenessMs;
    this.#settle = settleMs;
    this.#now = now;
  }

  /** Records revoked ids (they arrived now, on the open stream). */
  add(grantIds) {
    const now = this.#now();
    if (this.#open) this.#delivered = true;
    this.#prune(now);
    for (const id of grantIds) {
      this.#revoked.set(id, now);
      this.#arrivals.push([now, id]);
    }
  }

  streamOpened() {
    this.#open = true;
    this.#delivered = false;
    this.#openedAt = this.#now();
  }

  streamEnded() {
    const now = this.#now();
    // A stream that never came up leaves the time the last good one ended,
    // so retries cannot hide an outage.
    if (this.#up(now)) {
      this.#everUp = true;
      this.#downSince = now;
    }
    this.#open = false;
    this.#delivered = false;
  }

  isUp() {
    return this.#up(this.#now());
  }

  has(grantId) {
    return this.#revoked.has(grantId);
  }

  get size() {
    return this.#revoked.size;
  }

  /**
   * Returns when `grantId` may be honoured as far as revocations go.
   * Throws VerificationError "revoked" (PERMISSION_DENIED) for a revoked
   * grant, "revocations" (UNAVAILABLE) while the stream cannot vouch.
   */
  check(grantId) {
    const now = this.#now();
    if (this.#revoked.has(grantId)) {
      throw new VerificationError('revoked', status.PERMISSION_DENIED, `grant ${grantId} was revoked`);
    }
    if (this.#up(now)) return;
    if (!this.#everUp) {
      throw new VerificationError('revocations', status.UNAVAILABLE, 'the revocation stream is not up yet');
    }
    if (now - this.#downSince > this.#maxStaleness) {
      throw new VerificationError('revocations', status.UNAVAILABLE,
        `the revocation stream has been down for ${Math.round((now - this.#downSince) / 1000)} s`);
    }
  }

  #up(now) {
    return this.#open && (this.#delivered || now - this.#openedAt >= this.#settle);
  }

  #prune(now) {
    let drop = 0;
    while (drop < this.#arrivals.length && now - this.#arrivals[drop][0] > this.#maxLifetime) {
      const [arrived, id] = this.#arrivals[drop];
      if (this.#revoked.get(id) === arrived) this.#revoked.delete(id);
      drop += 1;
    }
    if (drop > 0) this.#arrivals.splice(0, drop);
  }
}
