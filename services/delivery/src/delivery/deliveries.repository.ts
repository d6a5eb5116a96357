import type { Envelope, PayloadRef } from '@poort/contracts';
import type { Pool, Queryable } from '@poort/message-state';

import type { DeliveryUpdate } from './attempt-decision.js';

export type DeliveryState = 'pending' | 'delivered' | 'refused' | 'expired';

export interface DeliveryRow {
  readonly kenmerk: string;
  readonly recipientId: string;
  readonly recipientCount: number;
  readonly envelope: Envelope;
  readonly payload: PayloadRef;
  readonly attempts: number;
  readonly deadline: Date;
}

interface DbRow {
  kenmerk: string;
  recipient_id: string;
  recipient_count: number;
  envelope: Envelope;
  payload: PayloadRef;
  attempts: number;
  deadline: Date;
}

const toRow = (row: DbRow): DeliveryRow => ({
  kenmerk: row.kenmerk,
  recipientId: row.recipient_id,
  recipientCount: row.recipient_count,
  envelope: row.envelope,
  payload: row.payload,
  attempts: row.attempts,
  deadline: row.deadline,
});

/** The delivery service's own table: one row per (message, recipient) with its durable retry schedule. */
export class DeliveriesRepository {
  constructor(private readonly pool: Pool) {}

  async insert(tx: Queryable, row: Omit<DeliveryRow, 'attempts'>): Promise<void> {
    await tx.query(
      `INSERT INTO deliveries (kenmerk, recipient_id, recipient_count, envelope, payload, state, next_attempt_at, deadline)
       VALUES ($1, $2, $3, $4, $5, 'pending', now(), $6)
       ON CONFLICT DO NOTHING`,
      [row.kenmerk, row.recipientId, row.recipientCount, row.envelope, row.payload, row.deadline],
    );
  }

  /**
   * Leases due deliveries: pushes their next attempt past the lease so no other worker takes them meanwhile.
   * A worker that dies mid-attempt leaves the lease to expire and the delivery is tried again.
   */
  async leaseDue(limit: number, leaseMs: number): Promise<DeliveryRow[]> {
    const { rows } = await this.pool.query<DbRow>(
      `UPDATE deliveries SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000), updated_at = now()
        WHERE (kenmerk, recipient_id) IN (
          SELECT kenmerk, recipient_id FROM deliveries
           WHERE state = 'pending' AND next_attempt_at <= now()
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING kenmerk, recipient_id, recipient_count, envelope, payload, attempts, deadline`,
      [limit, leaseMs],
    );
    return rows.map(toRow);
  }

  /**
   * Locks all deliveries of a message (in one order, so concurrent completions cannot both miss the last one) and
   * counts those of other recipients that are delivered already.
   */
  async lockDeliveredToOthers(tx: Queryable, kenmerk: string, recipientId: string): Promise<number> {
    const { rows } = await tx.query<{ recipient_id: string; state: DeliveryState }>(
      'SELECT recipient_id, state FROM deliveries WHERE kenmerk = $1 ORDER BY recipient_id FOR UPDATE',
      [kenmerk],
    );
    return rows.filter((row) => row.recipient_id !== recipientId && row.state === 'delivered').length;
  }

  /**
   * Counts an attempt before its request goes out, committed on its own: a crash between sending and recording the
   * outcome then still shows as an attempt, and the recipient sees a repeat of the same message id.
   */
  async countAttempt(kenmerk: string, recipientId: string): Promise<void> {
    await this.pool.query('UPDATE deliveries SET attempts = attempts + 1, updated_at = now() WHERE kenmerk = $1 AND recipient_id = $2', [kenmerk, recipientId]);
  }

  /** Records the outcome of an attempt (counted before it went out): the delivery's new state or its next attempt. */
  async record(tx: Queryable, kenmerk: string, recipientId: string, update: DeliveryUpdate): Promise<void> {
    const lastError = update.state === 'delivered' ? null : update.lastError;
    const retryAt = update.state === 'pending' ? update.retryAt : null;
    await tx.query(
      `UPDATE deliveries SET state = $3, last_error = $4,
              next_attempt_at = coalesce($5, next_attempt_at), updated_at = now()
        WHERE kenmerk = $1 AND recipient_id = $2`,
      [kenmerk, recipientId, update.state, lastError, retryAt],
    );
  }

  /** When the worker should look again: the earliest pending attempt. */
  async nextDueAt(): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ at: Date | null }>(
      "SELECT min(next_attempt_at) AS at FROM deliveries WHERE state = 'pending'",
    );
    return rows[0]?.at ?? undefined;
  }
}
