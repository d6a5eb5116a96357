import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { BatchConsumer, ConsumerOptions, DeadLetter, IncomingMessage, KafkaBus } from '../src/index.js';
import { RecordingLogger, createBus, deferred, deleteNamespace, kafkaBrokers, testNamespace, waitFor } from './harness.js';

const TOPICS = {
  stopped: 'commit.stopped',
  graceful: 'commit.graceful',
  killed: 'commit.killed',
  transient: 'retry.transient',
  invalid: 'retry.invalid',
  batch: 'retry.batch',
  long: 'commit.long',
} as const;
const deadLetterTopic = (topic: string) => `${topic}.dlq`;
const RETRIES = { maxRetries: 2, retryBackoffMs: 50 } as const;

const namespace = testNamespace('consumer');
const logger = new RecordingLogger();
let bus: KafkaBus;
const deadLettered: IncomingMessage[] = [];

before(async () => {
  bus = createBus(namespace, logger);
  await bus.connect();
  const topics = Object.values(TOPICS);
  await bus.provisionTopics([...topics, ...topics.map(deadLetterTopic)].map((name) => ({ name, partitions: 1, replicationFactor: 1 })));
  // What reaches the dead-letter topics, read as any operator's tool would.
  await bus
    .consumer({
      groupId: 'dlq-reader',
      topics: topics.map(deadLetterTopic),
      handle: async (messages) => {
        deadLettered.push(...messages);
      },
      deadLetterTopic: (topic) => `${topic}.unused`,
    })
    .start();
});

after(async () => {
  if (!bus) return;
  await bus.close();
  await deleteNamespace(namespace);
});

interface StartedConsumer {
  readonly consumer: BatchConsumer;
  /** What the default handler applied. */
  readonly handled: IncomingMessage[];
  /** Batches whose offsets were committed (the lag is reported right after the commit). */
  readonly committed: () => number;
}

/** A started consumer whose handler records what it applied; `handle` may throw instead. */
async function startConsumer(options: Partial<ConsumerOptions> & Pick<ConsumerOptions, 'groupId' | 'topics'>): Promise<StartedConsumer> {
  const handled: IncomingMessage[] = [];
  let committed = 0;
  const consumer = bus.consumer({
    deadLetterTopic,
    ...RETRIES,
    handle: async (messages) => {
      handled.push(...messages);
    },
    onLag: () => committed++,
    ...options,
  });
  await consumer.start();
  return { consumer, handled, committed: () => committed };
}

/**
 * Publishes a fence and waits for a consumer of `group` to read it: what that consumer saw before the fence is
 * everything the group had not committed.
 */
async function uncommitted(group: string, topic: string): Promise<string[]> {
  const fence = `fence-${randomUUID()}`;
  await bus.publish([{ topic, key: fence, value: 'fence' }]);
  const { consumer, handled } = await startConsumer({ groupId: group, topics: [topic] });
  try {
    await waitFor(`the fence on ${topic} for ${group}`, () => (handled.some((message) => message.key === fence) ? true : undefined));
  } finally {
    await consumer.stop();
  }
  return handled.map((message) => message.key ?? '').filter((key) => key !== fence);
}

async function deadLettersOn(topic: string): Promise<IncomingMessage[]> {
  const fence = `fence-${randomUUID()}`;
  await bus.publish([{ topic: deadLetterTopic(topic), key: fence, value: 'fence' }]);
  await waitFor(`the fence on ${deadLetterTopic(topic)}`, () => (deadLettered.some((message) => message.key === fence) ? true : undefined));
  return deadLettered.filter((message) => message.topic === deadLetterTopic(topic) && !message.key?.startsWith('fence-'));
}

