import { randomUUID } from 'node:crypto';

import {
  Envelope,
  TOPICS,
  partitionKey,
  statusRecord,
  type EventOf,
  type StatusChanged,
  type StatusInput,
  type StatusSubject,
  type Topic,
} from '@poort/contracts';
import type { OutboxRecord } from '@poort/message-state';
import { injectTraceContext } from '@poort/observability';

/** An event as its writer describes it: the id and the time it occurred are minted when it is emitted. */
export type EventBody<T extends Topic> = Omit<EventOf<T>, 'eventId' | 'occurredAt'>;

/**
 * The events a writer's effect causes, collected while the effect runs and written to the outbox in the same
 * transaction (see UnitOfWork). Each event gets a fresh id here; it travels in the outbox row, so a redelivered
 * event keeps it.
 */
export class Emissions {
  readonly records: OutboxRecord[] = [];
  readonly statuses: StatusChanged[] = [];

  emit<T extends Topic>(topic: T, body: EventBody<T>, occurredAt: Date = new Date()): void {
    const event = { eventId: randomUUID(), occurredAt: occurredAt.toISOString(), ...body } as EventOf<T>;
    this.push(topic, event, kenmerkOf(topic, body));
  }

  status(envelope: StatusSubject, input: StatusInput): StatusChanged {
    const record = statusRecord(envelope, input);
    const event: StatusChanged = { eventId: randomUUID(), occurredAt: record.tijdstempelStatus, ...record };
    this.statuses.push(event);
    this.push(TOPICS.statusChanged, event, event.kenmerk);
    return event;
  }

  /** An event that was emitted before (a re-driven dead letter) sent again as it was: same id, key and headers. */
  again(record: OutboxRecord): void {
    this.records.push(record);
  }

  private push(topic: Topic, value: unknown, kenmerk: string): void {
    this.records.push({ topic, key: partitionKey(kenmerk), value, headers: injectTraceContext() });
  }
}

function kenmerkOf(topic: Topic, body: { kenmerk?: string; envelope?: Envelope }): string {
  const kenmerk = body.envelope?.kenmerk ?? body.kenmerk;
  if (!kenmerk) throw new Error(`event for ${topic} names no kenmerk`);
  return kenmerk;
}
