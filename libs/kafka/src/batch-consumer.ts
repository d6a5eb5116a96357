import { setTimeout as sleep } from 'node:timers/promises';

import { Coalescer } from '@poort/batching';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';

import type { IncomingMessage, KafkaLogger, OutgoingMessage } from './types.js';

export interface DeadLetter {
  readonly message: IncomingMessage;
  readonly reason: string;
}

export interface ConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Applies the effect of a run of messages, all or nothing, idempotently: the same message may come again
   * after a crash. A run holds the messages of one or several partitions (those of a fetch, handled together), each
   * partition's in their order. Offsets are committed only after it resolves. When it throws for a run of several
   * messages, each partition's are tried again alone, then each message on its own, so that one poison message
   * cannot hold back the others.
   */
  readonly handle: (messages: readonly IncomingMessage[]) => Promise<void>;
  /** Called after a message went to the dead-letter topic, e.g. to give the sender a final status. */
  readonly onDeadLetter?: (deadLetter: DeadLetter) => Promise<void>;
  /** Errors for which a retry cannot help (invalid events): straight to the dead-letter topic. */
  readonly isRetryable?: (error: unknown) => boolean;
  /**
   * Errors that mean a dependency (the database, the broker) is away rather than that this message cannot be
   * handled: they are waited out without limit and never dead-lettered; the partition waits meanwhile.
   */
  readonly isOutage?: (error: unknown) => boolean;
  /** Told when handling starts waiting for a dependency, and when it is back (metrics, logs, readiness). */
  readonly onOutage?: (state: 'began' | 'ended', error?: unknown) => void;
  readonly maxRetries?: number;
  readonly retryBackoffMs?: number;
  readonly deadLetterTopic: (topic: string) => string;
  /** Reports the distance to the high watermark after each batch. */
  readonly onLag?: (topic: string, partition: number, lag: number) => void;
}

interface Publisher {
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
}

/** The longest wait between two tries while a dependency is away. */
const MAX_OUTAGE_BACKOFF_MS = 5_000;

/**
 * How many partitions' runs kafkajs hands over at once: all of those of a fetch, in practice, so that they are
 * handled as one (see Coalescer).
 */
const PARTITIONS_AT_ONCE = 64;

/**
 * How long a consumer rests after a run before it fetches again. A busy chain otherwise fetches as soon as one event
 * is there, and every fetch (with its commit, its transaction and the produce behind it) costs the broker, Postgres and
 * both ends a request: on a 2-core box the requests, not the events, were the work. The bench, 4 partitions: 0, 10,
 * 30 and 50 ms took the broker from 1.5 to 0.9, 0.7 and 0.6 ms per message; later, with the whole chain, 60 ms against
 * 30 ms saved about 1 ms per message in four A/B pairs (100 ms did not save more). 60 ms per hop is small beside a
 * message's way through the chain, and an idle consumer still gets a new event at once (its fetch waits on the broker).
 */
const FETCH_LINGER_MS = 60;

/** A partition's offset to commit, with the batch payload it came in (any of them commits for the whole group). */
interface PartitionCommit {
  readonly payload: EachBatchPayload;
  readonly partition: number;
  readonly offset: string;
}

/**
 * One OffsetCommit for several partitions. Through a batch payload rather than consumer.commitOffsets: that one skips
 * the commit once the consumer is stopping, and a graceful stop would then hand the batch just handled to the next
 * consumer again.
 */
async function commitTogether(commits: readonly PartitionCommit[]): Promise<void> {
  const topics = new Map<string, { partition: number; offset: string }[]>();
  for (const { payload, partition, offset } of commits) {
    const partitions = topics.get(payload.batch.topic) ?? [];
    partitions.push({ partition, offset });
    topics.set(payload.batch.topic, partitions);
  }
  await commits[0]!.payload.commitOffsetsIfNecessary({ topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) });
}

/** Waits between attempts to bring back a consumer that kafkajs gave up on: doubling from the first, up to the last. */
const RESTART_BACKOFF_MS = { first: 1_000, max: 30_000 } as const;