describe('BatchConsumer: offsets are committed only after the effect', () => {
  it('commits the batch in hand when the consumer is stopped gracefully: the next consumer of the group does not get it again', async () => {
    const topic = TOPICS.graceful;
    await bus.publish([{ topic, key: 'g1', value: 'one' }]);
    const release = deferred();
    let entered = false;
    let effects = 0;
    const { consumer } = await startConsumer({
      groupId: 'graceful',
      topics: [topic],
      handle: async () => {
        entered = true;
        await release.promise;
        effects++;
      },
    });
    await waitFor('the consumer to be handling g1', () => (entered ? true : undefined));
    const stopping = consumer.stop();
    release.resolve();
    await stopping;
    assert.equal(effects, 1);
    assert.deepEqual(await uncommitted('graceful', topic), [], 'committed during the stop: not handed out again');
  });

  it('keeps its place in the group through a run longer than the session timeout: the message is handled once', async () => {
    // A validation run of large invoices (rules in worker threads, Arelle) can outlast the session timeout (6 s here).
    const topic = TOPICS.long;
    await bus.publish([{ topic, key: 'slow', value: 'one' }]);
    let calls = 0;
    const { consumer, committed } = await startConsumer({
      groupId: 'long',
      topics: [topic],
      handle: async () => {
        calls++;
        await new Promise((done) => setTimeout(done, 10_000));
      },
    });
    try {
      await waitFor('the slow run to be committed', () => (committed() > 0 ? true : undefined), 30_000);
      await new Promise((done) => setTimeout(done, 2_000));
      assert.equal(calls, 1, 'the run was handed out again: the consumer lost its membership while it ran');
    } finally {
      await consumer.stop();
    }
    assert.deepEqual(await uncommitted('long', topic), []);
  });

  it('leaves a message whose handling failed while the consumer stopped to the next consumer of the group', async () => {
    const topic = TOPICS.stopped;
    await bus.publish([{ topic, key: 'm1', value: 'one' }]);
    const shutdownFailure = deferred();
    let calls = 0;
    const deadLetters: DeadLetter[] = [];
    const { consumer: first } = await startConsumer({
      groupId: 'stopped',
      topics: [topic],
      handle: async () => {
        calls++;
        await shutdownFailure.promise;
        throw new Error('connection terminated during shutdown');
      },
      onDeadLetter: async (deadLetter) => {
        deadLetters.push(deadLetter);
      },
    });
    await waitFor('the first consumer to handle m1', () => (calls > 0 ? true : undefined));
    const stopping = first.stop();
    shutdownFailure.resolve();
    await stopping;
    assert.equal(calls, 1, 'a stopping consumer does not retry');
    assert.deepEqual(deadLetters, [], 'nor does it dead-letter the message');

    // The next consumer of the group gets it again and handles it; after that, the group is past it.
    const { consumer: second, handled, committed } = await startConsumer({ groupId: 'stopped', topics: [topic] });
    try {
      // Stopped only after the commit: kafkajs drops a commit asked for once stop() has begun.
      await waitFor('m1 to come again and be committed', () => (committed() > 0 ? true : undefined));
    } finally {
      await second.stop();
    }
    assert.deepEqual(handled.map((message) => [message.key, message.value.toString()]), [['m1', 'one']]);
    assert.deepEqual(await uncommitted('stopped', topic), [], 'handled and committed: not seen again');
  });

  it('gives a message to another consumer of the group when the process handling it is killed', async () => {
    const topic = TOPICS.killed;
    await bus.publish([{ topic, key: 'k1', value: 'one' }]);
    const fixture = join(import.meta.dirname, 'fixtures/hanging-consumer.js');
    const child = spawn(process.execPath, [fixture, kafkaBrokers().join(','), namespace, 'killed', topic], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor('the child to be handling k1', () => (output.includes('handling k1') ? true : undefined), 20_000);
    } finally {
      child.kill('SIGKILL'); // no shutdown, no commit
      await exited;
    }

    // The group waits for the dead member's session (6 s) to time out, then hands its partition over.
    const { consumer, handled, committed } = await startConsumer({ groupId: 'killed', topics: [topic] });
    try {
      await waitFor('k1 to be redelivered and committed', () => (committed() > 0 ? true : undefined), 25_000);
    } finally {
      await consumer.stop();
    }
    assert.deepEqual(handled.map((message) => message.key), ['k1']);
    assert.deepEqual(await uncommitted('killed', topic), []);
  });
});

