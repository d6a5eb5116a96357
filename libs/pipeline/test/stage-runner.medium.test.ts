import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { STATUS, TOPICS, deadLetterTopic, type MessageReceived, type StatusChanged } from '@poort/contracts';
import { KafkaBus, type IncomingMessage } from '@poort/kafka';
import { OutboxRelay, claimInbox } from '@poort/message-state';
import { PoortMetrics, createLogger } from '@poort/observability';
import { ScratchDatabase, aKenmerk, anEnvelope, infraEnv, waitFor } from '@poort/testing';

import { StageRunner, UnitOfWork } from '../src/index.js';

const STAGE = 'pipeline-test';
const MAX_RETRIES = 2;
const logger = createLogger(STAGE, 'silent');

const envelope = (kenmerk: string, berichtsoort = 'e-factuur') => anEnvelope({ kenmerk, berichtsoort });
const received = (kenmerk: string, berichtsoort?: string): MessageReceived => ({
  eventId: randomUUID(),
  occurredAt: new Date().toISOString(),
  envelope: envelope(kenmerk, berichtsoort),
});

describe('the pipeline machinery on real Postgres and Kafka', () => {
  let db: ScratchDatabase;
  let bus: KafkaBus;
  let metrics: PoortMetrics;
  let unitOfWork: UnitOfWork;
  const calls = new Map<string, number>();
  const deadLetters: IncomingMessage[] = [];

  /** The status events this stage committed to its outbox, per kenmerk. */
  async function statusesInOutbox(kenmerk: string): Promise<StatusChanged[]> {
    const { rows } = await db.pool.query<{ value: string }>('SELECT value FROM outbox WHERE source = $1 AND topic = $2 ORDER BY id', [STAGE, TOPICS.statusChanged]);
    return rows.map((row) => JSON.parse(row.value) as StatusChanged).filter((status) => status.kenmerk === kenmerk);
  }
  const counter = async (name: string, labels: string): Promise<number> => {
    const line = (await metrics.registry.metrics()).split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  before(async () => {
    const infra = infraEnv();
    db = await ScratchDatabase.create(infra.databaseUrl, 'pipeline');
    bus = new KafkaBus(
      { brokers: infra.kafkaBrokers, clientId: STAGE, namespace: `test-pipeline-${randomBytes(4).toString('hex')}.`, sessionTimeoutMs: 6_000 },
      logger,
    );
    await bus.connect();
    await bus.provisionTopics([TOPICS.received, deadLetterTopic(TOPICS.received)].map((name) => ({ name, partitions: 1, replicationFactor: 1 })));
    metrics = new PoortMetrics(STAGE);
    // The relay is not started: what a writer committed is read from the outbox table, which is the effect under test.
    unitOfWork = new UnitOfWork({ pool: db.pool, relay: new OutboxRelay(db.pool, bus, STAGE, logger), source: STAGE, metrics });
    const runner = new StageRunner({ bus, unitOfWork, logger, metrics, maxRetries: MAX_RETRIES, retryBackoffMs: 50 });
    runner.register({
      name: STAGE,
      topic: TOPICS.received,
      technicalFailure: { code: STATUS.technischeFoutValidatie, foutcode: 'VAS400' },
      handle: async ({ envelope }, { out }) => {
        calls.set(envelope.kenmerk, (calls.get(envelope.kenmerk) ?? 0) + 1);
        out.status(envelope, { code: STATUS.geautoriseerd });
        if (envelope.berichtsoort === 'poison') throw new Error(`cannot handle ${envelope.kenmerk}`);
      },
    });
    await runner.start();
    await bus
      .consumer({
        groupId: 'dead-letter-reader',
        topics: [deadLetterTopic(TOPICS.received)],
        handle: async (messages) => {
          deadLetters.push(...messages);
        },
        deadLetterTopic: (topic) => `${topic}.unused`,
      })
      .start();
  });

  after(async () => {
    await bus?.close();
    await db?.drop();
  });

  const publish = (...events: unknown[]) =>
    bus.publish(events.map((event) => ({ topic: TOPICS.received, key: (event as MessageReceived).envelope?.kenmerk ?? 'x', value: JSON.stringify(event) })));

  test('an event is handled once however often it comes: one effect, one inbox row, the repeat counted as duplicate', async () => {
    const event = received(aKenmerk('nce'));
    const duplicatesBefore = await counter('poort_events_handled_total', `topic="${TOPICS.received}",outcome="duplicate"`);
    await publish(event);
    await publish(event);
    await waitFor('the repeat to be seen as a duplicate', async () =>
      (await counter('poort_events_handled_total', `topic="${TOPICS.received}",outcome="duplicate"`)) > duplicatesBefore ? true : undefined, 20_000);
    assert.equal(calls.get(event.envelope.kenmerk), 1);
    assert.deepEqual((await statusesInOutbox(event.envelope.kenmerk)).map((status) => status.statuscode), ['200']);
    const inbox = await db.pool.query('SELECT 1 FROM inbox WHERE consumer = $1 AND idempotency_key = $2', [STAGE, event.envelope.kenmerk]);
    assert.equal(inbox.rowCount, 1);
  });

  test('a message whose handling keeps failing is retried, then dead-lettered with the reason, and its sender gets a final technical status; the others are handled', async () => {
    const poison = received(aKenmerk('oison'), 'poison');
    const fine = received(aKenmerk('ine'));
    await publish(poison, fine);
    const statuses = await waitFor('the final technical status of the poison message', async () => {
      const list = await statusesInOutbox(poison.envelope.kenmerk);
      return list.some((status) => status.final) ? list : undefined;
    }, 30_000);
    // The failed attempts rolled back: no 200 of the poison message survived, only the final 321.
    assert.deepEqual(statuses.map((status) => [status.statuscode, status.final, status.statusFoutcode?.foutcode]), [['321', true, 'VAS400']]);
    assert.match(statuses[0]!.statusFoutcode!.foutbeschrijving, new RegExp(`technische fout in ${STAGE}: cannot handle ${poison.envelope.kenmerk}`));
    assert.ok((calls.get(poison.envelope.kenmerk) ?? 0) >= MAX_RETRIES + 1, `attempts: ${calls.get(poison.envelope.kenmerk)}`);
    // The other message of the run is handled on its own after the poison one gave up (the run is retried one by one).
    const fineStatuses = await waitFor('the status of the other message', async () => {
      const list = await statusesInOutbox(fine.envelope.kenmerk);
      return list.length > 0 ? list : undefined;
    }, 15_000);
    assert.deepEqual(fineStatuses.map((status) => status.statuscode), ['200']);

    const dead = await waitFor('the dead letter', async () => deadLetters.find((message) => message.key === poison.envelope.kenmerk), 15_000);
    assert.equal(JSON.parse(dead.value.toString()).eventId, poison.eventId);
    assert.match(dead.headers['poort-dlq-reason'] ?? '', /cannot handle/);
    assert.equal(dead.headers['poort-dlq-topic'], TOPICS.received);
    assert.equal(dead.headers['poort-dlq-group'], `poort-${STAGE}`);
    assert.ok(!deadLetters.some((message) => message.key === fine.envelope.kenmerk));
  });

  test('an event that is not valid for its topic is dead-lettered at once, without a retry and without reaching the handler', async () => {
    const kenmerk = aKenmerk('nvalid');
    const before = await counter('poort_dead_lettered_total', `topic="${TOPICS.received}"`);
    await bus.publish([{ topic: TOPICS.received, key: kenmerk, value: JSON.stringify({ eventId: 'not-a-uuid', envelope: { kenmerk } }) }]);
    const dead = await waitFor('the invalid event in the dead-letter topic', async () => deadLetters.find((message) => message.key === kenmerk), 15_000);
    assert.match(dead.headers['poort-dlq-reason'] ?? '', /invalid event on poort\.message\.received\.v1/);
    assert.equal(calls.get(kenmerk), undefined);
    assert.equal(await counter('poort_dead_lettered_total', `topic="${TOPICS.received}"`), before + 1);
  });

  describe('UnitOfWork: an effect and its events commit together or not at all', () => {
    test('a committed effect leaves its rows and its events, and counts its statuses', async () => {
      const id = aKenmerk('uow');
      const counted = await counter('poort_statuses_emitted_total', 'code="405"');
      await unitOfWork.commit(async ({ tx, out }) => {
        await claimInbox(tx, 'uow-test', [id]);
        out.status(envelope(id), { code: STATUS.afleveringBezig });
      });
      assert.equal((await db.pool.query('SELECT 1 FROM inbox WHERE idempotency_key = $1', [id])).rowCount, 1);
      assert.deepEqual((await statusesInOutbox(id)).map((status) => status.statuscode), ['405']);
      assert.equal(await counter('poort_statuses_emitted_total', 'code="405"'), counted + 1);
    });

    test('an effect that fails leaves neither its rows nor its events', async () => {
      const id = aKenmerk('uow');
      await assert.rejects(
        unitOfWork.commit(async ({ tx, out }) => {
          await claimInbox(tx, 'uow-test', [id]);
          out.status(envelope(id), { code: STATUS.afleveringBezig });
          throw new Error('the effect fails after writing');
        }),
        /the effect fails after writing/,
      );
      assert.equal((await db.pool.query('SELECT 1 FROM inbox WHERE idempotency_key = $1', [id])).rowCount, 0);
      assert.deepEqual(await statusesInOutbox(id), []);
    });
  });
});
