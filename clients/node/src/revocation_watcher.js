// Follows client.watchRevocations() into a RevokedGrants, resuming after
// the last revision seen when the stream breaks.
import { status } from '@grpc/grpc-js';

import { AccordError } from './errors.js';
import { RevokedGrants } from './revoked_grants.js';

/**
 * Starts following at once. When the stream breaks it resumes after the
 * last revision it saw, after a backoff that doubles up to `maxBackoffMs`
 * (with jitter) and starts again once a stream was up. The broker shows a
 * caller what it may see: a data service connects as the producer of the
 * data it serves, a partner sees its own grants.
 *
 *   const watcher = new RevocationWatcher(client);
 *   const verifier = new GrantVerifier(keys, audience, { revoked: watcher.revoked });
 *   ...
 *   await watcher.stop();
 */
export class RevocationWatcher {
  #client;
  #initialBackoff;
  #maxBackoff;
  #onRevocation;
  #stopping = false;
  #stream = null;
  #wake = null;
  #lastRevision = 0;
  #streamsOpened = 0;
  #lastError = null;
  #running;

  constructor(client, { revoked = new RevokedGrants(), initialBackoffMs = 200, maxBackoffMs = 10000,
    onRevocation = null } = {}) {
    if (!(initialBackoffMs > 0) || !(maxBackoffMs > 0)) throw new RangeError('backoffs must be positive');
    this.revoked = revoked;
    this.#client = client;
    this.#initialBackoff = initialBackoffMs;
    this.#maxBackoff = maxBackoffMs;
    this.#onRevocation = onRevocation;
    this.#running = this.#run();
  }

  get lastRevision() { return this.#lastRevision; }

  get streamsOpened() { return this.#streamsOpened; }

  /** The error that ended the last stream, or null. */
  get lastError() { return this.#lastError; }

  /** Cancels the stream and resolves once following has ended. */
  async stop() {
    this.#stopping = true;
    this.#stream?.cancel();
    this.#wake?.();
    await this.#running;
  }

  async #run() {
    let backoff = this.#initialBackoff;
    while (!this.#stopping) {
      const wasUp = await this.#followOnce();
      if (this.#stopping) break;
      if (wasUp) backoff = this.#initialBackoff;
      await this.#pause(backoff * (0.5 + Math.random() / 2));
      backoff = Math.min(backoff * 2, this.#maxBackoff);
    }
  }

  #pause(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => { this.#wake = null; });
  }

  // Follows one stream until it ends; resolves true when it was up.
  async #followOnce() {
    let stream;
    try {
      stream = this.#client.watchRevocations(this.#lastRevision);
    } catch (e) {
      this.#lastError = e instanceof AccordError ? e : new AccordError(status.UNKNOWN, String(e));
      return false;
    }
    this.#stream = stream;
    this.#streamsOpened += 1;
    this.revoked.streamOpened();
    let error = null;
    try {
      for await (const revocation of stream) {
        this.revoked.add(revocation.grantIds);
        this.#lastRevision = Math.max(this.#lastRevision, revocation.revision);
        this.#onRevocation?.(revocation);
      }
    } catch (e) {
      // From the stream, or from onRevocation (leaving the loop cancelled
      // the stream): resume either way.
      error = e instanceof AccordError ? e : new AccordError(status.UNKNOWN, `onRevocation threw ${e}`);
    } finally {
      // Always, so that a stream that ended never counts as up.
      this.#stream = null;
    }
    const wasUp = this.revoked.isUp();
    this.revoked.streamEnded();
    this.#lastError = error;
    return wasUp;
  }
}
