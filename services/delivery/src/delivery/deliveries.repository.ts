import type { Envelope, PayloadRef } from '@poort/contracts';
import { prepared, type Pool, type Queryable } from '@poort/message-state';

import type { DeliveryUpdate } from './attempt-decision.js';

/** One recipient's share of a lease: how many of its due deliveries may be taken. */
export interface DeliveryLane {
  readonly recipientId: string;
  readonly room: number;
  readonly overdueOnly: boolean;
}

export type DeliveryState = 'pending' | 'parked' | 'delivered' | 'refused' | 'expired';

export interface DeliveryRow {
  readonly kenmerk: string;
  readonly recipientId: string;
  readonly recipientCount: number;
  readonly envelope: Envelope;
  readonly payload: PayloadRef;
  /** Attempts before the one it is leased for. */
  readonly attempts: number;
  readonly deadline: Date;
  /** When the delivery was requested (a large content's notice dates from it). */
  readonly createdAt: Date;
}

/** A delivery as the recipients' file endpoint sees it: whose, of which file, since when. */
export interface FileDeliveryRow {
  readonly recipientId: string;
  readonly payload: PayloadRef;
  readonly createdAt: Date;
}

interface DbRow {
  kenmerk: string;
  recipient_id: string;
  recipient_count: number;
  envelope: Envelope;
  payload: PayloadRef;
  attempts: number;
  deadline: Date;
  created_at: Date;
}

const toRow = (row: DbRow): DeliveryRow => ({
  kenmerk: row.kenmerk,
  recipientId: row.recipient_id,
  recipientCount: row.recipient_count,
  envelope: row.envelope,
  payload: row.payload,
  attempts: row.attempts,
  deadline: row.deadline,
  createdAt: row.created_at,
});

/** The delivery service's own table: one row per (message, recipient) with its durable retry schedule. */
export class DeliveriesRepository {
  constructor(private readonly pool: Pool) {}

  /** New deliveries, due at once; one that exists already (a redelivered request) stays as it is. */
  async insert(tx: Queryable, rows: readonly Omit<DeliveryRow, 'attempts' | 'createdAt'>[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      prepared(
        'deliveries.insert',
        `INSERT INTO deliveries (kenmerk, recipient_id, recipient_count, envelope, payload, state, next_attempt_at, deadline)
         SELECT kenmerk, recipient_id, recipient_count, envelope, payload, 'pending', now(), deadline
           FROM unnest($1::text[], $2::text[], $3::int[], $4::jsonb[], $5::jsonb[], $6::timestamptz[])
             AS r(kenmerk, recipient_id, recipient_count, envelope, payload, deadline)
         ON CONFLICT DO NOTHING`,
        [
          rows.map((row) => row.kenmerk),
          rows.map((row) => row.recipientId),
          rows.map((row) => row.recipientCount),
          rows.map((row) => JSON.stringify(row.envelope)),
          rows.map((row) => JSON.stringify(row.payload)),
          rows.map((row) => row.deadline),
        ],
      ),
    );
  }

