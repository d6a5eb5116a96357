import {
  Envelope,
  InvalidEventError,
  decodeEvent,
  deadLetterTopic,
  type EventOf,
  type StatusCode,
  type Topic,
} from '@poort/contracts';
import type { IncomingMessage, KafkaBus } from '@poort/kafka';
import { claimInbox, isTransientDatabaseError } from '@poort/message-state';
import { extractTraceContext, inSpan, withLogContext, type Logger, type PoortMetrics } from '@poort/observability';

import { recordDeadLetter } from './dead-letters.js';
import type { FaultInjection } from './fault-injection.js';
import type { Effect, UnitOfWork } from './unit-of-work.js';

/** What a stage's handler runs with: the transaction of the event's effect, and the events it emits. */
export type StageContext = Effect;

/** What a stage that keeps no inbox runs with: its transaction only, as it may emit nothing. */
export type WriteOnlyContext = Pick<StageContext, 'tx'>;

/**
 * A stage handles its events one by one, or (for a stage whose effect per event is a row or two) a run's at once, or
 * only writes rows that are idempotent by themselves.
 */
export type StageDefinition<T extends Topic> = StageCommon<T> &
  (
    | { readonly handle: (event: EventOf<T>, context: StageContext) => Promise<void>; readonly handleAll?: never; readonly writeIdempotently?: never }
    | {
        /** The run's events that were not handled before, in their order: their rows go in with multi-row statements. */
        readonly handleAll: (events: readonly EventOf<T>[], context: StageContext) => Promise<void>;
        readonly handle?: never;
        readonly writeIdempotently?: never;
      }
    | {
        /**
         * For a stage whose effect is rows that a repeat leaves as they are (ON CONFLICT DO NOTHING, say): the run's
         * events, a repeat included. No inbox row is kept for them, and the stage can emit nothing (its context has no
         * `out`), so a replay can neither emit twice nor change what was written.
         */
        readonly writeIdempotently: (events: readonly EventOf<T>[], context: WriteOnlyContext) => Promise<void>;
        readonly handle?: never;
        readonly handleAll?: never;
      }
  );

interface StageCommon<T extends Topic> {
  /** The consumer group, and the inbox namespace for idempotency. */
  readonly name: string;
  readonly topic: T;
  /** Identifies the effect of an event within this stage; defaults to the message's kenmerk. */
  readonly idempotencyKey?: (event: EventOf<T>) => string;
  /**
   * The final status a sender gets when its message's event cannot be handled even after retries (see
   * DEAD_LETTER_STATUS). Stages off the message path (archive, notification) have none.
   */
  readonly technicalFailure?: { readonly code: StatusCode; readonly foutcode: string };
  /** Called after the transaction of a run of events committed (e.g. to wake a worker). */
  readonly afterCommit?: () => void;
}

/** The Kafka consumer group of a stage: what its lag is asked by (ingress' back-pressure). */
export const stageGroupId = (stage: string): string => `poort-${stage}`;

export interface StageRunnerDeps {
  readonly bus: KafkaBus;
  readonly unitOfWork: UnitOfWork;
  readonly logger: Logger;
  readonly metrics: PoortMetrics;
  readonly maxRetries?: number;
  readonly retryBackoffMs?: number;
  /** Tests of the fault handling only. */
  readonly faultInjection?: FaultInjection;
}

interface Decoded<T extends Topic> {
  readonly event: EventOf<T>;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Runs a stage of the chain: consume a topic, and for each event apply its effect exactly once in one
 * Postgres transaction together with the events it emits (inbox + outbox), then commit the Kafka offset.
 * A crash anywhere replays the event; the inbox makes the replay a no-op and the outbox re-sends what was
 * not yet published.
 */
export class StageRunner {
  private readonly definitions: StageDefinition<Topic>[] = [];

  constructor(private readonly deps: StageRunnerDeps) {}

  register<T extends Topic>(definition: StageDefinition<T>): void {
    if (this.definitions.some((existing) => existing.topic === definition.topic && existing.name === definition.name)) {
      throw new Error(`stage ${definition.name} already handles ${definition.topic}`);
    }
    this.definitions.push(definition as unknown as StageDefinition<Topic>);
  }

