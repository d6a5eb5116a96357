/** How long to wait before asking Poort again, and for how long poort keeps asking. */
export interface RetryPolicy {
  /** The wait when a busy answer names none, and the first wait after a dropped connection. */
  readonly baseMs: number;
  /** No single wait is longer than this, whatever Retry-After says. */
  readonly maxWaitMs: number;
  /** Busy answers are retried for this long in a row; then the run stops as unable to get through. */
  readonly maxBusyMs: number;
  /** A dropped or refused connection is retried this many times in a row. */
  readonly maxConnectionAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, maxWaitMs: 60_000, maxBusyMs: 15 * 60_000, maxConnectionAttempts: 6 };

/**
 * The wait a Retry-After header asks for (seconds, or an HTTP date), capped by the policy; `undefined` when the
 * header is absent or unreadable.
 */
export function retryAfterMs(header: string | string[] | undefined, now: Date, policy: RetryPolicy = DEFAULT_RETRY): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  let ms: number;
  if (/^\s*\d+\s*$/.test(value)) ms = Number(value) * 1_000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now.getTime());
  }
  return Math.min(ms, policy.maxWaitMs);
}

/**
 * The wait before attempt `attempt` (1 = the first retry): exponential from baseMs, capped, with "full jitter" so
 * that many workers told to wait do not all come back in the same instant. `random` in [0, 1).
 */
export function backoffMs(attempt: number, random: () => number = Math.random, policy: RetryPolicy = DEFAULT_RETRY): number {
  const ceiling = Math.min(policy.maxWaitMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A busy answer's wait: what Retry-After says, spread by up to a fifth so that waiting workers spread out again. */
export function busyWaitMs(retryAfter: number | undefined, attempt: number, random: () => number = Math.random, policy: RetryPolicy = DEFAULT_RETRY): number {
  if (retryAfter === undefined) return backoffMs(attempt, random, policy);
  // "Retry-After: 0" is no licence to hammer a busy Poort.
  return Math.min(policy.maxWaitMs, Math.max(MIN_BUSY_WAIT_MS, Math.round(retryAfter * (1 + random() / 5))));
}

const MIN_BUSY_WAIT_MS = 250;

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
