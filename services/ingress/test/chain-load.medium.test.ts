import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { TOPICS } from '@poort/contracts';
import { KafkaBus, type KafkaLogger } from '@poort/kafka';
import { enqueueOutbox } from '@poort/message-state';
import { PoortMetrics } from '@poort/observability';
import { ScratchDatabase, requiredEnv, waitFor } from '@poort/testing';

import { ChainLoadMetrics } from '../src/chain-load/chain-load.metrics.js';
import { ChainLoadSampler, MESSAGE_PATH } from '../src/chain-load/chain-load.sampler.js';
import type { LoadLimits, LoadVerdict } from '../src/chain-load/load-policy.js';

/**
 * The sampler against the real broker and database: lag is what a consumer group has not committed on its topic, the
 * backlog what waits in the outbox, and the verdict follows both there and back. The chain's groups are played by
 * the test: nothing consumes unless it says so.
 */

const LIMITS: LoadLimits = { maxLag: 10, maxBacklog: 10, resumeRatio: 0.5, retryAfter: { minSeconds: 1, maxSeconds: 60 } };
const quiet: KafkaLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

class RecordingLogger {
  readonly lines: { level: 'info' | 'warn'; message: string; fields: Record<string, unknown> }[] = [];
  info(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'warn', message, fields });
  }
}

let db: ScratchDatabase;
let bus: KafkaBus;
let metrics: PoortMetrics;
const logger = new RecordingLogger();
let sampler: ChainLoadSampler;

before(async () => {
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'ingress_chain_load');
  bus = new KafkaBus({ brokers: requiredEnv('KAFKA_BROKERS').split(','), clientId: 'chain-load-test', namespace: `test-chain-load-${randomBytes(4).toString('hex')}.`, sessionTimeoutMs: 6_000 }, quiet);
  await bus.connect();
  await bus.provisionTopics(MESSAGE_PATH.map((hop) => ({ name: hop.topic, partitions: 2, replicationFactor: 1 })));
  metrics = new PoortMetrics('ingress-test');
  sampler = new ChainLoadSampler({ lags: bus, db: db.pool, limits: LIMITS, intervalMs: 100, logger, metrics: new ChainLoadMetrics(metrics) });
});

after(async () => {
  await bus?.deleteNamespace().catch(() => undefined);
  await bus?.close();
  await db?.drop();
});

const gauge = async (name: string, labels: Record<string, string> = {}): Promise<number | undefined> => {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  return metric?.values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted))?.value;
};

const publish = (count: number) =>
  bus.publish(Array.from({ length: count }, (_, index) => ({ topic: TOPICS.authorized, key: `kenmerk-${index}`, value: '{}' })));

const busyCause = (verdict: LoadVerdict) => (verdict.state === 'busy' ? verdict.cause : verdict.state);

