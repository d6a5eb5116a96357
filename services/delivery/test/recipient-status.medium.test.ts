import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { Refusal, TOPICS, decodeEvent, type StatusChanged } from '@poort/contracts';
import { OutboxRelay, withTransaction, type OutboxPublisher } from '@poort/message-state';
import { MessageCatalog } from '@poort/message-types';
import { PoortMetrics, createLogger } from '@poort/observability';
import { TEST_PKI_OINS, type ClientIdentity } from '@poort/pki';
import { UnitOfWork } from '@poort/pipeline';
import { ScratchDatabase, TEST_SENDER_OIN, anEnvelope, requiredEnv, scratchConfig } from '@poort/testing';

import { DeliveriesRepository, type DeliveryState } from '../src/delivery/deliveries.repository.js';
import { ZETSTATUS_CODE, type RecipientStatusReport } from '../src/recipient-status/recipient-status.decision.js';
import { RecipientStatusMetrics } from '../src/recipient-status/recipient-status.metrics.js';
import { RecipientStatusService } from '../src/recipient-status/recipient-status.service.js';
import { RecipientStatusesRepository } from '../src/recipient-status/recipient-statuses.repository.js';

/*
 * zetStatus's use case on a real Postgres (the real migrations, 0016 included) with the shipped recipients: the
 * deliveries are rows as the worker leaves them; what the use case committed is read from the outbox table, where
 * the statuses the sender will see are exactly when the effect is. The outbox relay is never started.
 */

const logger = createLogger('recipient-status-test', 'silent');
const publisher: OutboxPublisher = {
  publish: async () => {
    throw new Error('the outbox relay is not started in these tests');
  },
};

/** The shipped recipients' OINs are the test PKI's recipient certificates'. */
const caller = (name: 'recipient-a' | 'recipient-b' | 'sender-a'): ClientIdentity =>
  ({ oin: TEST_PKI_OINS[name], subject: `CN=${name}`, fingerprintSha256: 'f'.repeat(64), issuer: 'CN=test', notBefore: new Date(0), notAfter: new Date(8.64e15) }) as ClientIdentity;

let db: ScratchDatabase;
let configDir: string;
let service: RecipientStatusService;
let metrics: RecipientStatusMetrics;
let deliveries: DeliveriesRepository;

before(async () => {
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'recipient_status');
  configDir = scratchConfig(requiredEnv('POORT_ROOT'), new Map([['belastingdienst', 'http://127.0.0.1:9/inbox'], ['ministerie-bzk', 'http://127.0.0.1:9/inbox']]), {});
  const catalog = MessageCatalog.load(configDir);
  assert.equal(catalog.recipient('belastingdienst').oin, TEST_PKI_OINS['recipient-a']);
  assert.equal(catalog.recipient('ministerie-bzk').oin, TEST_PKI_OINS['recipient-b']);
  const poortMetrics = new PoortMetrics('recipient-status-test');
  const unitOfWork = new UnitOfWork({ pool: db.pool, relay: new OutboxRelay(db.pool, publisher, 'delivery', logger), source: 'delivery', metrics: poortMetrics });
  metrics = new RecipientStatusMetrics(poortMetrics);
  deliveries = new DeliveriesRepository(db.pool);
  service = new RecipientStatusService(unitOfWork, new RecipientStatusesRepository(), catalog, metrics, logger);
});

