import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { KafkaBus, type IncomingMessage } from '@poort/kafka';
import { createLogger } from '@poort/observability';
import { ScratchDatabase, requiredEnv, waitFor } from '@poort/testing';

import { OutboxRelay, createPool, enqueueOutbox, withTransaction, type OutboxPublisher, type OutboxRecord, type OutboxRow } from '../src/index.js';

// One topic per test, one partition each so that arrival order is publish order.
const TOPICS = {
  kick: 'relay.kick',
  retry: 'relay.retry',
  concurrent: 'relay.concurrent',
  sources: 'relay.sources',
  handOff: 'relay.hand-off',
  handOffRetry: 'relay.hand-off-retry',
  linger: 'relay.linger',
  leftover: 'relay.leftover',
  replicas: 'relay.replicas',
} as const;

const logger = createLogger('message-state-test', 'silent');
const received: IncomingMessage[] = [];
let db: ScratchDatabase;
let bus: KafkaBus;

before(async () => {
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'message_state_relay');
  bus = new KafkaBus(
    {
      brokers: requiredEnv('KAFKA_BROKERS').split(','),
      clientId: 'message-state-test',
      namespace: `test-message-state-${randomBytes(4).toString('hex')}.`,
      sessionTimeoutMs: 6_000,
    },
    logger,
  );
  await bus.connect();
  await bus.provisionTopics(Object.values(TOPICS).map((name) => ({ name, partitions: 1, replicationFactor: 1 })));
  const consumer = bus.consumer({
    groupId: 'relay-test-reader',
    topics: Object.values(TOPICS),
    handle: async (messages) => {
      received.push(...messages);
    },
    deadLetterTopic: (topic) => `${topic}.dlq`,
  });
  await consumer.start();
});

after(async () => {
  await bus?.close();
  await db?.drop();
});

/** Commits the records; the rows as written, for a handover (without one, the relay finds them in the table). */
function enqueue(source: string, records: readonly OutboxRecord[]): Promise<OutboxRow[]> {
  return withTransaction(db.pool, (tx) => enqueueOutbox(tx, source, records));
}

/** A relay that has read the table once (nothing left from before) and now takes handed-over rows from memory. */
async function startedRelay(relay: OutboxRelay): Promise<OutboxRelay> {
  relay.start();
  await sleep(200);
  return relay;
}

async function outboxKeys(source: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ message_key: string }>('SELECT message_key FROM outbox WHERE source = $1 ORDER BY id', [source]);
  return rows.map((row) => row.message_key);
}

function waitForEmptyOutbox(source: string): Promise<true> {
  return waitFor(`the outbox of ${source} to be empty`, async () => ((await outboxKeys(source)).length === 0 ? true : undefined), 15_000, 50);
}

/**
 * Everything that arrived on the topic, counted only once all of it has arrived: a fence published after the
 * relay finished comes last on the single partition, so once it is read nothing published before it is missing.
 */
async function arrivedOn(topic: string): Promise<IncomingMessage[]> {
  const fence = `fence-${randomUUID()}`;
  await bus.publish([{ topic, key: fence, value: '' }]);
  await waitFor(`the fence on ${topic}`, async () => (received.some((message) => message.key === fence) ? true : undefined), 15_000, 50);
  return received.filter((message) => message.topic === topic && !message.key?.startsWith('fence-'));
}

const records = (topic: string, prefix: string, count: number): OutboxRecord[] =>
  Array.from({ length: count }, (_, index) => ({ topic, key: `${prefix}-${String(index).padStart(3, '0')}`, value: { index } }));