describe('BatchConsumer: retries and the dead-letter topic', () => {
  it('retries a retryable failure with backoff, then dead-letters the message with the reason and where it came from', async () => {
    const topic = TOPICS.transient;
    await bus.publish([{ topic, key: 't1', value: 'payload', headers: { 'poort-kenmerk': 'KM-1' } }]);
    const attempts: number[] = [];
    const deadLetters: DeadLetter[] = [];
    const { consumer, committed } = await startConsumer({
      groupId: 'transient',
      topics: [topic],
      handle: async () => {
        attempts.push(Date.now());
        throw new Error('database unavailable');
      },
      onDeadLetter: async (deadLetter) => {
        deadLetters.push(deadLetter);
      },
    });
    try {
      await waitFor('the dead-lettered message to be committed', () => (committed() > 0 ? true : undefined));
    } finally {
      await consumer.stop();
    }

    // The first try, then maxRetries retries, each after a longer wait.
    assert.equal(attempts.length, 1 + RETRIES.maxRetries);
    const gaps = attempts.slice(1).map((at, index) => at - attempts[index]!);
    assert.ok(gaps[0]! >= RETRIES.retryBackoffMs - 5 && gaps[1]! >= 2 * RETRIES.retryBackoffMs - 5, `exponential backoff, gaps ${gaps.join(', ')} ms`);

    assert.equal(deadLetters.length, 1);
    assert.equal(deadLetters[0]!.reason, 'database unavailable');
    assert.equal(deadLetters[0]!.message.key, 't1');
    const [dead, ...more] = await deadLettersOn(topic);
    assert.deepEqual(more, []);
    assert.equal(dead?.key, 't1');
    assert.equal(dead.value.toString(), 'payload');
    assert.deepEqual(dead.headers, {
      'poort-kenmerk': 'KM-1',
      'poort-dlq-reason': 'database unavailable',
      'poort-dlq-topic': topic,
      'poort-dlq-partition': '0',
      'poort-dlq-offset': '0',
      'poort-dlq-group': 'transient',
    });
    assert.deepEqual(await uncommitted('transient', topic), [], 'the dead-lettered message is committed');
  });

  it('dead-letters a message at once, without retries, when the error is not retryable', async () => {
    const topic = TOPICS.invalid;
    await bus.publish([{ topic, key: 'i1', value: '{"not":"an envelope"}' }]);
    class InvalidEvent extends Error {}
    let attempts = 0;
    const deadLetters: DeadLetter[] = [];
    const { consumer } = await startConsumer({
      groupId: 'invalid',
      topics: [topic],
      handle: async () => {
        attempts++;
        throw new InvalidEvent('envelope: kenmerk is required');
      },
      isRetryable: (error) => !(error instanceof InvalidEvent),
      onDeadLetter: async (deadLetter) => {
        deadLetters.push(deadLetter);
      },
    });
    try {
      await waitFor('onDeadLetter', () => (deadLetters.length > 0 ? true : undefined));
    } finally {
      await consumer.stop();
    }
    assert.equal(attempts, 1);
    assert.deepEqual(deadLetters.map((deadLetter) => deadLetter.reason), ['envelope: kenmerk is required']);
    const dead = await deadLettersOn(topic);
    assert.deepEqual(dead.map((message) => [message.key, message.headers['poort-dlq-reason'], message.headers['poort-dlq-group']]), [
      ['i1', 'envelope: kenmerk is required', 'invalid'],
    ]);
  });

  it('does not let one poison message in a batch hold back the others: they are handled and committed, it is dead-lettered', async () => {
    const topic = TOPICS.batch;
    const keys = ['b0', 'b1', 'poison', 'b3', 'b4'];
    await bus.publish(keys.map((key) => ({ topic, key, value: key })));
    const calls: string[][] = [];
    const applied: string[] = [];
    const deadLetters: DeadLetter[] = [];
    const { consumer, committed } = await startConsumer({
      groupId: 'batch',
      topics: [topic],
      // All or nothing, as a transaction would: a run with the poison message in it applies nothing.
      handle: async (messages) => {
        const run = messages.map((message) => message.key ?? '');
        calls.push(run);
        if (run.includes('poison')) throw new Error('cannot apply poison');
        applied.push(...run);
      },
      onDeadLetter: async (deadLetter) => {
        deadLetters.push(deadLetter);
      },
    });
    try {
      await waitFor('the batch to be committed', () => (committed() > 0 ? true : undefined));
    } finally {
      await consumer.stop();
    }
    assert.deepEqual(calls[0], keys, 'the five messages came as one batch');
    assert.deepEqual(applied, ['b0', 'b1', 'b3', 'b4'], 'each good message applied once, in order');
    assert.deepEqual(deadLetters.map((deadLetter) => deadLetter.message.key), ['poison']);
    assert.deepEqual(
      (await deadLettersOn(topic)).map((message) => [message.key, message.headers['poort-dlq-offset']]),
      [['poison', '2']],
    );
    assert.deepEqual(await uncommitted('batch', topic), [], 'the whole batch is committed');
  });
});
