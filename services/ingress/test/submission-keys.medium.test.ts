import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { PoolClient } from '@poort/message-state';
import { ScratchDatabase, requiredEnv } from '@poort/testing';

import { SubmissionKeysRepository, type KeyClaim } from '../src/submission/submission-keys.repository.js';
import { DAY_MS } from './submission-fixture.js';

// claimAll, the one statement for a batch's keys, against claim() one by one: the same outcome for every submission.

const SENDER = '00000099000000000001';
let db: ScratchDatabase;
const keys = new SubmissionKeysRepository(DAY_MS);

before(async () => {
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'ingress_keys');
});

after(async () => {
  await db?.drop();
});

const claim = (kenmerk: string, ...values: [kind: 'idempotency-key' | 'aanleverkenmerk', value: string][]): KeyClaim => ({
  senderOin: SENDER,
  keys: values.map(([kind, value]) => ({ kind, value })),
  fingerprint: `fp-${kenmerk}`,
  kenmerk,
});

/** A message that committed its keys earlier. */
async function committed(...claims: KeyClaim[]): Promise<void> {
  await inTransaction(async (tx) => {
    for (const { kenmerk } of claims) {
      await tx.query(`INSERT INTO messages (kenmerk, berichtsoort, sender_oin, envelope, received_at) VALUES ($1, 'e-factuur', $2, '{}', now())`, [kenmerk, SENDER]);
    }
    assert.deepEqual(await keys.claimAll(tx, claims), claims.map(() => undefined));
  }, 'commit');
}

/** Runs fn in a transaction that is rolled back unless told otherwise (the keys refer to messages at commit). */
async function inTransaction<T>(fn: (tx: PoolClient) => Promise<T>, end: 'commit' | 'rollback' = 'rollback'): Promise<T> {
  const tx = await db.pool.connect();
  try {
    await tx.query('BEGIN');
    const result = await fn(tx);
    await tx.query(end === 'commit' ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (error) {
    await tx.query('ROLLBACK');
    throw error;
  } finally {
    tx.release();
  }
}

const holders = async (tx: PoolClient, kenmerk: string): Promise<string[]> =>
  (await tx.query<{ key: string }>('SELECT key FROM submission_keys WHERE kenmerk = $1 ORDER BY key', [kenmerk])).rows.map((row) => row.key);

describe('SubmissionKeysRepository.claimAll', () => {
  it('claims the keys of every submission of a batch when none is taken', async () => {
    await inTransaction(async (tx) => {
      const outcomes = await keys.claimAll(tx, [claim('KM-A', ['aanleverkenmerk', 'a-1']), claim('KM-B', ['idempotency-key', 'b-key'], ['aanleverkenmerk', 'b-1']), claim('KM-C')]);
      assert.deepEqual(outcomes, [undefined, undefined, undefined]);
      assert.deepEqual(await holders(tx, 'KM-A'), ['a-1']);
      assert.deepEqual(await holders(tx, 'KM-B'), ['b-1', 'b-key']);
    });
  });

  it('answers a submission whose key an earlier message holds with that message, and frees the keys it claimed meanwhile', async () => {
    await committed(claim('KM-EARLIER', ['aanleverkenmerk', 'taken-1']));
    await inTransaction(async (tx) => {
      const outcomes = await keys.claimAll(tx, [
        claim('KM-FRESH', ['aanleverkenmerk', 'fresh-1']),
        // Its own Idempotency-Key is free, its aanleverkenmerk is not: the message holding that one answers.
        claim('KM-AGAIN', ['idempotency-key', 'again-key'], ['aanleverkenmerk', 'taken-1']),
      ]);
      assert.deepEqual(outcomes, [undefined, { key: { kind: 'aanleverkenmerk', value: 'taken-1' }, kenmerk: 'KM-EARLIER', fingerprint: 'fp-KM-EARLIER' }]);
      assert.deepEqual(await holders(tx, 'KM-AGAIN'), [], 'the Idempotency-Key it claimed is free again');
      assert.deepEqual(await holders(tx, 'KM-FRESH'), ['fresh-1']);
    });
  });

  it('takes the first key in precedence order that another message holds, as claim() does', async () => {
    await committed(claim('KM-BY-KEY', ['idempotency-key', 'first-key']), claim('KM-BY-REF', ['aanleverkenmerk', 'second-ref']));
    await inTransaction(async (tx) => {
      const [outcome] = await keys.claimAll(tx, [claim('KM-BOTH', ['idempotency-key', 'first-key'], ['aanleverkenmerk', 'second-ref'])]);
      assert.equal(outcome?.kenmerk, 'KM-BY-KEY');
    });
  });

  it('gives a submission that repeats a key of an earlier one in the same batch that earlier submission', async () => {
    await inTransaction(async (tx) => {
      const outcomes = await keys.claimAll(tx, [claim('KM-FIRST', ['aanleverkenmerk', 'same-1']), claim('KM-SECOND', ['aanleverkenmerk', 'same-1'])]);
      assert.deepEqual(outcomes, [undefined, { key: { kind: 'aanleverkenmerk', value: 'same-1' }, kenmerk: 'KM-FIRST', fingerprint: 'fp-KM-FIRST' }]);
    });
  });

  it('takes over a key whose window has passed', async () => {
    await committed(claim('KM-OLD', ['aanleverkenmerk', 'old-1']));
    await db.pool.query("UPDATE submission_keys SET created_at = now() - interval '2 days' WHERE kenmerk = 'KM-OLD'");
    await inTransaction(async (tx) => {
      assert.deepEqual(await keys.claimAll(tx, [claim('KM-NEW', ['aanleverkenmerk', 'old-1'])]), [undefined]);
      assert.deepEqual(await holders(tx, 'KM-NEW'), ['old-1']);
    });
  });
});
