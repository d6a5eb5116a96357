import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Kafka } from 'kafkajs';

import type { IncomingMessage, KafkaBus } from '../src/index.js';
import { RecordingLogger, createBus, deleteNamespace, kafkaBrokers, testNamespace, waitFor } from './harness.js';

const namespace = testNamespace('bus');
let bus: KafkaBus;

before(async () => {
  bus = createBus(namespace, new RecordingLogger());
  await bus.connect();
});

after(async () => {
  if (!bus) return;
  await bus.close();
  await deleteNamespace(namespace);
});

describe('KafkaBus.deleteNamespace', () => {
  it("removes its namespace's topics and consumer groups and nobody else's; refuses without a namespace", async () => {
    const mine = createBus(testNamespace('delete-mine'), new RecordingLogger());
    const theirs = createBus(testNamespace('delete-theirs'), new RecordingLogger());
    await Promise.all([mine.connect(), theirs.connect()]);
    try {
      for (const one of [mine, theirs]) await one.provisionTopics([{ name: 'kept-or-not', partitions: 1, replicationFactor: 1 }]);
      const consumer = mine.consumer({ groupId: 'group', topics: ['kept-or-not'], handle: async () => undefined, deadLetterTopic: (topic) => `${topic}.dlq` });
      await consumer.start();
      await mine.stopConsumers();

      await mine.deleteNamespace();

      const admin = new Kafka({ brokers: kafkaBrokers(), clientId: 'kafka-test-listing', logCreator: () => () => undefined }).admin();
      await admin.connect();
      try {
        const topics = await waitFor('the namespace gone', async () => {
          const listed = await admin.listTopics();
          return listed.some((topic) => topic.includes('delete-mine')) ? undefined : listed;
        });
        assert.ok(topics.some((topic) => topic.includes('delete-theirs')), 'the other namespace keeps its topic');
        assert.deepEqual((await admin.listGroups()).groups.filter((group) => group.groupId.includes('delete-mine')), []);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await theirs.deleteNamespace();
      await Promise.all([mine.close(), theirs.close()]);
    }
    const unnamespaced = createBus('', new RecordingLogger());
    await assert.rejects(unnamespaced.deleteNamespace(), /needs a namespace/);
  });
});

describe('KafkaBus.provisionTopics', () => {
  it('several processes creating the same topics at the same moment all start', async () => {
    const buses = Array.from({ length: 8 }, () => createBus(namespace, new RecordingLogger()));
    await Promise.all(buses.map((one) => one.connect()));
    try {
      for (let round = 0; round < 10; round++) {
        const topics = Array.from({ length: 12 }, (_, index) => ({ name: `race-${round}-${index}`, partitions: 4, replicationFactor: 1 }));
        await Promise.all(buses.map((one) => one.provisionTopics(topics)));
      }
    } finally {
      await Promise.all(buses.map((one) => one.close()));
    }
  });
});

describe('KafkaBus.publish', () => {
  it('keeps the order of each key: one partition per key, messages in publish order', async () => {
    const topic = 'order';
    await bus.provisionTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
    const keys = ['KM-1', 'KM-2', 'KM-3', 'KM-4', 'KM-5', 'KM-6'];
    const perKey = 20;
    // Many publish calls, each mixing all keys, as stages emit them.
    for (let seq = 0; seq < perKey; seq += 2) {
      await bus.publish(keys.flatMap((key) => [seq, seq + 1].map((n) => ({ topic, key, value: String(n), headers: { seq: String(n) } }))));
    }

    const received: IncomingMessage[] = [];
    const consumer = bus.consumer({
      groupId: 'order-reader',
      topics: [topic],
      handle: async (messages) => {
        received.push(...messages);
      },
      deadLetterTopic: (name) => `${name}.dlq`,
    });
    await consumer.start();
    await waitFor('every message', () => (received.length >= keys.length * perKey ? true : undefined));
    await consumer.stop();

    assert.equal(received.length, keys.length * perKey);
    for (const key of keys) {
      const ofKey = received.filter((message) => message.key === key);
      assert.equal(new Set(ofKey.map((message) => message.partition)).size, 1, `${key} stays on one partition`);
      assert.deepEqual(
        ofKey.map((message) => Number(message.value.toString())),
        Array.from({ length: perKey }, (_, n) => n),
        `${key} arrives in publish order`,
      );
      assert.ok(ofKey.every((message) => message.headers.seq === message.value.toString()));
    }
    assert.ok(new Set(received.map((message) => message.partition)).size > 1, 'the keys were spread over the partitions');
  });
});

describe('KafkaBus.consumerLag', () => {
  it("is what a group has not committed, per partition and summed: from a partition's start before its first commit, from the commit after", async () => {
    const topic = 'lag';
    await bus.provisionTopics([{ name: topic, partitions: 2, replicationFactor: 1 }]);
    const publish = (count: number, from: number) =>
      bus.publish(Array.from({ length: count }, (_, n) => ({ topic, key: `KM-${from + n}`, value: String(from + n) })));
    await publish(6, 0);

    const never = await bus.consumerLag('lag-reader', topic);
    assert.deepEqual([never.groupId, never.topic, never.lag], ['lag-reader', topic, 6]);
    assert.deepEqual(never.partitions.map((entry) => entry.partition), [0, 1]);
    assert.equal(never.partitions.reduce((sum, entry) => sum + entry.lag, 0), 6);

    const consumer = bus.consumer({ groupId: 'lag-reader', topics: [topic], handle: async () => undefined, deadLetterTopic: (name) => `${name}.dlq` });
    await consumer.start();
    await waitFor('every message committed', async () => ((await bus.consumerLag('lag-reader', topic)).lag === 0 ? true : undefined));
    await consumer.stop();

    await publish(4, 6);
    assert.equal((await bus.consumerLag('lag-reader', topic)).lag, 4);
    assert.equal((await bus.consumerLag('another-group', topic)).lag, 10, 'another group is behind by all of it');
  });
});
