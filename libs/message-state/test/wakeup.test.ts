import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';

import { Wakeup } from '../src/index.js';

/** Milliseconds that `wakeup.sleep(ms)` took. */
async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

describe('Wakeup', () => {
  it('remembers a kick that came while the loop was busy: the next sleep returns at once', async () => {
    const wakeup = new Wakeup();
    wakeup.kick(); // the loop is busy relaying, nobody sleeps
    assert.ok((await timed(() => wakeup.sleep(2_000))) < 100);
  });

  it('uses a remembered kick once: the sleep after it waits again', async () => {
    const wakeup = new Wakeup();
    wakeup.kick();
    wakeup.kick(); // several kicks while busy are one pending wake-up
    await wakeup.sleep(2_000);
    assert.ok((await timed(() => wakeup.sleep(150))) >= 140);
  });

  it('cuts a sleep short when kicked during it, and does not carry that kick over', async () => {
    const wakeup = new Wakeup();
    const elapsed = timed(() => wakeup.sleep(2_000));
    await sleep(20);
    wakeup.kick();
    assert.ok((await elapsed) < 200);
    assert.ok((await timed(() => wakeup.sleep(150))) >= 140);
  });

  it('sleeps the full time when nobody kicks', async () => {
    assert.ok((await timed(() => new Wakeup().sleep(150))) >= 140);
  });
});
