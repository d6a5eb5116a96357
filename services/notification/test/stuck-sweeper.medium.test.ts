import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { STATUS, decodeEvent, statusRecord, TOPICS, type Envelope, type StatusChanged, type StatusCode } from '@poort/contracts';
import { KafkaBus } from '@poort/kafka';
import { OutboxRelay, withTransaction } from '@poort/message-state';
import { PoortMetrics, createLogger } from '@poort/observability';
import { UnitOfWork } from '@poort/pipeline';
import { ScratchDatabase, aKenmerk, anEnvelope, requiredEnv } from '@poort/testing';

import { StatusHistoryRepository } from '../src/status/status-history.repository.js';
import { stuckStatus } from '../src/status/stuck-message.js';
import { StuckSweeper, type SweeperSettings } from '../src/status/stuck-sweeper.js';

const logger = createLogger('notification-test', 'silent');
const SETTINGS: SweeperSettings = { intervalMs: 3_600_000, stuckAfterMs: 60_000, stuckInDeliveryAfterMs: 600_000 };
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

describe('stuckStatus: what a sender sees of a message that stopped moving', () => {
  test('the technical-problem code of the step that should have come next, final, PROCESSING_STUCK', () => {
    const since = new Date('2026-11-30T10:00:00Z');
    for (const [last, expected] of [['110', '230'], ['200', '321'], ['301', '321'], ['405', '420'], ['420', '420']] as const) {
      const status = stuckStatus(last, since);
      assert.deepEqual([status.code, status.final, status.fout?.foutcode, status.scope], [expected, true, 'PROCESSING_STUCK', 'stuck'], last);
      assert.match(status.fout!.foutbeschrijving, new RegExp(`sinds 2026-11-30T10:00:00.000Z na status ${last}`));
    }
  });
});

describe('StuckSweeper on real Postgres', () => {
  let db: ScratchDatabase;
  let history: StatusHistoryRepository;
  let metrics: PoortMetrics;
  let sweepers: StuckSweeper[];

  before(async () => {
    db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'notification_sweeper');
    history = new StatusHistoryRepository(db.pool);
    metrics = new PoortMetrics('notification-test');
    // The relay is never started: what a sweep committed is read from the outbox.
    const bus = new KafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'unused' }, logger);
    const unitOfWork = new UnitOfWork({ pool: db.pool, relay: new OutboxRelay(db.pool, bus, 'notification', logger), source: 'notification', metrics });
    sweepers = [0, 1].map(() => new StuckSweeper(SETTINGS, logger, unitOfWork, metrics));
  });
  after(async () => {
    await db?.drop();
  });

  const record = (envelope: Envelope, code: StatusCode, at: Date, final?: boolean) =>
    withTransaction(db.pool, async (tx) => {
      const status = statusRecord(envelope, { code, at, ...(final === undefined ? {} : { final }) });
      await history.append(tx, [{ eventId: randomUUID(), occurredAt: status.tijdstempelStatus, ...status }]);
    });
  const reported = async (kenmerk: string): Promise<StatusChanged[]> => {
    const { rows } = await db.pool.query<{ value: string }>("SELECT value FROM outbox WHERE source = 'notification' AND topic = $1 ORDER BY id", [TOPICS.statusChanged]);
    return rows.map((row) => decodeEvent(TOPICS.statusChanged, JSON.parse(row.value))).filter((status) => status.kenmerk === kenmerk);
  };

  test('a message without progress past its deadline is reported once, with a final status; one that moves on or ended is not', async () => {
    const stuck = anEnvelope({ kenmerk: aKenmerk('stuck') });
    await record(stuck, STATUS.ontvangen, minutesAgo(10));
    await record(stuck, STATUS.geautoriseerd, minutesAgo(9));
    const recent = anEnvelope({ kenmerk: aKenmerk('recent') });
    await record(recent, STATUS.ontvangen, minutesAgo(0.2));
    const delivered = anEnvelope({ kenmerk: aKenmerk('done') });
    await record(delivered, STATUS.ontvangen, minutesAgo(10));
    await record(delivered, STATUS.afgeleverd, minutesAgo(9));
    const inDelivery = anEnvelope({ kenmerk: aKenmerk('retrying') });
    await record(inDelivery, STATUS.technischeFoutAflevering, minutesAgo(9));
    const refused = anEnvelope({ kenmerk: aKenmerk('refused') });
    await record(refused, STATUS.validatieMislukt, minutesAgo(9));

    const before = (await metrics.registry.getSingleMetricAsString('poort_stuck_messages_total')).includes('step="200"');
    assert.equal(before, false);
    assert.equal(await sweepers[0]!.sweep(), 1);
    const statuses = await reported(stuck.kenmerk);
    assert.deepEqual(statuses.map((status) => [status.statuscode, status.final, status.statusFoutcode?.foutcode]), [['321', true, 'PROCESSING_STUCK']]);
    for (const other of [recent, delivered, inDelivery, refused]) assert.deepEqual(await reported(other.kenmerk), [], other.kenmerk);
    assert.match(await metrics.registry.getSingleMetricAsString('poort_stuck_messages_total'), /step="200"[^\n]* 1/);

    assert.equal(await sweepers[0]!.sweep(), 0, 'reported once');
  });

  test('in delivery a message has the longer deadline of the retry window', async () => {
    const retrying = anEnvelope({ kenmerk: aKenmerk('delivery') });
    await record(retrying, STATUS.afleveringBezig, minutesAgo(11));
    assert.equal(await sweepers[0]!.sweep(), 1);
    assert.deepEqual((await reported(retrying.kenmerk)).map((status) => status.statuscode), ['420']);
  });

  test('a message that moves on after it was reported is watched again', async () => {
    const envelope = anEnvelope({ kenmerk: aKenmerk('again') });
    await record(envelope, STATUS.ontvangen, minutesAgo(5));
    assert.equal(await sweepers[0]!.sweep(), 1);
    await record(envelope, STATUS.geautoriseerd, minutesAgo(2));
    assert.equal(await sweepers[0]!.sweep(), 1, 'stuck again after its new status');
    assert.deepEqual((await reported(envelope.kenmerk)).map((status) => status.statuscode), ['230', '321']);
  });

  test('two replicas sweeping at once report each message once', async () => {
    const envelopes = Array.from({ length: 20 }, () => anEnvelope({ kenmerk: aKenmerk('pair') }));
    for (const envelope of envelopes) await record(envelope, STATUS.ontvangen, minutesAgo(3));
    const counts = await Promise.all(sweepers.map((sweeper) => sweeper.sweep()));
    assert.equal(counts[0]! + counts[1]!, 20);
    for (const envelope of envelopes) assert.equal((await reported(envelope.kenmerk)).length, 1, envelope.kenmerk);
  });
});
