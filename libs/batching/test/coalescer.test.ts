import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Coalescer, SharedBatchFailed } from '../src/coalescer.js';

/** A handler that records each batch and holds it until released. */
function heldHandler(fail?: (items: readonly number[]) => Error | undefined) {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  const coalescer = new Coalescer<number>(async (items) => {
    batches.push([...items]);
    await new Promise<void>((resolve) => releases.push(resolve));
    const error = fail?.(items);
    if (error) throw error;
  });
  const releaseNext = async () => {
    while (releases.length === 0) await new Promise((resolve) => setImmediate(resolve));
    releases.shift()!();
  };
  return { coalescer, batches, releaseNext };
}

describe('Coalescer', () => {
  it('handles what arrives together as one batch, and what arrives meanwhile as the next', async () => {
    const { coalescer, batches, releaseNext } = heldHandler();
    const first = [1, 2, 3].map((item) => coalescer.submit(item));
    while (batches.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const later = [4, 5].map((item) => coalescer.submit(item));
    await releaseNext();
    await Promise.all(first);
    await releaseNext();
    await Promise.all(later);
    assert.deepEqual(batches, [[1, 2, 3], [4, 5]]);
  });

  it("gives a lone item's error as it is, and a shared batch's as SharedBatchFailed to every caller in it", async () => {
    const boom = new Error('boom');
    const { coalescer, releaseNext } = heldHandler((items) => (items.includes(13) ? boom : undefined));
    const alone = coalescer.submit(13);
    await releaseNext();
    await assert.rejects(alone, (error) => error === boom);

    const shared = [7, 13, 8].map((item) => coalescer.submit(item));
    await releaseNext();
    for (const outcome of await Promise.allSettled(shared)) {
      assert.equal(outcome.status, 'rejected');
      assert.ok(outcome.reason instanceof SharedBatchFailed);
      assert.equal(outcome.reason.cause, boom);
    }
  });

  it('goes on after a failed batch', async () => {
    const { coalescer, batches, releaseNext } = heldHandler((items) => (items.includes(0) ? new Error('zero') : undefined));
    const failing = coalescer.submit(0);
    await releaseNext();
    await assert.rejects(failing, /zero/);
    const next = coalescer.submit(1);
    await releaseNext();
    await next;
    assert.deepEqual(batches, [[0], [1]]);
  });
});

describe('Coalescer with results', () => {
  it("gives each caller its own item's result", async () => {
    const coalescer = new Coalescer<number, string>(async (items) => items.map((item) => `#${item}`));
    assert.deepEqual(await Promise.all([1, 2, 3].map((item) => coalescer.submit(item))), ['#1', '#2', '#3']);
  });
});
