import {
  Envelope,
  TOPICS,
  partitionKey,
  statusEvent,
  type EventOf,
  type StatusChanged,
  type StatusInput,
  type Topic,
} from '@poort/contracts';
import type { OutboxRecord } from '@poort/message-state';
import { injectTraceContext } from '@poort/observability';

/** What a stage's handler produces; written to the outbox in the same transaction as the handler's own writes. */
export class Emissions {
  readonly records: OutboxRecord[] = [];
  readonly statuses: StatusChanged[] = [];

  emit<T extends Topic>(topic: T, event: EventOf<T> & { kenmerk?: string; envelope?: Envelope }): void {
    const kenmerk = event.envelope?.kenmerk ?? event.kenmerk;
    if (!kenmerk) throw new Error(`event for ${topic} names no kenmerk`);
    this.records.push({ topic, key: partitionKey(kenmerk), value: event, headers: injectTraceContext() });
  }

  status(envelope: Envelope, input: StatusInput): StatusChanged {
    const event = statusEvent(envelope, input);
    this.statuses.push(event);
    this.emit(TOPICS.statusChanged, event);
    return event;
  }
}
