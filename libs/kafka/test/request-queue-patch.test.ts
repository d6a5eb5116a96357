import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

// kafkajs 2.2.4 is patched (patches/kafkajs@2.2.4.patch, pnpm's patchedDependencies): these tests fail on the
// unpatched package, and tell whether a new kafkajs still needs the patch.
interface RequestQueue {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueue;

const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

function queue(): RequestQueue {
  return new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'test:9092', logger: quietLogger });
}

function disarm(q: RequestQueue): void {
  if (q.throttleCheckTimeoutId) clearTimeout(q.throttleCheckTimeoutId);
  q.throttleCheckTimeoutId = null;
}

describe('kafkajs request queue (patched)', () => {
  it('arms no timer when nothing is pending and nothing throttled: an idle connection costs no CPU', () => {
    const q = queue();
    // What kafkajs does after every response; unpatched, this re-armed itself every millisecond for ever.
    q.checkPendingRequests();
    assert.equal(q.throttleCheckTimeoutId, null);
  });

  it('still checks again later when a request waits, or when the broker throttles', () => {
    const waiting = queue();
    waiting.pending.push({});
    waiting.scheduleCheckPendingRequests();
    assert.notEqual(waiting.throttleCheckTimeoutId, null);
    disarm(waiting);

    const throttled = queue();
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.scheduleCheckPendingRequests();
    assert.notEqual(throttled.throttleCheckTimeoutId, null);
    disarm(throttled);
  });
});
