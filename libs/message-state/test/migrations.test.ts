import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ScratchDatabase, requiredEnv } from '@poort/testing';

import { migrate, pendingMigrations, waitForSchema } from '../src/index.js';

let db: ScratchDatabase;
before(async () => {
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'message_state_migrations', { migrated: false });
});
after(async () => {
  await db?.drop();
});

describe('the schema a service waits for', () => {
  it('lacks every migration in an empty database, and none once migrated; migrating again applies nothing', async () => {
    const pending = await pendingMigrations(db.pool);
    assert.ok(pending.length >= 10 && pending[0] === '0001_outbox_inbox', `pending: ${pending.join(', ')}`);
    const waits: (readonly string[])[] = [];
    const waiting = waitForSchema(db.pool, { timeoutMs: 30_000, intervalMs: 50, onPending: (missing) => waits.push(missing) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const first = await migrate(db.pool);
    await waiting;
    assert.deepEqual(first.applied, pending);
    assert.ok(waits.length > 0 && waits[0]!.length === pending.length, 'it waited while the schema was missing');
    assert.deepEqual(await pendingMigrations(db.pool), []);
    assert.deepEqual((await migrate(db.pool)).applied, []);
  });

  it('accepts migrations it does not know (a newer release rolled back), and gives up after its timeout when one is missing', async () => {
    await db.pool.query("INSERT INTO schema_migrations (version) VALUES ('9999_from_a_newer_release')");
    await waitForSchema(db.pool, { timeoutMs: 1_000, intervalMs: 50, onPending: () => assert.fail('nothing is missing') });
    await db.pool.query("DELETE FROM schema_migrations WHERE version = '0010_message_progress'");
    await assert.rejects(
      waitForSchema(db.pool, { timeoutMs: 200, intervalMs: 50, onPending: () => undefined }),
      /lacks migrations 0010_message_progress after 200 ms: run the migration job/,
    );
  });
});