after(async () => {
  await db?.drop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

/** A message with a delivery row per recipient in the given state, as the delivery worker leaves them. */
async function message(states: Readonly<Record<string, DeliveryState>>): Promise<string> {
  const kenmerk = `k-${randomUUID()}`;
  const envelope = anEnvelope({ kenmerk, berichtsoort: 'e-factuur', sender: { oin: TEST_SENDER_OIN, certificateFingerprint: 'c'.repeat(64) } });
  const recipients = Object.keys(states);
  await withTransaction(db.pool, async (tx) => {
    await deliveries.insert(tx, recipients.map((recipientId) => ({
      kenmerk,
      recipientId,
      recipientCount: recipients.length,
      envelope,
      payload: envelope.content,
      deadline: new Date(Date.now() + 3_600_000),
    })));
    for (const [recipientId, state] of Object.entries(states)) {
      await tx.query('UPDATE deliveries SET state = $3 WHERE kenmerk = $1 AND recipient_id = $2', [kenmerk, recipientId, state]);
    }
  });
  return kenmerk;
}

async function committed(kenmerk: string): Promise<StatusChanged[]> {
  const { rows } = await db.pool.query<{ value: string }>("SELECT value FROM outbox WHERE source = 'delivery' AND topic = $1 ORDER BY id", [TOPICS.statusChanged]);
  return rows
    .map(({ value }) => decodeEvent(TOPICS.statusChanged, JSON.parse(value)))
    .filter((status) => status.kenmerk === kenmerk);
}

const seen = (status: StatusChanged) => ({ statusId: status.statusId, statuscode: status.statuscode, final: status.final, foutcode: status.statusFoutcode?.foutcode });

const accepted = (kenmerk: string, overrides: Partial<RecipientStatusReport> = {}): RecipientStatusReport => ({
  kenmerk,
  statuscode: '500',
  tijdstempelStatus: new Date(Date.now() - 1_000),
  ...overrides,
});
const rejected = (kenmerk: string): RecipientStatusReport =>
  accepted(kenmerk, { statuscode: '510', statusFoutcode: { foutcode: 'FRIS-123', foutbeschrijving: 'het btw-nummer ontbreekt' }, statusdetails: 'regel 12' });

async function refusedWith(code: string, run: Promise<unknown>): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof Refusal, String(error));
    assert.equal(error.code, code);
    return true;
  });
}

async function count(outcome: string, code: string): Promise<number> {
  const { values } = await metrics.reports.get();
  return values.find((value) => value.labels.outcome === outcome && value.labels.code === code)?.value ?? 0;
}