export class BatchConsumer {
  private consumer: Consumer;
  /** Runs of several partitions handled as one. */
  private readonly runs: Coalescer<readonly IncomingMessage[]>;
  /** Their offsets committed in one request. */
  private readonly commits: Coalescer<PartitionCommit>;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** True while the consumer is down and being brought back: the service is then not ready. */
  crashed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly publisher: Publisher,
    private readonly options: ConsumerOptions,
    private readonly logger: KafkaLogger,
    private readonly namespace = '',
    private readonly sessionTimeoutMs = 30_000,
  ) {
    this.runs = new Coalescer((runs) => this.options.handle(runs.flat()));
    this.commits = new Coalescer(commitTogether);
    this.consumer = this.createConsumer();
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics.map((topic) => this.namespace + topic), fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.consumer.disconnect();
  }

  private createConsumer(): Consumer {
    const consumer = this.kafka.consumer({
      groupId: this.namespace + this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatEveryMs,
      maxWaitTimeInMs: 500,
      retry: { retries: 10 },
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || this.stopped || consumer !== this.consumer) return;
      this.crashed = true;
      this.logger.error({ err: event.payload.error, groupId: this.options.groupId }, 'kafka consumer gave up; bringing it back');
      this.scheduleRestart(RESTART_BACKOFF_MS.first);
    });
    return consumer;
  }

  /**
   * kafkajs gives a consumer up on errors it deems final (a group coordinator not found while the broker restarts,
   * say); a broker that is away is not a reason for a service to stop consuming, so a new consumer takes over once
   * the broker answers. Offsets were committed after each effect, so nothing is lost or done twice.
   */
  private scheduleRestart(delayMs: number): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      void (async () => {
        if (this.stopped) return;
        try {
          await this.consumer.disconnect().catch(() => undefined);
          this.consumer = this.createConsumer();
          await this.start();
          if (this.stopped) {
            await this.consumer.disconnect();
            return;
          }
          this.crashed = false;
          this.logger.info({ groupId: this.options.groupId }, 'kafka consumer is back');
        } catch (error) {
          this.logger.warn({ err: error, groupId: this.options.groupId, retryInMs: delayMs }, 'kafka consumer could not come back yet');
          this.scheduleRestart(Math.min(delayMs * 2, RESTART_BACKOFF_MS.max));
        }
      })();
    }, delayMs);
  }

  private get heartbeatEveryMs(): number {
    return Math.max(500, Math.floor(this.sessionTimeoutMs / 10));
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const topic = batch.topic.slice(this.namespace.length);
    const messages = batch.messages.map((message) => toIncoming(topic, batch.partition, message));
    if (messages.length === 0) return;
    let settled: IncomingMessage | undefined;
    const outcome = await whileHeartbeating(payload, this.heartbeatEveryMs, () => this.tryRun(messages));
    if (outcome.ok) {
      settled = messages[messages.length - 1];
    } else {
      if (messages.length > 1) this.logger.warn({ err: outcome.error, topic, count: messages.length }, 'batch failed, handling messages one by one');
      for (const message of messages) {
        if (!payload.isRunning() || payload.isStale()) break;
        // A lone message's failure above was its first attempt; in a batch, each message gets attempts of its own.
        if (!(await this.settleAlone(message, payload, messages.length === 1 ? outcome.error : undefined))) break;
        settled = message;
      }
    }
    if (settled === undefined) return;
    payload.resolveOffset(settled.offset);
    await this.commits.submit({ payload, partition: batch.partition, offset: (BigInt(settled.offset) + 1n).toString() });
    this.options.onLag?.(topic, batch.partition, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(settled.offset) - 1n)));
    await payload.heartbeat();
    // The next fetch waits for this run: what arrives meanwhile comes in it, fewer and larger fetches (see FETCH_LINGER_MS).
    if (payload.isRunning()) await sleep(FETCH_LINGER_MS);
  }

  /**
   * One partition's run, handled together with the runs of other partitions that arrive meanwhile; should that
   * combined run fail, this partition's run is tried again on its own (Coalescer).
   */
  private async tryRun(messages: readonly IncomingMessage[]): Promise<{ ok: true } | { ok: false; error: unknown }> {
    try {
      await this.runs.submit(messages);
      return { ok: true };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /**
   * Handles one message until it succeeds or is dead-lettered: up to maxRetries retries with exponential back-off
   * after its first attempt (`failed`, when that attempt already happened). A dependency outage does not count: it is
   * waited out for as long as it lasts. False when the consumer stops first: the message is then not settled and its
   * offset not committed, so the next consumer of the group takes it.
   */
  private async settleAlone(message: IncomingMessage, payload: EachBatchPayload, failed?: unknown): Promise<boolean> {
    const maxRetries = this.options.maxRetries ?? 5;
    const backoff = this.options.retryBackoffMs ?? 500;
    let error = failed;
    let tried = failed !== undefined;
    let attempt = 0;
    let outageRounds = 0;
    for (;;) {
      if (!tried) {
        try {
          await whileHeartbeating(payload, this.heartbeatEveryMs, () => this.options.handle([message]));
          if (outageRounds > 0) this.outageEnded(message);
          return true;
        } catch (caught) {
          error = caught;
        }
      }
      tried = false;
      if (this.options.isOutage?.(error)) {
        if (outageRounds === 0) {
          this.logger.warn({ err: error, topic: message.topic, offset: message.offset }, 'a dependency is away: waiting for it, the partition waits too');
          this.options.onOutage?.('began', error);
        }
        if (!payload.isRunning()) return false;
        await sleep(Math.min(backoff * 2 ** outageRounds++, MAX_OUTAGE_BACKOFF_MS));
        await payload.heartbeat().catch(() => undefined);
        continue;
      }
      if (outageRounds > 0) {
        this.outageEnded(message);
        outageRounds = 0;
      }
      if (!this.retryable(error) || attempt >= maxRetries) {
        await this.deadLetter(message, error);
        return true;
      }
      if (!payload.isRunning()) return false;
      this.logger.warn({ err: error, topic: message.topic, offset: message.offset, attempt }, 'retrying message');
      await sleep(backoff * 2 ** attempt++);
      await payload.heartbeat();
    }
  }

  private outageEnded(message: IncomingMessage): void {
    this.logger.info({ topic: message.topic, offset: message.offset }, 'the dependency is back: handling goes on');
    this.options.onOutage?.('ended');
  }

  private retryable(error: unknown): boolean {
    return this.options.isRetryable ? this.options.isRetryable(error) : true;
  }

  private async deadLetter(message: IncomingMessage, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    await this.publisher.publish([
      {
        topic: this.options.deadLetterTopic(message.topic),
        key: message.key ?? '',
        value: message.value,
        headers: {
          ...message.headers,
          'poort-dlq-reason': reason.slice(0, 4_000),
          'poort-dlq-topic': message.topic,
          'poort-dlq-partition': String(message.partition),
          'poort-dlq-offset': message.offset,
          'poort-dlq-group': this.options.groupId,
        },
      },
    ]);
    this.logger.error({ topic: message.topic, offset: message.offset, reason }, 'message dead-lettered');
    await this.options.onDeadLetter?.({ message, reason });
  }
}

function toIncoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString(),
    value: message.value ?? Buffer.alloc(0),
    headers,
  };
}

/**
 * kafkajs heartbeats only when asked to: a run that outlasts the session timeout (business rules over large invoices,
 * an XBRL filing in Arelle) would cost the consumer its membership, and the run would be handed out again, forever.
 * Its work runs off the event loop (worker threads, another process), so a timer can keep the membership alive.
 */
async function whileHeartbeating<T>(payload: EachBatchPayload, everyMs: number, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => void payload.heartbeat().catch(() => undefined), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
