import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ScratchDatabase, requiredEnv } from '@poort/testing';

import { PostgresReplayGuard } from '../src/postgres-replay-guard.js';

describe('PostgresReplayGuard on real Postgres', () => {
  let db: ScratchDatabase;

  before(async () => {
    db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'wus_replay');
  });
  after(async () => {
    await db?.drop();
  });

  it('accepts each MessageID once per signer, also when requests arrive together (one batch), a repeat in the batch included', async () => {
    const guard = new PostgresReplayGuard(db.pool);
    const now = new Date();
    const ids = ['urn:uuid:1', 'urn:uuid:2', 'urn:uuid:1', 'urn:uuid:3', 'urn:uuid:2'];
    const first = await Promise.all(ids.map((id) => guard.remember('signer-a', id, now)));
    assert.deepEqual(first, [true, true, false, true, false], 'of two alike arriving together, the first is new');
    assert.equal((await db.pool.query('SELECT 1 FROM wus_seen_messages')).rowCount, 3);

    assert.deepEqual(await Promise.all(['urn:uuid:3', 'urn:uuid:4'].map((id) => guard.remember('signer-a', id, now))), [false, true]);
    assert.equal(await guard.remember('signer-b', 'urn:uuid:1', now), true, 'another signer has MessageIDs of its own');
  });

  it('prunes what is older than it keeps', async () => {
    const guard = new PostgresReplayGuard(db.pool, 60_000, 2);
    const now = new Date();
    await guard.remember('signer-c', 'old', new Date(now.getTime() - 120_000));
    await guard.remember('signer-c', 'new', now); // the second insert prunes
    const { rows } = await db.pool.query<{ message_id: string }>("SELECT message_id FROM wus_seen_messages WHERE signer_fingerprint = 'signer-c'");
    assert.deepEqual(rows.map((row) => row.message_id), ['new']);
  });
});
