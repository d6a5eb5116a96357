import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { STATUS, statusRecord, type Envelope, type StatusChanged, type StatusCode } from '@poort/contracts';
import { ScratchDatabase, aKenmerk, anEnvelope, requiredEnv } from '@poort/testing';

import { StatusHistoryRepository } from '../src/status/status-history.repository.js';

/** The notification consumer records a whole run of statuses at once (several messages, several statuses each). */
describe('StatusHistoryRepository.append on real Postgres', () => {
  let db: ScratchDatabase;
  let history: StatusHistoryRepository;

  before(async () => {
    db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'notification_history');
    history = new StatusHistoryRepository(db.pool);
  });
  after(async () => {
    await db?.drop();
  });

  const T0 = Date.parse('2026-11-30T10:00:00.000Z');
  const status = (envelope: Envelope, code: StatusCode, seconds: number): StatusChanged => {
    const record = statusRecord(envelope, { code, at: new Date(T0 + seconds * 1_000) });
    return { eventId: randomUUID(), occurredAt: record.tijdstempelStatus, ...record };
  };
  const historyOf = async (kenmerk: string) =>
    (await db.pool.query<{ statuscode: string }>('SELECT statuscode FROM status_history WHERE kenmerk = $1 ORDER BY seq', [kenmerk])).rows.map(
      (row) => row.statuscode,
    );
  const progressOf = async (kenmerk: string) =>
    (await db.pool.query<{ last_statuscode: string; done: boolean }>('SELECT last_statuscode, done FROM message_progress WHERE kenmerk = $1', [kenmerk]))
      .rows[0];

  test('keeps the statuses of a run in their order, each message progresses to its latest (even when it came earlier in the run), and a replay changes nothing', async () => {
    const a = anEnvelope({ kenmerk: aKenmerk() });
    const b = anEnvelope({ kenmerk: aKenmerk() });
    const run = [
      status(a, STATUS.ontvangen, 0),
      status(b, STATUS.ontvangen, 0),
      status(a, STATUS.aangebodenVoorVerwerking, 1),
      // b's 400 happened before its 200 arrived here (another partition's run, say): 400 stays its latest.
      status(b, STATUS.afgeleverd, 9),
      status(b, STATUS.geautoriseerd, 2),
    ];
    await history.append(db.pool, run);
    assert.deepEqual(await historyOf(a.kenmerk), ['100', '110']);
    assert.deepEqual(await historyOf(b.kenmerk), ['100', '400', '200']);
    assert.deepEqual(await progressOf(a.kenmerk), { last_statuscode: '110', done: false });
    assert.deepEqual(await progressOf(b.kenmerk), { last_statuscode: '400', done: true });

    // A later run moves a message on; a status seen before (same statusId) is not recorded twice.
    await history.append(db.pool, [status(a, STATUS.aangebodenVoorVerwerking, 1), status(a, STATUS.geautoriseerd, 3)]);
    assert.deepEqual(await historyOf(a.kenmerk), ['100', '110', '200']);
    assert.deepEqual(await progressOf(a.kenmerk), { last_statuscode: '200', done: false });

    // The first run again (redelivered after a crash: the consumer keeps no inbox): nothing changes, progress included.
    await db.pool.query('UPDATE message_progress SET reported_stuck_at = now() WHERE kenmerk = $1', [a.kenmerk]);
    await history.append(db.pool, run);
    assert.deepEqual(await historyOf(a.kenmerk), ['100', '110', '200']);
    assert.deepEqual(await historyOf(b.kenmerk), ['100', '400', '200']);
    assert.deepEqual(await progressOf(a.kenmerk), { last_statuscode: '200', done: false });
    const stuck = await db.pool.query('SELECT 1 FROM message_progress WHERE kenmerk = $1 AND reported_stuck_at IS NOT NULL', [a.kenmerk]);
    assert.equal(stuck.rowCount, 1, 'a replay does not reopen what the sweeper reported');
  });
});
