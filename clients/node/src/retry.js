// Safe retries of write calls: each logical call carries a fresh random
// client request id, repeated on every attempt, so that the broker answers
// a retry with the first attempt's outcome and writes nothing more.
import { randomBytes } from 'node:crypto';

import { status } from '@grpc/grpc-js';

/** Attempts of one logical write call, the first included. */
export const MAX_ATTEMPTS = 4;

// The outcomes that leave a write's fate unknown (or unwritten).
const RETRYABLE = new Set([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

/** A fresh client request id: 22 base64url characters. */
export function newRequestId() {
  return randomBytes(16).toString('base64url');
}

/**
 * `attempt()` (a promise of one try of a write whose request carries a
 * client request id), tried again with the same request while it rejects
 * with an RpcError of code UNAVAILABLE or DEADLINE_EXCEEDED, up to
 * MAX_ATTEMPTS in all, 100, 200, 400 ms apart. Rejects with the last
 * attempt's error.
 */
export async function withRetries(attempt, { sleep = (ms) => new Promise((r) => setTimeout(r, ms)) } = {}) {
  let delay = 100;
  for (let n = 1; ; n += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!RETRYABLE.has(error?.code) || n >= MAX_ATTEMPTS) throw error;
    }
    await sleep(delay);
    delay *= 2;
  }
}