  /**
   * Leases due deliveries and counts the attempt each is leased for, committed before any request goes out: a crash
   * between sending and recording the outcome then still shows as an attempt, and the recipient sees a repeat of the
   * same message id. The lease pushes the next attempt past it, so no other worker takes them meanwhile; a worker
   * that dies mid-attempt leaves it to expire and the delivery is tried again. At most `perRecipient` of one
   * recipient, and none of the `excluded` recipients (those the worker leases by lane).
   */
  async leaseDue(limit: number, leaseMs: number, perRecipient = limit, excluded: readonly string[] = []): Promise<DeliveryRow[]> {
    // The due ones in time order (a few rounds' worth, locked), then at most perRecipient of each recipient among them.
    const { rows } = await this.pool.query<DbRow>(
      prepared(
        'deliveries.lease',
        `UPDATE deliveries SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
                attempts = attempts + 1, updated_at = now()
          WHERE (kenmerk, recipient_id) IN (
            SELECT kenmerk, recipient_id FROM (
              SELECT kenmerk, recipient_id, next_attempt_at,
                     row_number() OVER (PARTITION BY recipient_id ORDER BY next_attempt_at) AS place
                FROM (SELECT kenmerk, recipient_id, next_attempt_at FROM deliveries
                       WHERE state = 'pending' AND next_attempt_at <= now() AND recipient_id <> ALL($4::text[])
                       ORDER BY next_attempt_at LIMIT $1 * 4 FOR UPDATE SKIP LOCKED) AS due
            ) AS ranked
             WHERE place <= $3
             ORDER BY next_attempt_at LIMIT $1)
          RETURNING kenmerk, recipient_id, recipient_count, envelope, payload, attempts - 1 AS attempts, deadline, created_at`,
        [limit, leaseMs, perRecipient, excluded],
      ),
    );
    return rows.map(toRow);
  }

  /**
   * The same by lane: each recipient's due deliveries on their own, at most its lane's room, so that a recipient
   * with a large backlog (one that is down) never takes the room of another; in all at most `limit`, earliest first.
   * An `overdueOnly` lane (its circuit is open) gives only deliveries whose retry window has ended.
   */
  async leaseLanes(limit: number, leaseMs: number, lanes: readonly DeliveryLane[]): Promise<DeliveryRow[]> {
    if (lanes.length === 0 || limit <= 0) return [];
    const { rows } = await this.pool.query<DbRow>(
      prepared(
        'deliveries.lease-lanes',
        `WITH lane AS (SELECT * FROM unnest($3::text[], $4::int[], $5::boolean[]) AS l(recipient_id, room, overdue_only)),
              candidate AS (
                SELECT due.kenmerk, due.recipient_id, due.next_attempt_at FROM lane CROSS JOIN LATERAL (
                  SELECT kenmerk, recipient_id, next_attempt_at FROM deliveries
                   WHERE state = 'pending' AND recipient_id = lane.recipient_id AND next_attempt_at <= now()
                     AND (NOT lane.overdue_only OR deadline <= now())
                   ORDER BY next_attempt_at LIMIT lane.room FOR UPDATE SKIP LOCKED) AS due),
              chosen AS (SELECT kenmerk, recipient_id FROM candidate ORDER BY next_attempt_at LIMIT $1)
         UPDATE deliveries d SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
                attempts = d.attempts + 1, updated_at = now()
           FROM chosen WHERE d.kenmerk = chosen.kenmerk AND d.recipient_id = chosen.recipient_id
         RETURNING d.kenmerk, d.recipient_id, d.recipient_count, d.envelope, d.payload, d.attempts - 1 AS attempts, d.deadline, d.created_at`,
        [limit, leaseMs, lanes.map((lane) => lane.recipientId), lanes.map((lane) => lane.room), lanes.map((lane) => lane.overdueOnly)],
      ),
    );
    return rows.map(toRow);
  }

  /**
   * Locks all deliveries of these messages (in one order, so that concurrent workers cannot both miss the last
   * recipient of a message, nor deadlock) and tells, per message, which recipients have it already.
   */
  async lockDelivered(tx: Queryable, kenmerken: readonly string[]): Promise<Map<string, Set<string>>> {
    const { rows } = await tx.query<{ kenmerk: string; recipient_id: string; state: DeliveryState }>(
      prepared(
        'deliveries.lock-delivered',
        'SELECT kenmerk, recipient_id, state FROM deliveries WHERE kenmerk = ANY($1::text[]) ORDER BY kenmerk, recipient_id FOR UPDATE',
        [[...new Set(kenmerken)]],
      ),
    );
    const delivered = new Map<string, Set<string>>();
    for (const row of rows) {
      if (row.state !== 'delivered') continue;
      const recipients = delivered.get(row.kenmerk) ?? new Set<string>();
      recipients.add(row.recipient_id);
      delivered.set(row.kenmerk, recipients);
    }
    return delivered;
  }