describe('ChainLoadSampler on Kafka and Postgres', () => {
  test('an idle chain is open: no lag, no backlog', async () => {
    assert.equal((await sampler.sample()).state, 'open');
    assert.equal(await gauge('poort_ingress_chain_lag', { group: 'poort-validation', topic: TOPICS.authorized }), 0);
    assert.equal(await gauge('poort_ingress_outbox_backlog'), 0);
    assert.equal(await gauge('poort_ingress_busy'), 0);
  });

  test('events a stage has not consumed are lag (summed over partitions); above the limit the chain is busy', async () => {
    await publish(15);
    assert.equal(busyCause(await sampler.sample()), 'lag');
    assert.equal(await gauge('poort_ingress_chain_lag', { group: 'poort-validation', topic: TOPICS.authorized }), 15);
    assert.equal(await gauge('poort_ingress_chain_lag', { group: 'poort-authorization', topic: TOPICS.received }), 0);
    assert.equal(await gauge('poort_ingress_busy'), 1);
    const busy = logger.lines.filter((line) => line.message.includes('submissions are refused as busy'));
    assert.equal(busy.length, 1);
    assert.deepEqual([busy[0]!.level, busy[0]!.fields.lag, busy[0]!.fields.cause], ['warn', 15, 'lag']);
  });

  test('once the stage consumes and commits, the lag falls to 0 and the chain is open again, with one log line', async () => {
    const consumer = bus.consumer({ groupId: 'poort-validation', topics: [TOPICS.authorized], handle: async () => undefined, deadLetterTopic: (topic) => `${topic}.dlq` });
    await consumer.start();
    try {
      const verdict = await waitFor('the lag committed away', async () => {
        const sampled = await sampler.sample();
        return sampled.state === 'open' ? sampled : undefined;
      }, 30_000, 200);
      assert.equal(verdict.state, 'open');
      assert.equal(await gauge('poort_ingress_chain_lag', { group: 'poort-validation', topic: TOPICS.authorized }), 0);
      assert.equal(logger.lines.filter((line) => line.message.includes('chain caught up')).length, 1);
      assert.equal(logger.lines.filter((line) => line.message.includes('refused as busy')).length, 1, 'no flapping on the way down');
    } finally {
      await consumer.stop();
    }
  });

  test('events waiting in the outbox are backlog: busy above the limit, open again at half of it', async () => {
    const ids = (await enqueueOutbox(db.pool, 'ingress', Array.from({ length: 12 }, (_, index) => ({ topic: TOPICS.received, key: `k${index}`, value: {} })))).map((row) => row.id);
    assert.equal(busyCause(await sampler.sample()), 'backlog');
    assert.equal(await gauge('poort_ingress_outbox_backlog'), 12);

    await db.pool.query('DELETE FROM outbox WHERE id = ANY($1)', [ids.slice(0, 6)]);
    assert.equal((await sampler.sample()).state, 'busy', '6 waiting is still above half the limit');
    await db.pool.query('DELETE FROM outbox WHERE id = ANY($1)', [ids.slice(6, 7)]);
    assert.equal((await sampler.sample()).state, 'open');
  });

  test('the backlog is counted up to twice the limit and no further: a look costs the same however long the queue', async () => {
    await enqueueOutbox(db.pool, 'ingress', Array.from({ length: 40 }, (_, index) => ({ topic: TOPICS.received, key: `many${index}`, value: {} })));
    await sampler.sample();
    assert.equal(await gauge('poort_ingress_outbox_backlog'), 21);
    await db.pool.query('DELETE FROM outbox');
    assert.equal((await sampler.sample()).state, 'open');
  });

  test('when Kafka does not answer the verdict rests on the outbox alone, and the failure is logged once', async () => {
    const lines = logger.lines.length;
    const broken = new ChainLoadSampler({
      lags: { consumerLag: () => Promise.reject(new Error('no broker')) },
      db: db.pool,
      limits: LIMITS,
      intervalMs: 100,
      logger,
      metrics: new ChainLoadMetrics(new PoortMetrics('ingress-test-broken')),
    });
    assert.equal((await broken.sample()).state, 'open');
    await enqueueOutbox(db.pool, 'ingress', Array.from({ length: 11 }, (_, index) => ({ topic: TOPICS.received, key: `b${index}`, value: {} })));
    assert.equal(busyCause(await broken.sample()), 'backlog');
    const failures = logger.lines.slice(lines).filter((line) => line.message.includes('cannot sample'));
    assert.deepEqual(failures.map((line) => line.fields.source), ['kafka']);
    await db.pool.query('DELETE FROM outbox');
  });

  test('runs on its own: started, it follows the chain at its interval', async () => {
    sampler.onApplicationBootstrap();
    try {
      await publish(30);
      await waitFor('busy without a sample() of the test', async () => (sampler.verdict().state === 'busy' ? true : undefined), 10_000, 50);
    } finally {
      await sampler.beforeApplicationShutdown();
    }
  });
});