describe('RecipientStatusService on Postgres', () => {
  it('records the recipient\'s 500 once, scoped to it, at its tijdstempelStatus; the same report again records nothing', async () => {
    const kenmerk = await message({ belastingdienst: 'delivered' });
    const report = accepted(kenmerk);
    assert.deepEqual(await service.zetStatus(caller('recipient-a'), report), { kenmerk, statuscode: '500' });
    assert.deepEqual(await service.zetStatus(caller('recipient-a'), { ...report, statusdetails: 'nog eens' }), { kenmerk, statuscode: '500' });
    const statuses = await committed(kenmerk);
    assert.deepEqual(statuses.map(seen), [{ statusId: `${kenmerk}:500:belastingdienst`, statuscode: '500', final: true, foutcode: undefined }]);
    assert.equal(statuses[0]!.tijdstempelStatus, report.tijdstempelStatus.toISOString());
    assert.equal(statuses[0]!.senderOin, TEST_SENDER_OIN);
    const { rows } = await db.pool.query('SELECT recipient_statuscode, recipient_foutcode FROM deliveries WHERE kenmerk = $1', [kenmerk]);
    assert.deepEqual(rows, [{ recipient_statuscode: '500', recipient_foutcode: null }]);
    assert.ok((await count('repeated', '500')) >= 1);
  });

  it('with two recipients, each reports its own: 500 from one, 510 with foutcode and details from the other', async () => {
    const kenmerk = await message({ belastingdienst: 'delivered', 'ministerie-bzk': 'delivered' });
    await service.zetStatus(caller('recipient-a'), accepted(kenmerk));
    assert.deepEqual(await service.zetStatus(caller('recipient-b'), rejected(kenmerk)), { kenmerk, statuscode: '510' });
    const statuses = await committed(kenmerk);
    assert.deepEqual(statuses.map(seen), [
      { statusId: `${kenmerk}:500:belastingdienst`, statuscode: '500', final: true, foutcode: undefined },
      { statusId: `${kenmerk}:510:ministerie-bzk`, statuscode: '510', final: true, foutcode: 'FRIS-123' },
    ]);
    assert.equal(statuses[1]!.statusFoutcode?.foutbeschrijving, 'het btw-nummer ontbreekt');
    assert.equal(statuses[1]!.statusdetails, 'regel 12');
  });

  it('refuses a different second status, and leaves the first as it was', async () => {
    const kenmerk = await message({ belastingdienst: 'delivered' });
    await service.zetStatus(caller('recipient-a'), accepted(kenmerk));
    const before = await count('refused', ZETSTATUS_CODE.conflict);
    await refusedWith(ZETSTATUS_CODE.conflict, service.zetStatus(caller('recipient-a'), rejected(kenmerk)));
    assert.deepEqual((await committed(kenmerk)).map((status) => status.statuscode), ['500']);
    assert.equal(await count('refused', ZETSTATUS_CODE.conflict), before + 1);
  });

  it('refuses another recipient\'s certificate, an unknown kenmerk and a delivery still pending; nothing is recorded', async () => {
    const toA = await message({ belastingdienst: 'delivered' });
    await refusedWith(ZETSTATUS_CODE.forbidden, service.zetStatus(caller('recipient-b'), accepted(toA)));
    await refusedWith(ZETSTATUS_CODE.forbidden, service.zetStatus(caller('sender-a'), rejected(toA)));
    await refusedWith(ZETSTATUS_CODE.unknown, service.zetStatus(caller('recipient-a'), accepted(`k-${randomUUID()}`)));
    const pending = await message({ belastingdienst: 'pending', 'ministerie-bzk': 'delivered' });
    await refusedWith(ZETSTATUS_CODE.notDelivered, service.zetStatus(caller('recipient-a'), accepted(pending)));
    const failed = await message({ belastingdienst: 'refused' });
    await refusedWith(ZETSTATUS_CODE.notDelivered, service.zetStatus(caller('recipient-a'), accepted(failed)));
    for (const kenmerk of [toA, pending, failed]) assert.deepEqual(await committed(kenmerk), []);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM deliveries WHERE kenmerk = ANY($1) AND recipient_statuscode IS NOT NULL', [[toA, pending, failed]]);
    assert.equal(rows[0].n, 0);
    assert.ok((await count('refused', ZETSTATUS_CODE.forbidden)) >= 2);
  });

  it('refuses a bad report before it looks for the message', async () => {
    const kenmerk = await message({ belastingdienst: 'delivered' });
    await refusedWith(ZETSTATUS_CODE.badCode, service.zetStatus(caller('recipient-a'), accepted(kenmerk, { statuscode: '400' })));
    await refusedWith(ZETSTATUS_CODE.foutMissing, service.zetStatus(caller('recipient-a'), accepted(kenmerk, { statuscode: '510' })));
    await refusedWith(ZETSTATUS_CODE.badTime, service.zetStatus(caller('recipient-a'), accepted(kenmerk, { tijdstempelStatus: new Date(Date.now() + 3_600_000) })));
    assert.deepEqual(await committed(kenmerk), []);
  });

  it('records one status when the same report comes in many times at once; of two different ones at once, one wins', async () => {
    const kenmerk = await message({ belastingdienst: 'delivered' });
    const report = accepted(kenmerk);
    const answers = await Promise.all(Array.from({ length: 8 }, () => service.zetStatus(caller('recipient-a'), report)));
    assert.ok(answers.every((answer) => answer.statuscode === '500'));
    assert.deepEqual((await committed(kenmerk)).map(seen), [{ statusId: `${kenmerk}:500:belastingdienst`, statuscode: '500', final: true, foutcode: undefined }]);

    const contested = await message({ belastingdienst: 'delivered' });
    const outcomes = await Promise.allSettled([service.zetStatus(caller('recipient-a'), accepted(contested)), service.zetStatus(caller('recipient-a'), rejected(contested))]);
    assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
    const loser = outcomes.find((outcome) => outcome.status === 'rejected');
    assert.equal((loser?.reason as Refusal).code, ZETSTATUS_CODE.conflict);
    assert.equal((await committed(contested)).length, 1);
  });
});
