import type { Queryable } from './db.js';

export interface OutboxRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Writes events in the caller's transaction: they exist exactly when the effect that caused them committed.
 * The relay publishes them afterwards.
 */
export async function enqueueOutbox(tx: Queryable, source: string, records: readonly OutboxRecord[]): Promise<void> {
  if (records.length === 0) return;
  await tx.query(
    `INSERT INTO outbox (source, topic, message_key, value, headers)
     SELECT $1, topic, message_key, value, headers::jsonb
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
         AS r(topic, message_key, value, headers)`,
    [
      source,
      records.map((record) => record.topic),
      records.map((record) => record.key),
      records.map((record) => JSON.stringify(record.value)),
      records.map((record) => JSON.stringify(record.headers ?? {})),
    ],
  );
}
