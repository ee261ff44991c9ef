// TrustService.WatchRevocations as an async iterator.
import { status } from '@grpc/grpc-js';

import { RpcError, statusFromNumber } from './errors.js';
import { revocationFromProto } from './models.js';

// Revocations read from the call but not yet taken by the caller; past
// this many the call is paused, so a slow reader does not buffer without
// bound (gRPC's flow control then holds the broker back).
const HIGH_WATER = 64;

/** A grpc-js error (ServiceError) as an RpcError. */
export function rpcError(e) {
  if (typeof e?.code === 'number') return new RpcError(statusFromNumber(e.code), e.details ?? e.message ?? '');
  return new RpcError(status.UNKNOWN, String(e?.message ?? e));
}

/**
 * The revocations of one WatchRevocations call, in order:
 *
 *   for await (const revocation of client.watchRevocations(0)) { ... }
 *
 * Iteration ends when the broker closes the stream cleanly and throws
 * RpcError otherwise (UNAVAILABLE when the broker went away, CANCELLED
 * after cancel()). The broker sends nothing until there is a revocation,
 * so a next() waits; leaving a for-await loop (break, return, throw) or
 * cancel() ends the call.
 */
export class RevocationStream {
  #call;
  #queue = [];
  #waiters = [];
  #pendingError;
  #finished = false;
  #error;

  constructor(call) {
    this.#call = call;
    call.on('data', (message) => {
      let item;
      try {
        item = { value: revocationFromProto(message.revocation) };
      } catch (e) {
        // A revision that does not fit a number: end here, never skip it.
        this.#pendingError = e;
        this.#call.cancel();
        return;
      }
      const waiter = this.#waiters.shift();
      if (waiter) {
        waiter.resolve({ value: item.value, done: false });
        return;
      }
      this.#queue.push(item.value);
      if (this.#queue.length >= HIGH_WATER) call.pause();
    });
    // grpc-js emits 'error' for a non-OK status before 'end': revocations
    // still buffered are delivered first, then the error.
    call.on('error', (e) => {
      this.#pendingError ??= rpcError(e);
    });
    call.on('end', () => this.#finish());
    call.on('close', () => this.#finish());
  }

  #finish() {
    if (this.#finished) return;
    this.#finished = true;
    this.#error = this.#pendingError;
    for (const waiter of this.#waiters.splice(0)) this.#settle(waiter);
  }

  #settle(waiter) {
    if (this.#error) waiter.reject(this.#error);
    else waiter.resolve({ value: undefined, done: true });
  }

  /** The next revocation ({done: true} at a clean end); rejects with RpcError. */
  next() {
    if (this.#queue.length > 0) {
      const value = this.#queue.shift();
      if (this.#queue.length < HIGH_WATER / 2) this.#call.resume();
      return Promise.resolve({ value, done: false });
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      if (this.#finished) this.#settle(waiter);
      else this.#waiters.push(waiter);
    });
  }

  /** Ends the call; a pending or later next() rejects with CANCELLED. */
  cancel() {
    this.#call.cancel();
  }

  [Symbol.asyncIterator]() {
    return {
      next: () => this.next(),
      return: async () => {
        this.cancel();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }
}
