import { prepared, type Queryable } from './db.js';

/**
 * Claims idempotency keys for a consumer inside the caller's transaction and returns those not handled
 * before. The effect of a redelivered event is thereby applied once, however often the event comes.
 */
export async function claimInbox(tx: Queryable, consumer: string, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { rows } = await tx.query<{ idempotency_key: string }>(
    prepared(
      'inbox.claim',
      `INSERT INTO inbox (consumer, idempotency_key)
       SELECT $1, key FROM unnest($2::text[]) AS k(key)
       ON CONFLICT DO NOTHING
       RETURNING idempotency_key`,
      [consumer, [...new Set(keys)]],
    ),
  );
  return new Set(rows.map((row) => row.idempotency_key));
}
