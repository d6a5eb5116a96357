import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Coalescer } from '../src/coalescer.js';

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

  it('after a shared batch fails, handles each of its items alone: one bad item fails only itself, with its own error', async () => {
    const batches: number[][] = [];
    const coalescer = new Coalescer<number, string>(async (items) => {
      batches.push([...items]);
      if (items.includes(13)) throw new Error(`cannot take 13 (batch of ${items.length})`);
      return items.map((item) => `#${item}`);
    });
    const outcomes = await Promise.allSettled([7, 13, 8].map((item) => coalescer.submit(item)));
    assert.deepEqual(batches, [[7, 13, 8], [7], [13], [8]]);
    assert.deepEqual(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : String(outcome.reason))), [
      '#7',
      'Error: cannot take 13 (batch of 1)',
      '#8',
    ]);
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
