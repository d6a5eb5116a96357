import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { ScratchDatabase, requiredEnv } from '@poort/testing';

import { claimInbox, withTransaction } from '../src/index.js';

let db: ScratchDatabase;
before(async () => {
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'message_state_inbox');
});
after(async () => {
  await db?.drop();
});

/** Keys of their own for each test, so that tests sharing the database do not see each other's claims. */
const keys = (count: number) => Array.from({ length: count }, () => randomUUID());
const claim = (consumer: string, claimed: readonly string[]) => withTransaction(db.pool, (tx) => claimInbox(tx, consumer, claimed));

describe('claimInbox', () => {
  it('returns only the keys this consumer never claimed before', async () => {
    const [a, b, c] = keys(3) as [string, string, string];
    assert.deepEqual(await claim('routing', [a, b]), new Set([a, b]));
    assert.deepEqual(await claim('routing', [b, c, a]), new Set([c]));
  });

  it('claims a key given twice in one call once', async () => {
    const [a] = keys(1) as [string];
    assert.deepEqual(await claim('routing', [a, a]), new Set([a]));
  });

  it('returns nothing for keys claimed again, in the same transaction or a later one', async () => {
    const batch = keys(3);
    await withTransaction(db.pool, async (tx) => {
      assert.deepEqual(await claimInbox(tx, 'routing', batch), new Set(batch));
      assert.deepEqual(await claimInbox(tx, 'routing', batch), new Set(), 'same transaction');
    });
    assert.deepEqual(await claim('routing', batch), new Set(), 'later transaction');
  });

  it('lets another consumer claim the same keys on its own', async () => {
    const batch = keys(2);
    assert.deepEqual(await claim('routing', batch), new Set(batch));
    assert.deepEqual(await claim('delivery', batch), new Set(batch));
    assert.deepEqual(await claim('delivery', batch), new Set());
  });

  it('leaves the keys unclaimed when the transaction rolls back, so a crashed handler’s event is handled again', async () => {
    const batch = keys(2);
    const crash = new Error('handler crashed after claiming');
    await assert.rejects(
      withTransaction(db.pool, async (tx) => {
        assert.deepEqual(await claimInbox(tx, 'routing', batch), new Set(batch));
        throw crash;
      }),
      crash,
    );
    const { rows } = await db.pool.query('SELECT 1 FROM inbox WHERE idempotency_key = ANY($1)', [batch]);
    assert.equal(rows.length, 0, 'no inbox row survives the rollback');
    assert.deepEqual(await claim('routing', batch), new Set(batch), 'the redelivered event is claimed again');
  });

  it('gives a key claimed by two transactions at once to exactly one of them', async () => {
    const [key] = keys(1) as [string];
    const first = await db.pool.connect();
    const second = await db.pool.connect();
    try {
      await first.query('BEGIN');
      await second.query('BEGIN');
      assert.deepEqual(await claimInbox(first, 'routing', [key]), new Set([key]));
      // The second claim waits on the first transaction's uncommitted row instead of claiming the key as well.
      let secondResult: Set<string> | undefined;
      const secondClaim = claimInbox(second, 'routing', [key]).then((result) => (secondResult = result));
      await sleep(200);
      assert.equal(secondResult, undefined, 'the second claim waits for the first transaction');
      await first.query('COMMIT');
      assert.deepEqual(await secondClaim, new Set(), 'the second transaction gets nothing once the first committed');
      await second.query('COMMIT');
    } finally {
      await first.query('ROLLBACK').catch(() => undefined);
      await second.query('ROLLBACK').catch(() => undefined);
      first.release();
      second.release();
    }
  });

  it('gives the key to the waiting transaction when the one holding it rolls back', async () => {
    const [key] = keys(1) as [string];
    const first = await db.pool.connect();
    const second = await db.pool.connect();
    try {
      await first.query('BEGIN');
      await second.query('BEGIN');
      assert.deepEqual(await claimInbox(first, 'routing', [key]), new Set([key]));
      const secondClaim = claimInbox(second, 'routing', [key]);
      await sleep(100);
      await first.query('ROLLBACK');
      assert.deepEqual(await secondClaim, new Set([key]));
      await second.query('COMMIT');
    } finally {
      await first.query('ROLLBACK').catch(() => undefined);
      await second.query('ROLLBACK').catch(() => undefined);
      first.release();
      second.release();
    }
    assert.deepEqual(await claim('routing', [key]), new Set());
  });

  it('claims nothing for an empty list', async () => {
    assert.deepEqual(await claim('routing', []), new Set());
  });
});