  async start(): Promise<void> {
    for (const definition of this.definitions) {
      const consumer = this.deps.bus.consumer({
        groupId: stageGroupId(definition.name),
        topics: [definition.topic],
        handle: (messages) => this.handle(definition, messages),
        isRetryable: (error) => !(error instanceof InvalidEventError),
        // The database being away is not this event's fault: it is waited out, the event is never dead-lettered for it.
        isOutage: isTransientDatabaseError,
        onOutage: (state) => {
          if (state === 'began') this.deps.metrics.dependencyOutages.inc({ dependency: 'postgres' });
        },
        onDeadLetter: ({ message, reason }) => this.onDeadLetter(definition, message, reason),
        deadLetterTopic: (topic) => deadLetterTopic(topic as Topic),
        onLag: (topic, partition, lag) => this.deps.metrics.consumerLag.set({ topic, partition: String(partition) }, lag),
        ...(this.deps.maxRetries !== undefined ? { maxRetries: this.deps.maxRetries } : {}),
        ...(this.deps.retryBackoffMs !== undefined ? { retryBackoffMs: this.deps.retryBackoffMs } : {}),
      });
      await consumer.start();
    }
  }

  private async handle<T extends Topic>(definition: StageDefinition<T>, messages: readonly IncomingMessage[]): Promise<void> {
    const stopTimer = this.deps.metrics.handleDuration.startTimer({ topic: definition.topic });
    const decoded = messages.map((message) => this.decode(definition, message));
    const handled = await this.deps.unitOfWork.commit(async (effect) => {
      // Handled before (by the inbox's record), or twice in this run: left out.
      const fresh = definition.writeIdempotently ? new Set(decoded.map((item) => item.key)) : await claimInbox(effect.tx, definition.name, decoded.map((item) => item.key));
      const todo = decoded.filter((item) => fresh.delete(item.key));
      for (const item of todo) {
        const injected = this.deps.faultInjection?.failureFor(definition.name, item.event);
        if (injected) throw injected;
      }
      if (definition.writeIdempotently) {
        if (todo.length > 0) await definition.writeIdempotently(todo.map((item) => item.event), { tx: effect.tx });
        return todo.length;
      }
      if (definition.handleAll) {
        if (todo.length > 0) await definition.handleAll(todo.map((item) => item.event), effect);
        return todo.length;
      }
      for (const item of todo) {
        await withLogContext({ kenmerk: kenmerkOf(item.event), stage: definition.name }, () =>
          inSpan(`${definition.name} ${definition.topic}`, extractTraceContext(item.headers), () => definition.handle(item.event, effect)),
        );
      }
      return todo.length;
    });
    stopTimer();
    definition.afterCommit?.();
    const { metrics } = this.deps;
    metrics.eventsHandled.inc({ topic: definition.topic, outcome: 'done' }, handled);
    if (decoded.length > handled) metrics.eventsHandled.inc({ topic: definition.topic, outcome: 'duplicate' }, decoded.length - handled);
  }

  private decode<T extends Topic>(definition: StageDefinition<T>, message: IncomingMessage): Decoded<T> {
    let json: unknown;
    try {
      json = JSON.parse(message.value.toString('utf8'));
    } catch {
      throw new InvalidEventError(definition.topic, 'value is not JSON');
    }
    const event = decodeEvent(definition.topic, json);
    const key = definition.idempotencyKey ? definition.idempotencyKey(event) : kenmerkOf(event);
    return { event, key, headers: message.headers };
  }

  /**
   * A poison event is kept for the operator (dead_letters, to list and re-drive) and still ends its message with a
   * final status, in one transaction, so the sender is never left waiting.
   */
  private async onDeadLetter(definition: StageDefinition<Topic>, message: IncomingMessage, reason: string): Promise<void> {
    const failure = definition.technicalFailure;
    const envelope = envelopeOf(message);
    await this.deps.unitOfWork.commit(async ({ tx, out }) => {
      await recordDeadLetter(tx, definition.name, message, envelope?.kenmerk ?? message.key, reason);
      if (!failure || !envelope) return;
      out.status(envelope, {
        code: failure.code,
        scope: definition.name,
        final: true,
        fout: { foutcode: failure.foutcode, foutbeschrijving: `technische fout in ${definition.name}: ${reason}`.slice(0, 4_000) },
      });
    });
    this.deps.metrics.eventsHandled.inc({ topic: definition.topic, outcome: 'dead_lettered' });
    this.deps.metrics.deadLettered.inc({ topic: definition.topic });
    this.deps.logger.warn({ stage: definition.name, topic: definition.topic, kenmerk: envelope?.kenmerk, reason }, 'event dead-lettered');
  }
}

function kenmerkOf(event: unknown): string {
  const candidate = event as { kenmerk?: string; envelope?: { kenmerk?: string } };
  const kenmerk = candidate.envelope?.kenmerk ?? candidate.kenmerk;
  if (!kenmerk) throw new InvalidEventError('unknown', 'event names no kenmerk');
  return kenmerk;
}

function envelopeOf(message: IncomingMessage): Envelope | undefined {
  try {
    const parsed = Envelope.safeParse((JSON.parse(message.value.toString('utf8')) as { envelope?: unknown }).envelope);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
