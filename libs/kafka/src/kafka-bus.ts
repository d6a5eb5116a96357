import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, Partitioners, logLevel, type Admin, type Producer } from 'kafkajs';

import { BatchConsumer, type ConsumerOptions } from './batch-consumer.js';
import type { ConsumerLag, KafkaLogger, KafkaSettings, OutgoingMessage, TopicSpec } from './types.js';

/** One connection to the cluster per process: an idempotent producer, an admin, and consumers on demand. */
export class KafkaBus {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly consumers: BatchConsumer[] = [];
  private producerConnected = false;
  private readonly namespace: string;
  private readonly sessionTimeoutMs: number;

  constructor(
    settings: KafkaSettings,
    private readonly logger: KafkaLogger,
  ) {
    this.namespace = settings.namespace ?? '';
    this.sessionTimeoutMs = settings.sessionTimeoutMs ?? 30_000;
    this.kafka = new Kafka({
      clientId: settings.clientId,
      brokers: [...settings.brokers],
      ...(settings.tls ? { ssl: { ca: [settings.tls.ca], cert: settings.tls.cert, key: settings.tls.key, rejectUnauthorized: true } } : {}),
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => {
        const { message, ...fields } = entry.log;
        const target = entry.level <= logLevel.ERROR ? 'error' : 'warn';
        this.logger[target]({ kafka: entry.namespace, ...fields }, message);
      },
      retry: { initialRetryTime: 200, retries: 8 },
    });
    // Idempotent with one request in flight: no duplicates from producer retries and order kept per partition.
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.admin = this.kafka.admin();
  }

  async connect(): Promise<void> {
    await Promise.all([this.producer.connect(), this.admin.connect()]);
    this.producerConnected = true;
  }

  /** Resolves once every message is acknowledged by all in-sync replicas. */
  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, { key: string; value: string | Buffer; headers: Record<string, string> }[]>();
    for (const message of messages) {
      const topic = this.namespace + message.topic;
      const list = byTopic.get(topic) ?? [];
      list.push({ key: message.key, value: message.value, headers: { ...message.headers } });
      byTopic.set(topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
    });
  }

  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  async provisionTopics(topics: readonly TopicSpec[]): Promise<void> {
    const names = topics.map((topic) => this.namespace + topic.name);
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.map((topic) => ({ ...topic, name: this.namespace + topic.name })).filter((topic) => !existing.has(topic.name));
    if (missing.length === 0) return this.awaitTopics(names);
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: topic.replicationFactor,
        })),
      });
      this.logger.info({ topics: missing.map((topic) => topic.name) }, 'kafka topics created');
    } catch (error) {
      // Another process created them at the same moment: kafkajs's wait for their leaders then meets
      // UNKNOWN_TOPIC_OR_PARTITION, which it does not retry (seen when a chain's services start at once). awaitTopics does.
      if (!(error as { retriable?: boolean }).retriable) throw error;
    }
    await this.awaitTopics(names);
  }

  /**
   * Until every topic answers with its partitions: topics another process is creating at this moment are listed before
   * their partitions have leaders, and a producer or consumer asking for them then fails at start (kafkajs does not retry
   * UNKNOWN_TOPIC_OR_PARTITION there). Seen when several services of a chain start at once on a busy machine.
   */
  private async awaitTopics(names: readonly string[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.admin.fetchTopicMetadata({ topics: [...names] });
        return;
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || Date.now() > deadline) throw error;
        await sleep(200);
      }
    }
  }

  /**
   * Removes the topics and consumer groups of this bus's namespace: a bench run or a test leaves the shared broker as
   * it found it (every partition costs the broker, and they add up run after run). Refused without a namespace.
   */
  async deleteNamespace(): Promise<void> {
    if (this.namespace === '') throw new Error('deleteNamespace needs a namespace: without one it would delete every topic');
    const topics = (await this.admin.listTopics()).filter((topic) => topic.startsWith(this.namespace));
    if (topics.length > 0) await this.admin.deleteTopics({ topics });
    const groups = (await this.admin.listGroups()).groups.map((group) => group.groupId).filter((group) => group.startsWith(this.namespace));
    if (groups.length > 0) await this.admin.deleteGroups(groups);
  }

  /**
   * How far a consumer group is behind on a topic, from the broker's view (committed group offsets against the end of
   * each partition), so that any process can ask, not only the group's members. A partition the group never committed
   * counts from its start, as the chain's consumers begin there (fromBeginning). Plain names: the namespace is added.
   */
  async consumerLag(groupId: string, topic: string): Promise<ConsumerLag> {
    const [committed, ends] = await Promise.all([
      this.admin.fetchOffsets({ groupId: this.namespace + groupId, topics: [this.namespace + topic] }),
      this.admin.fetchTopicOffsets(this.namespace + topic),
    ]);
    const committedAt = new Map((committed[0]?.partitions ?? []).map((entry) => [entry.partition, BigInt(entry.offset)]));
    const partitions = ends
      .map((end) => {
        const at = committedAt.get(end.partition) ?? -1n;
        const from = at >= 0n ? at : BigInt(end.low);
        const lag = BigInt(end.high) - from;
        return { partition: end.partition, lag: Number(lag > 0n ? lag : 0n) };
      })
      .sort((a, b) => a.partition - b.partition);
    return { groupId, topic, lag: partitions.reduce((sum, entry) => sum + entry.lag, 0), partitions };
  }

  /** For readiness: fails fast when no broker answers. */
  async ping(timeoutMs = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no Kafka broker answered within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.admin.describeCluster(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    if (this.consumers.some((consumer) => consumer.crashed)) throw new Error('a Kafka consumer has crashed');
  }

  consumer(options: ConsumerOptions): BatchConsumer {
    const consumer = new BatchConsumer(this.kafka, this, options, this.logger, this.namespace, this.sessionTimeoutMs);
    this.consumers.push(consumer);
    return consumer;
  }

  /** Stops taking messages: each consumer finishes and commits the batch in hand. */
  async stopConsumers(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
  }

  /** Stops the consumers if they still run, then closes the producer: call it after the last publish. */
  async close(): Promise<void> {
    await this.stopConsumers();
    if (this.producerConnected) await this.producer.disconnect();
    await this.admin.disconnect();
  }
}