  /** The same locks in the same order as lockDelivered, with every delivery of these messages and its state (a fetch needs the parked ones). */
  async lockAll(tx: Queryable, kenmerken: readonly string[]): Promise<(DeliveryRow & { readonly state: DeliveryState })[]> {
    const { rows } = await tx.query<DbRow & { state: DeliveryState }>(
      prepared(
        'deliveries.lock-all',
        `SELECT kenmerk, recipient_id, recipient_count, envelope, payload, attempts, deadline, created_at, state FROM deliveries
          WHERE kenmerk = ANY($1::text[]) ORDER BY kenmerk, recipient_id FOR UPDATE`,
        [[...new Set(kenmerken)]],
      ),
    );
    return rows.map((row) => ({ ...toRow(row), state: row.state }));
  }

  /** Records the outcomes of attempts (each counted when leased): each delivery's new state or its next attempt. */
  async record(tx: Queryable, updates: readonly { readonly kenmerk: string; readonly recipientId: string; readonly update: DeliveryUpdate }[]): Promise<void> {
    if (updates.length === 0) return;
    await tx.query(
      prepared(
        'deliveries.record',
        `UPDATE deliveries d SET state = u.state, last_error = u.last_error,
                next_attempt_at = coalesce(u.retry_at, d.next_attempt_at), updated_at = now()
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS u(kenmerk, recipient_id, state, last_error, retry_at)
          WHERE d.kenmerk = u.kenmerk AND d.recipient_id = u.recipient_id`,
        [
          updates.map((entry) => entry.kenmerk),
          updates.map((entry) => entry.recipientId),
          updates.map((entry) => entry.update.state),
          updates.map(({ update }) => ('lastError' in update ? update.lastError : null)),
          updates.map(({ update }) => (update.state === 'pending' ? update.retryAt : null)),
        ],
      ),
    );
  }

  /**
   * Parked deliveries whose window ended without a fetch, earliest first (read without locks: the caller locks
   * their messages with lockAll and looks again).
   */
  async overdueParked(limit: number): Promise<{ readonly kenmerk: string; readonly recipientId: string }[]> {
    const { rows } = await this.pool.query<{ kenmerk: string; recipient_id: string }>(
      prepared(
        'deliveries.overdue-parked',
        "SELECT kenmerk, recipient_id FROM deliveries WHERE state = 'parked' AND deadline <= now() ORDER BY deadline LIMIT $1",
        [limit],
      ),
    );
    return rows.map((row) => ({ kenmerk: row.kenmerk, recipientId: row.recipient_id }));
  }

  /** When the next parked delivery's window ends. */
  async nextParkedDeadline(): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ at: Date | null }>("SELECT min(deadline) AS at FROM deliveries WHERE state = 'parked'");
    return rows[0]?.at ?? undefined;
  }

  /** When the worker should look again: the earliest pending attempt. */
  async nextDueAt(): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ at: Date | null }>(
      "SELECT min(next_attempt_at) AS at FROM deliveries WHERE state = 'pending'",
    );
    return rows[0]?.at ?? undefined;
  }

  /** The deliveries of one message, for its file: to which recipient, of which rendition, since when. */
  async filesOf(kenmerk: string): Promise<FileDeliveryRow[]> {
    const { rows } = await this.pool.query<{ recipient_id: string; payload: PayloadRef; created_at: Date }>(
      prepared('deliveries.files-of', 'SELECT recipient_id, payload, created_at FROM deliveries WHERE kenmerk = $1 ORDER BY recipient_id', [kenmerk]),
    );
    return rows.map((row) => ({ recipientId: row.recipient_id, payload: row.payload, createdAt: row.created_at }));
  }
}
