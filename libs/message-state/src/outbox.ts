import { prepared, type Queryable } from './db.js';
import { StatementParams } from './statement.js';

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
  const params = new StatementParams();
  const insert = outboxInsert(params, source, records);
  const { rows } = await tx.query<{ id: number }>(prepared('outbox.insert', insert.sql, params.values));
  return insert.rows(rows.map((row) => row.id));
}

/** The INSERT of `records` into the outbox as a part of a composed statement, and the rows it wrote from their ids. */
export interface OutboxInsert {
  /** `INSERT INTO outbox … RETURNING id`. */
  readonly sql: string;
  readonly rows: (ids: readonly number[]) => OutboxRow[];
}

export function outboxInsert(params: StatementParams, source: string, records: readonly OutboxRecord[]): OutboxInsert {
  const values = records.map((record) => JSON.stringify(record.value));
  const headers = records.map((record) => record.headers ?? {});
  const sql = `INSERT INTO outbox (source, topic, message_key, value, headers)
       SELECT ${params.add(source, 'text')}, topic, message_key, value, headers::jsonb
         FROM unnest(${params.add(records.map((record) => record.topic), 'text[]')}, ${params.add(records.map((record) => record.key), 'text[]')},
                     ${params.add(values, 'text[]')}, ${params.add(headers.map((header) => JSON.stringify(header)), 'text[]')})
           AS r(topic, message_key, value, headers)
       RETURNING id`;
  return {
    sql,
    rows: (ids) => {
      // The ids are drawn in the order of the arrays, so the n-th smallest is the n-th record's.
      const sorted = [...ids].sort((a, b) => a - b);
      return records.map((record, index) => ({ id: sorted[index]!, topic: record.topic, key: record.key, value: values[index]!, headers: headers[index]! }));
    },
  };
}

/**
 * How many events wait in the outbox for the relays of all services: rows are deleted once published, so every row
 * is one not yet in Kafka. Counted up to `cap` only, so that a look costs the same however far behind the relays are.
 */
export async function outboxBacklog(db: Queryable, cap: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(prepared('outbox.backlog', 'SELECT count(*)::int AS n FROM (SELECT 1 FROM outbox LIMIT $1) AS waiting', [cap]));
  return rows[0]?.n ?? 0;
}
