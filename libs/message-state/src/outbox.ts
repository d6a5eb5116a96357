import { prepared, type Queryable } from './db.js';

export interface OutboxRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** An outbox row as it goes to Kafka: its value as the JSON text stored. */
export interface OutboxRow {
  /** The row's id: the order of the rows, and what deletes them once published. */
  readonly id: number;
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Writes events in the caller's transaction: they exist exactly when the effect that caused them committed.
 * Returns the rows as written, for the relay to publish from memory once the transaction committed
 * (OutboxRelay.handOff); without that, the relay finds them in the table.
 */
export async function enqueueOutbox(tx: Queryable, source: string, records: readonly OutboxRecord[]): Promise<OutboxRow[]> {
  if (records.length === 0) return [];
  const values = records.map((record) => JSON.stringify(record.value));
  const headers = records.map((record) => record.headers ?? {});
  const { rows } = await tx.query<{ id: number }>(
    prepared(
      'outbox.insert',
      `INSERT INTO outbox (source, topic, message_key, value, headers)
       SELECT $1, topic, message_key, value, headers::jsonb
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
           AS r(topic, message_key, value, headers)
       RETURNING id`,
      [source, records.map((record) => record.topic), records.map((record) => record.key), values, headers.map((header) => JSON.stringify(header))],
    ),
  );
  // The ids are drawn in the order of the arrays, so the n-th smallest is the n-th record's.
  const ids = rows.map((row) => row.id).sort((a, b) => a - b);
  return records.map((record, index) => ({ id: ids[index]!, topic: record.topic, key: record.key, value: values[index]!, headers: headers[index]! }));
}
