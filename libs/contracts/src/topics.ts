/**
 * Kafka topics of the message path. The version suffix is part of the name: a breaking change to an event
 * gets a new topic, so old and new consumers can run side by side during a rollout.
 */
export const TOPICS = {
  received: 'poort.message.received.v1',
  authorized: 'poort.message.authorized.v1',
  validated: 'poort.message.validated.v1',
  transformed: 'poort.message.transformed.v1',
  deliveryRequested: 'poort.delivery.requested.v1',
  statusChanged: 'poort.status.changed.v1',
  returnedToSender: 'poort.message.returned.v1',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly Topic[] = Object.values(TOPICS);

/** Where a consumer parks what it could not handle after its retries, with the reason in the headers. */
export function deadLetterTopic(topic: Topic): string {
  return `${topic}.dlq`;
}