describe('OutboxRelay with a real Kafka publisher', () => {
  it('publishes kicked rows to Kafka with key, value and headers, then deletes them from the outbox', async () => {
    const source = 'ingress';
    const published: number[] = [];
    // A poll interval far beyond the test's bounds: only the kick can make these rows go out in time.
    const relay = new OutboxRelay(db.pool, bus, source, logger, { pollIntervalMs: 600_000, onPublished: (count) => published.push(count) });
    relay.start();
    try {
      await sleep(200); // the relay has found nothing and sleeps
      await enqueue(source, [
        { topic: TOPICS.kick, key: 'k1', value: { kenmerk: 'k1', stage: 'received' }, headers: { traceparent: '00-aa-bb-01', 'poort-kenmerk': 'k1' } },
        { topic: TOPICS.kick, key: 'k2', value: { kenmerk: 'k2', stage: 'received' } },
      ]);
      relay.kick();
      await waitForEmptyOutbox(source);
    } finally {
      await relay.stop();
    }
    const arrived = await arrivedOn(TOPICS.kick);
    assert.deepEqual(
      arrived.map((message) => ({ key: message.key, value: JSON.parse(message.value.toString()) as unknown, headers: message.headers })),
      [
        { key: 'k1', value: { kenmerk: 'k1', stage: 'received' }, headers: { traceparent: '00-aa-bb-01', 'poort-kenmerk': 'k1' } },
        { key: 'k2', value: { kenmerk: 'k2', stage: 'received' }, headers: {} },
      ],
    );
    assert.deepEqual(published, [2]);
  });

  it('leaves the rows in place when publishing fails and publishes them on the next round, once each, in id order', async () => {
    const source = 'validation';
    let releaseRetry!: () => void;
    const retryGate = new Promise<void>((resolve) => (releaseRetry = resolve));
    const calls: string[][] = [];
    // Fault injection around the real bus: the first call fails as an unreachable broker would, the retry
    // waits until the test has looked at the outbox.
    const flaky: OutboxPublisher = {
      async publish(messages) {
        calls.push(messages.map((message) => message.key));
        if (calls.length === 1) throw new Error('broker unreachable');
        await retryGate;
        await bus.publish(messages);
      },
    };
    await enqueue(source, records(TOPICS.retry, 'first', 3));
    await enqueue(source, records(TOPICS.retry, 'second', 2));
    const expected = ['first-000', 'first-001', 'first-002', 'second-000', 'second-001'];

    const relay = new OutboxRelay(db.pool, flaky, source, logger, { pollIntervalMs: 100 });
    relay.start();
    try {
      await waitFor('the failed publish to be retried', async () => (calls.length >= 2 ? true : undefined), 10_000, 20);
      assert.deepEqual(await outboxKeys(source), expected, 'the failed batch is still in the outbox');
      assert.deepEqual(calls, [expected, expected], 'the retry takes the same rows in id order');
      releaseRetry();
      await waitForEmptyOutbox(source);
    } finally {
      releaseRetry();
      await relay.stop();
    }
    const arrived = await arrivedOn(TOPICS.retry);
    assert.deepEqual(
      arrived.map((message) => message.key),
      expected,
    );
    assert.equal(calls.length, 2);
  });

  it('never publishes a row twice when two relays of the same source run at once', async () => {
    const source = 'routing';
    const rowCount = 100;
    for (let tx = 0; tx < 10; tx++) await enqueue(source, records(TOPICS.concurrent, `tx${tx}`, rowCount / 10));
    const publishedBy = { a: 0, b: 0 };
    // Slow publishers keep each relay's batch locked long enough for the other relay to run into it.
    const slow = (relay: keyof typeof publishedBy): OutboxPublisher => ({
      async publish(messages) {
        await sleep(30);
        await bus.publish(messages);
        publishedBy[relay] += messages.length;
      },
    });
    // Two pools, as two processes would have.
    const otherPool = createPool(db.url, 2);
    const relays = [
      new OutboxRelay(db.pool, slow('a'), source, logger, { batchSize: 10, pollIntervalMs: 100 }),
      new OutboxRelay(otherPool, slow('b'), source, logger, { batchSize: 10, pollIntervalMs: 100 }),
    ];
    try {
      for (const relay of relays) relay.start();
      await waitForEmptyOutbox(source);
    } finally {
      await Promise.all(relays.map((relay) => relay.stop()));
      await otherPool.end();
    }
    const keys = (await arrivedOn(TOPICS.concurrent)).map((message) => message.key);
    assert.equal(keys.length, rowCount, 'each row arrives once');
    assert.equal(new Set(keys).size, rowCount);
    assert.equal(publishedBy.a + publishedBy.b, rowCount);
    assert.ok(publishedBy.a > 0 && publishedBy.b > 0, `both relays took part (a: ${publishedBy.a}, b: ${publishedBy.b})`);
  });

  it('leaves the rows of another source alone', async () => {
    await enqueue('archive', records(TOPICS.sources, 'theirs', 2));
    await enqueue('delivery', records(TOPICS.sources, 'mine', 3));
    await enqueue('archive', records(TOPICS.sources, 'theirs-later', 1));
    const relay = new OutboxRelay(db.pool, bus, 'delivery', logger, { pollIntervalMs: 100 });
    relay.start();
    try {
      await waitForEmptyOutbox('delivery');
      await sleep(300); // a few more rounds, in which the relay must still not touch the other rows
    } finally {
      await relay.stop();
    }
    assert.deepEqual(await outboxKeys('archive'), ['theirs-000', 'theirs-001', 'theirs-later-000']);
    assert.deepEqual(
      (await arrivedOn(TOPICS.sources)).map((message) => message.key),
      ['mine-000', 'mine-001', 'mine-002'],
    );
  });

  it('publishes handed-over rows from memory in commit order, then deletes them', async () => {
    const source = 'transformation';
    const publishedBatches: number[] = [];
    // No poll within the test's bounds: only the handover can make these rows go out.
    const relay = await startedRelay(new OutboxRelay(db.pool, bus, source, logger, { pollIntervalMs: 600_000, onPublished: (count) => publishedBatches.push(count) }));
    try {
      relay.handOff(await enqueue(source, records(TOPICS.handOff, 'first', 3)));
      relay.handOff(await enqueue(source, [{ topic: TOPICS.handOff, key: 'second', value: { kenmerk: 'second' }, headers: { traceparent: '00-cc-dd-01' } }]));
      await waitForEmptyOutbox(source);
    } finally {
      await relay.stop();
    }
    const arrived = await arrivedOn(TOPICS.handOff);
    assert.deepEqual(
      arrived.map((message) => message.key),
      ['first-000', 'first-001', 'first-002', 'second'],
    );
    assert.deepEqual(JSON.parse(arrived[3]!.value.toString()), { kenmerk: 'second' });
    assert.deepEqual(arrived[3]!.headers, { traceparent: '00-cc-dd-01' });
    assert.equal(
      publishedBatches.reduce((sum, count) => sum + count, 0),
      4,
    );
  });

  it('with handOffLingerMs, rows handed over within that time go out together: one publish and one delete', async () => {
    const source = 'lingering-writer';
    const publishes: string[][] = [];
    const recording: OutboxPublisher = {
      async publish(messages) {
        publishes.push(messages.map((message) => message.key));
        await bus.publish(messages);
      },
    };
    const relay = await startedRelay(new OutboxRelay(db.pool, recording, source, logger, { pollIntervalMs: 600_000, handOffLingerMs: 300 }));
    try {
      relay.handOff(await enqueue(source, records(TOPICS.linger, 'a', 1)));
      await sleep(50);
      relay.handOff(await enqueue(source, records(TOPICS.linger, 'b', 2)));
      await waitForEmptyOutbox(source);
    } finally {
      await relay.stop();
    }
    assert.deepEqual(publishes, [['a-000', 'b-000', 'b-001']]);
    assert.deepEqual((await arrivedOn(TOPICS.linger)).map((message) => message.key), ['a-000', 'b-000', 'b-001']);
  });

  it('when publishing handed-over rows fails, takes them from the table on the next round, once each, in id order', async () => {
    const source = 'notification';
    const calls: string[][] = [];
    const flaky: OutboxPublisher = {
      async publish(messages) {
        calls.push(messages.map((message) => message.key));
        if (calls.length === 1) throw new Error('broker unreachable');
        await bus.publish(messages);
      },
    };
    const relay = await startedRelay(new OutboxRelay(db.pool, flaky, source, logger, { pollIntervalMs: 100 }));
    try {
      const written = [...(await enqueue(source, records(TOPICS.handOffRetry, 'a', 2))), ...(await enqueue(source, records(TOPICS.handOffRetry, 'b', 1)))];
      relay.handOff(written);
      await waitForEmptyOutbox(source);
    } finally {
      await relay.stop();
    }
    const expected = ['a-000', 'a-001', 'b-000'];
    assert.deepEqual(calls, [expected, expected], 'the failed batch, then the same rows read back from the table');
    assert.deepEqual(
      (await arrivedOn(TOPICS.handOffRetry)).map((message) => message.key),
      expected,
    );
  });

  it('publishes a row nobody handed over (its writer crashed after the commit) once it is older than leftoverAgeMs', async () => {
    const source = 'authorization';
    const relay = await startedRelay(new OutboxRelay(db.pool, bus, source, logger, { pollIntervalMs: 50, leftoverAgeMs: 1_000 }));
    try {
      // Before the write: the rows' created_at is their transaction's start, which a busy machine puts well before the
      // write returns, and the relay's age is counted from that.
      const written = Date.now();
      await enqueue(source, records(TOPICS.leftover, 'orphan', 2));
      await sleep(500);
      assert.deepEqual(await outboxKeys(source), ['orphan-000', 'orphan-001'], 'younger than leftoverAgeMs: left to its writer');
      await waitForEmptyOutbox(source);
      assert.ok(Date.now() - written >= 1_000);
    } finally {
      await relay.stop();
    }
    assert.deepEqual(
      (await arrivedOn(TOPICS.leftover)).map((message) => message.key),
      ['orphan-000', 'orphan-001'],
    );
  });

  it("leaves another replica's fresh rows to it: each row published once, by the replica that wrote it", async () => {
    const source = 'archive-replicas';
    const publishedBy = { a: 0, b: 0 };
    const counting = (replica: keyof typeof publishedBy): OutboxPublisher => ({
      async publish(messages) {
        await bus.publish(messages);
        publishedBy[replica] += messages.length;
      },
    });
    const otherPool = createPool(db.url, 2);
    const a = await startedRelay(new OutboxRelay(db.pool, counting('a'), source, logger, { pollIntervalMs: 20 }));
    const b = await startedRelay(new OutboxRelay(otherPool, counting('b'), source, logger, { pollIntervalMs: 20 }));
    try {
      for (let tx = 0; tx < 20; tx++) a.handOff(await enqueue(source, records(TOPICS.replicas, `tx${String(tx).padStart(2, '0')}`, 5)));
      await waitForEmptyOutbox(source);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await otherPool.end();
    }
    const keys = (await arrivedOn(TOPICS.replicas)).map((message) => message.key);
    assert.equal(keys.length, 100, 'each row arrives once');
    assert.deepEqual(keys, [...keys].sort(), 'in commit order');
    assert.deepEqual(publishedBy, { a: 100, b: 0 });
  });
});
