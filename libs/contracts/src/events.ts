import { z } from 'zod';

import { Envelope, Oin, PayloadRef } from './envelope.js';
import { TOPICS, type Topic } from './topics.js';

const EventBase = z.object({
  /** Unique per emitted event; stable across redeliveries of the same event. */
  eventId: z.uuid(),
  occurredAt: z.iso.datetime({ offset: true }),
});

export const MessageReceived = EventBase.extend({ envelope: Envelope });
export const MessageAuthorized = EventBase.extend({ envelope: Envelope });
export const MessageValidated = EventBase.extend({ envelope: Envelope });

export const MessageTransformed = EventBase.extend({
  envelope: Envelope,
  /** The output of the message type's own transformation, when it configures one (`format: transformed`). */
  transformed: PayloadRef.optional(),
  /**
   * Every rendition made of the content, by transformation name (e.g. `ubl-invoice-to-cii`), the type's own
   * included; routes name the one their recipient gets. Absent in events of stages older than named renditions.
   */
  renditions: z.record(z.string().min(1).max(80), PayloadRef).optional(),
});

export const DeliveryRequested = EventBase.extend({
  envelope: Envelope,
  recipientId: z.string().min(1),
  /** The content this recipient gets: the original or the rendition its route or subscription asks for. */
  payload: PayloadRef,
  recipientCount: z.number().int().positive(),
});

export const Foutmelding = z.object({
  foutcode: z.string().min(1).max(20),
  foutbeschrijving: z.string().max(1_048_576),
});
export type Foutmelding = z.infer<typeof Foutmelding>;

export const StatusChanged = EventBase.extend({
  /** Deterministic per (kenmerk, step): a status is recorded once however often it is emitted. */
  statusId: z.string().min(1),
  kenmerk: z.string().min(1).max(40),
  berichtsoort: z.string().min(1).max(80),
  senderOin: Oin,
  aanleverkenmerk: z.string().max(40).optional(),
  identiteitBelanghebbende: z.object({ nummer: z.string(), type: z.string() }),
  statuscode: z.string().min(1).max(20),
  statusomschrijving: z.string().max(80),
  tijdstempelStatus: z.iso.datetime({ offset: true }),
  statusFoutcode: Foutmelding.optional(),
  statusdetails: z.string().max(1_048_576).optional(),
  final: z.boolean(),
});

/** Retour afzender: a message that cannot be delivered goes back to its sender with the reason. */
export const MessageReturned = EventBase.extend({
  kenmerk: z.string().min(1).max(40),
  berichtsoort: z.string(),
  senderOin: Oin,
  aanleverkenmerk: z.string().max(40).optional(),
  recipientId: z.string(),
  reden: Foutmelding,
});

export const EVENT_SCHEMAS = {
  [TOPICS.received]: MessageReceived,
  [TOPICS.authorized]: MessageAuthorized,
  [TOPICS.validated]: MessageValidated,
  [TOPICS.transformed]: MessageTransformed,
  [TOPICS.deliveryRequested]: DeliveryRequested,
  [TOPICS.statusChanged]: StatusChanged,
  [TOPICS.returnedToSender]: MessageReturned,
} as const satisfies Record<Topic, z.ZodType>;

export type EventOf<T extends Topic> = z.infer<(typeof EVENT_SCHEMAS)[T]>;
export type MessageReceived = EventOf<typeof TOPICS.received>;
export type MessageAuthorized = EventOf<typeof TOPICS.authorized>;
export type MessageValidated = EventOf<typeof TOPICS.validated>;
export type MessageTransformed = EventOf<typeof TOPICS.transformed>;
export type DeliveryRequested = EventOf<typeof TOPICS.deliveryRequested>;
export type StatusChanged = EventOf<typeof TOPICS.statusChanged>;
export type MessageReturned = EventOf<typeof TOPICS.returnedToSender>;

export class InvalidEventError extends Error {
  readonly code = 'EVENT_INVALID';
  constructor(
    readonly topic: string,
    readonly issues: string,
  ) {
    super(`invalid event on ${topic}: ${issues}`);
  }
}

/** Runtime validation at every consumer: a consumer never trusts the bytes on a topic. */
export function decodeEvent<T extends Topic>(topic: T, value: unknown): EventOf<T> {
  const result = EVENT_SCHEMAS[topic].safeParse(value);
  if (!result.success) throw new InvalidEventError(topic, z.prettifyError(result.error));
  return result.data as EventOf<T>;
}

/** The key that keeps all events of one message on one partition, in order. */
export function partitionKey(kenmerk: string): string {
  return kenmerk;
}
