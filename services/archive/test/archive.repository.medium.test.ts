import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { STATUS, statusRecord, type StatusChanged } from '@poort/contracts';
import { withTransaction } from '@poort/message-state';
import { ScratchDatabase, aPayloadRef, anEnvelope, infraEnv } from '@poort/testing';

import { ArchiveRepository } from '../src/archive/archive.repository.js';

const envelope = (kenmerk: string) =>
  anEnvelope({ kenmerk, content: aPayloadRef({ id: '11111111-1111-4111-8111-111111111111' }), tijdstempelAangeleverd: '2026-11-30T12:00:00.000Z' });
const status = (kenmerk: string, code: (typeof STATUS)[keyof typeof STATUS], second: number): StatusChanged => {
  const record = statusRecord(envelope(kenmerk), { code, at: new Date(Date.UTC(2026, 10, 30, 12, 0, second)) });
  return { eventId: randomUUID(), occurredAt: record.tijdstempelStatus, ...record };
};

describe('the archive on real Postgres: an immutable copy of every message and status', () => {
  let db: ScratchDatabase;
  let archive: ArchiveRepository;

  before(async () => {
    db = await ScratchDatabase.create(infraEnv().databaseUrl, 'archive');
    archive = new ArchiveRepository(db.pool);
  });
  after(async () => {
    await db?.drop();
  });

  test('a message comes back with its envelope and its statuses in the order they happened', async () => {
    await withTransaction(db.pool, async (tx) => {
      await archive.storeMessages(tx, [envelope('k-order')]);
      // One run, as the consumer stores them, out of order.
      const run = [[STATUS.geautoriseerd, 2], [STATUS.ontvangen, 0], [STATUS.aangebodenVoorVerwerking, 1]] as const;
      await archive.storeStatuses(tx, run.map(([code, second]) => status('k-order', code, second)));
    });
    const archived = await archive.find('k-order');
    assert.deepEqual(archived?.envelope, envelope('k-order'));
    assert.deepEqual(archived?.statuses.map((entry) => entry.statuscode), ['100', '110', '200']);
    assert.equal(await archive.find('k-unknown'), undefined);
  });

  test('storing the same message or status again changes nothing (redelivered events)', async () => {
    const first = status('k-again', STATUS.ontvangen, 0);
    await withTransaction(db.pool, async (tx) => {
      await archive.storeMessages(tx, [envelope('k-again')]);
      await archive.storeStatuses(tx, [first]);
    });
    await withTransaction(db.pool, async (tx) => {
      await archive.storeMessages(tx, [{ ...envelope('k-again'), berichtsoort: 'overschreven' }]);
      await archive.storeStatuses(tx, [{ ...first, eventId: randomUUID(), statusomschrijving: 'overschreven' }]);
    });
    const archived = await archive.find('k-again');
    assert.equal(archived?.envelope.berichtsoort, 'e-factuur');
    // As it went in the first time (stored as JSON: absent optional fields stay absent).
    assert.deepEqual(archived?.statuses, [JSON.parse(JSON.stringify(first))]);
  });

  test('the database refuses to change or remove what is archived', async () => {
    await withTransaction(db.pool, (tx) => archive.storeMessages(tx, [envelope('k-fixed')]));
    await withTransaction(db.pool, (tx) => archive.storeStatuses(tx, [status('k-fixed', STATUS.ontvangen, 0)]));
    await assert.rejects(db.pool.query("UPDATE archive_messages SET envelope = '{}' WHERE kenmerk = 'k-fixed'"), /the archive is immutable/);
    await assert.rejects(db.pool.query("DELETE FROM archive_messages WHERE kenmerk = 'k-fixed'"), /the archive is immutable/);
    await assert.rejects(db.pool.query("DELETE FROM archive_statuses WHERE kenmerk = 'k-fixed'"), /the archive is immutable/);
    assert.equal((await archive.find('k-fixed'))?.statuses.length, 1);
  });
});
