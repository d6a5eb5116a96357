import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { nextDelayMs, type BackoffPolicy } from '../src/delivery/backoff.js';

const policy: BackoffPolicy = { initialBackoff: 1_000, maxBackoff: 60_000 };
/** The random source at its bounds: 0 gives the shortest delay (half), 1 the longest (the full delay). */
const shortest = () => 0;
const longest = () => 1;

describe('nextDelayMs', () => {
  it('waits the initial back-off after the first failed attempt', () => {
    assert.equal(nextDelayMs(policy, 1, longest), 1_000);
    assert.equal(nextDelayMs(policy, 1, shortest), 500);
  });

  it('doubles the delay with every further failed attempt', () => {
    const full = [1, 2, 3, 4, 5, 6].map((failed) => nextDelayMs(policy, failed, longest));
    assert.deepEqual(full, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
  });

  it('is capped at the maximum back-off, however many attempts failed', () => {
    assert.equal(nextDelayMs(policy, 7, longest), 60_000, '64 s would exceed the 60 s cap');
    assert.equal(nextDelayMs(policy, 50, longest), 60_000);
    assert.equal(nextDelayMs(policy, 5_000, longest), 60_000, 'no overflow to Infinity or NaN after very many attempts');
    assert.equal(nextDelayMs(policy, 5_000, shortest), 30_000);
  });

  it('grows monotonically until the cap and stays there', () => {
    for (const random of [shortest, () => 0.5, longest]) {
      const delays = Array.from({ length: 12 }, (_, index) => nextDelayMs(policy, index + 1, random));
      const capAt = delays.findIndex((delay) => delay === nextDelayMs(policy, 1_000, random));
      assert.ok(capAt > 0, `the cap is reached within 12 attempts: ${delays.join(', ')}`);
      for (let index = 1; index < delays.length; index++) {
        const [before, now] = [delays[index - 1]!, delays[index]!];
        if (index <= capAt) assert.ok(now > before, `attempt ${index + 1} waits longer than attempt ${index}: ${delays.join(', ')}`);
        else assert.equal(now, before, `after the cap every attempt waits the same: ${delays.join(', ')}`);
      }
    }
  });

  it('keeps the jitter within half to the full delay', () => {
    for (const failed of [1, 2, 3, 6, 7, 20]) {
      const full = nextDelayMs(policy, failed, longest);
      assert.equal(nextDelayMs(policy, failed, shortest), full / 2, `attempt ${failed}: random 0 gives half`);
      for (const r of [0.001, 0.25, 0.5, 0.75, 0.999]) {
        const delay = nextDelayMs(policy, failed, () => r);
        assert.ok(delay >= full / 2 && delay <= full, `attempt ${failed}, random ${r}: ${delay} within [${full / 2}, ${full}]`);
      }
    }
  });

  it('spreads retries with the default random source, always within the bounds', () => {
    const delays = Array.from({ length: 500 }, () => nextDelayMs(policy, 3));
    assert.ok(delays.every((delay) => delay >= 2_000 && delay <= 4_000), 'every delay within [2 s, 4 s]');
    assert.ok(new Set(delays).size > 50, 'recipients coming back are not all retried at the same moment');
  });

  it('treats "no failed attempt yet" like the first failure rather than a shorter delay', () => {
    assert.equal(nextDelayMs(policy, 0, longest), 1_000);
  });

  it('rounds to whole milliseconds', () => {
    assert.equal(nextDelayMs({ initialBackoff: 333, maxBackoff: 10_000 }, 1, () => 0.5), 250);
    assert.ok(Number.isInteger(nextDelayMs({ initialBackoff: 333, maxBackoff: 10_000 }, 2, () => 0.123)));
  });
});
